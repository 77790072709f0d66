// RTMP framing for a ring player (see rtmp_framing.hpp).
#include "worker/rtmp/rtmp_framing.hpp"

#include "base/log.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "proto/rtmp/message.hpp"
#include "worker/stream/rtmp_media.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

uint32_t csid_of(shm::RecordType type) {
  switch (type) {
    case shm::RecordType::kAudio:
      return rtmp::kCsidAudio;
    case shm::RecordType::kVideo:
      return rtmp::kCsidVideo;
    default:
      return rtmp::kCsidOverStream2;
  }
}

}  // namespace

void RtmpFraming::queue(shm::RecordType type, const std::vector<uint8_t>& body,
                        std::vector<uint8_t>& out) {
  if (body.empty()) return;
  rtmp::MessageHeader h{0, uint32_t(body.size()), rtmp_type_of(type), stream_id_};
  if (base::Status s = writer_.append(csid_of(type), h, {body.data(), body.size()}, &out);
      !s.is_ok()) {
    LOG_ERROR("chunking a %zu-byte start message failed: %s", body.size(), s.to_string().c_str());
  }
}

void RtmpFraming::queue_start(const StartPack& pack, std::vector<uint8_t>& out) {
  queue(shm::RecordType::kData, pack.metadata, out);
  queue(shm::RecordType::kVideo, pack.video, out);
  queue(shm::RecordType::kAudio, pack.audio, out);
}

base::Result<size_t> RtmpFraming::frame(const shm::RecordView& v, uint32_t timestamp,
                                        uint8_t* scratch, size_t scratch_len, iovec* iov,
                                        size_t iov_cap) {
  rtmp::MessageHeader h{timestamp, v.payload_len, rtmp_type_of(v.type), stream_id_};
  return writer_.write(csid_of(v.type), h, {v.payload, v.size}, {}, scratch, scratch_len, iov,
                       iov_cap);
}

void RtmpFraming::reset() {
  for (uint32_t csid : {rtmp::kCsidAudio, rtmp::kCsidVideo, rtmp::kCsidOverStream2}) {
    writer_.forget(csid);
  }
}

void RtmpFraming::queue_end(std::vector<uint8_t>& out) {
  auto status = [&](rtmp::StatusCode code, const char* description) {
    std::string payload;
    rtmp::encode_on_status(payload, code, description, {}, cid_.c_str());
    rtmp::MessageHeader h{0, uint32_t(payload.size()), rtmp::kTypeCommandAmf0, stream_id_};
    auto bytes = reinterpret_cast<const uint8_t*>(payload.data());
    (void)writer_.append(rtmp::kCsidOverStream, h, {bytes, payload.size()}, &out);
  };
  status(rtmp::StatusCode::kPlayUnpublishNotify, "stream is now unpublished");
  status(rtmp::StatusCode::kPlayStop, "Stopped playing stream.");
}

}  // namespace srs::worker
