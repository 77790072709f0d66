// ForwardFraming: a forwarder's messages as the RTMP chunks of a publish,
// on proto's ClientSession (the chunk streams it opened for the publish
// command carry the media too). The start pack goes first after every
// (re)connect and every jump: metadata, then the video and audio sequence
// headers; then the ring player sends the latest keyframe and what follows.
// Nothing is sent at the end: the forwarder closes the connection, which
// every server takes as the end of the publish.
#pragma once

#include "proto/rtmp/client_session.hpp"
#include "worker/stream/framing.hpp"

namespace srs::worker {

class ForwardFraming final : public Framing {
 public:
  explicit ForwardFraming(proto::rtmp::ClientSession& session) : session_(session) {}

  void queue_start(const StartPack& pack, std::vector<uint8_t>& out) override;
  size_t header_space(uint32_t length) const override { return session_.header_space(length); }
  size_t iovec_space(uint32_t length) const override { return session_.iovec_space(length); }
  base::Result<size_t> frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                             size_t scratch_len, iovec* iov, size_t iov_cap) override;
  void reset() override { session_.forget_media_headers(); }

 private:
  proto::rtmp::ClientSession& session_;
};

}  // namespace srs::worker
