// HttpFlvPlayer: a RingPlayer that frames each message as an FLV tag (FLV
// v10.1 annex E.4.1): an 11-byte tag header and the 4-byte PreviousTagSize
// around the body, which goes straight from the ring (three iovecs).
//
// The HTTP response head and the 13-byte FLV file start are queued with the
// first start pack, i.e. once the player attached to a live stream: a
// request that waits for its publisher has received nothing yet, so the
// connection can still answer 404 when the wait expires.
#pragma once

#include <string>

#include "worker/stream/ring_player.hpp"

namespace srs::worker {

class HttpConn;

class HttpFlvPlayer final : public RingPlayer {
 public:
  // `head` is the HTTP response head sent before the FLV bytes.
  HttpFlvPlayer(Services& svc, HttpConn& conn, std::string key, const conf::VhostConfig& vhost,
                std::string head)
      : RingPlayer(svc, std::move(key), vhost), conn_(conn), head_(std::move(head)) {}

  // True once attached to the live stream (the response has begun).
  bool started() const { return started_; }

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
  void notify_end() override {}  // FLV has no end marker: the connection closes

 private:
  void queue_tag(shm::RecordType type, uint32_t timestamp, const std::vector<uint8_t>& body);

  HttpConn& conn_;
  std::string head_;
  bool started_ = false;
};

}  // namespace srs::worker
