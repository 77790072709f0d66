// A forwarder's RTMP publish framing (see forward_framing.hpp).
#include "worker/forward/forward_framing.hpp"

#include "base/log.hpp"
#include "proto/rtmp/message.hpp"
#include "worker/stream/rtmp_media.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

}  // namespace

void ForwardFraming::queue_start(const StartPack& pack, std::vector<uint8_t>& out) {
  auto queue = [&](uint8_t type, const std::vector<uint8_t>& body) {
    if (body.empty()) return;
    if (base::Status s = session_.send_media(type, 0, body, &out); !s.is_ok())
      LOG_ERROR("forward: chunking a %zu-byte start message failed: %s", body.size(),
                s.to_string().c_str());
  };
  queue(rtmp::kTypeDataAmf0, pack.metadata);
  queue(rtmp::kTypeVideo, pack.video);
  queue(rtmp::kTypeAudio, pack.audio);
}

base::Result<size_t> ForwardFraming::frame(const shm::RecordView& v, uint32_t timestamp,
                                           uint8_t* scratch, size_t scratch_len, iovec* iov,
                                           size_t iov_cap) {
  return session_.write_media(rtmp_type_of(v.type), timestamp, {v.payload, v.size}, {}, scratch,
                              scratch_len, iov, iov_cap);
}

}  // namespace srs::worker
