// RTMP framing for a ring player (see rtmp_player.hpp).
#include "worker/rtmp/rtmp_player.hpp"

#include "proto/rtmp/message.hpp"
#include "worker/rtmp/rtmp_conn.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

uint8_t rtmp_type(shm::RecordType type) {
  switch (type) {
    case shm::RecordType::kAudio: return rtmp::kTypeAudio;
    case shm::RecordType::kVideo: return rtmp::kTypeVideo;
    default: return rtmp::kTypeDataAmf0;
  }
}

uint32_t csid_of(shm::RecordType type) {
  switch (type) {
    case shm::RecordType::kAudio: return rtmp::kCsidAudio;
    case shm::RecordType::kVideo: return rtmp::kCsidVideo;
    default: return rtmp::kCsidOverStream2;
  }
}

}  // namespace

int RtmpPlayer::fd() const { return conn_.fd(); }
bool RtmpPlayer::closing() const { return conn_.closing(); }
void RtmpPlayer::close(const std::string& why) { conn_.close(why); }
void RtmpPlayer::want_write() { conn_.want_write(); }
void RtmpPlayer::count_out(size_t bytes) { conn_.count_out(bytes); }
bool RtmpPlayer::flush_control() { return conn_.flush_out(); }

void RtmpPlayer::queue_start_pack(const StartPack& pack) {
  auto send = [&](const std::vector<uint8_t>& body, shm::RecordType type) {
    if (body.empty()) return;
    conn_.queue(csid_of(type), rtmp_type(type), 0, stream_id_, body.data(), body.size());
  };
  send(pack.metadata, shm::RecordType::kData);
  send(pack.video, shm::RecordType::kVideo);
  send(pack.audio, shm::RecordType::kAudio);
}

size_t RtmpPlayer::header_space(uint32_t length) const { return conn_.writer().header_space(length); }
size_t RtmpPlayer::iovec_space(uint32_t length) const { return conn_.writer().iovec_space(length); }

base::Result<size_t> RtmpPlayer::frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                                       size_t scratch_len, iovec* iov, size_t iov_cap) {
  rtmp::MessageHeader h{timestamp, v.payload_len, rtmp_type(v.type), stream_id_};
  return conn_.writer().write(csid_of(v.type), h, {v.payload, v.size}, {}, scratch, scratch_len, iov,
                              iov_cap);
}

void RtmpPlayer::reset_framing() {
  for (uint32_t csid : {rtmp::kCsidAudio, rtmp::kCsidVideo, rtmp::kCsidOverStream2}) {
    conn_.writer().forget(csid);
  }
}

void RtmpPlayer::notify_end() {
  conn_.reply_status(rtmp::StatusCode::kPlayUnpublishNotify, "stream is now unpublished", stream_id_);
  conn_.reply_status(rtmp::StatusCode::kPlayStop, "Stopped playing stream.", stream_id_);
  (void)conn_.flush_out();
}

}  // namespace srs::worker
