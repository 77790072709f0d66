// RtmpPlayer: a RingPlayer that frames each message as RTMP chunks on the
// connection's ChunkWriter (message stream 1, audio on csid 7, video on 6,
// data on 8) and tells the player NetStream.Play.UnpublishNotify when the
// stream ends for good (never before: ffmpeg and rtmpdump hang up on it).
#pragma once

#include <string>

#include "worker/stream/ring_player.hpp"

namespace srs::worker {

class RtmpConn;

class RtmpPlayer final : public RingPlayer {
 public:
  RtmpPlayer(Services& svc, RtmpConn& conn, std::string key, const conf::VhostConfig& vhost,
             uint32_t stream_id)
      : RingPlayer(svc, std::move(key), vhost), conn_(conn), stream_id_(stream_id) {}

 protected:
  int fd() const override;
  bool closing() const override;
  void close(const std::string& why) override;
  void want_write() override;
  void count_out(size_t bytes) override;
  bool flush_control() override;
  void queue_start_pack(const StartPack& pack) override;
  size_t header_space(uint32_t length) const override;
  size_t iovec_space(uint32_t length) const override;
  base::Result<size_t> frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                             size_t scratch_len, iovec* iov, size_t iov_cap) override;
  void notify_end() override;
  void reset_framing() override;

 private:
  RtmpConn& conn_;
  uint32_t stream_id_;
};

}  // namespace srs::worker
