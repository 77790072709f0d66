// FlvFraming: a ring player's messages as FLV tags (FLV 10.1 annex E.4.1):
// an 11-byte tag header and the 4-byte PreviousTagSize around the body,
// which goes straight from the ring (three iovecs).
//
// The HTTP response head and the 13-byte FLV file start are queued with the
// first start pack, i.e. once the player attached to a live stream: a
// request that waits for its publisher has received nothing yet, so the
// connection can still answer 404 when the wait expires. FLV has no end
// marker: the connection closes.
#pragma once

#include <string>

#include "worker/stream/framing.hpp"

namespace srs::worker {

class FlvFraming final : public Framing {
 public:
  // `head` is the HTTP response head sent before the FLV bytes.
  explicit FlvFraming(std::string head) : head_(std::move(head)) {}

  void queue_start(const StartPack& pack, std::vector<uint8_t>& out) override;
  size_t header_space(uint32_t length) const override;
  size_t iovec_space(uint32_t length) const override;
  base::Result<size_t> frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                             size_t scratch_len, iovec* iov, size_t iov_cap) override;

 private:
  void queue_head(const StartPack& pack, std::vector<uint8_t>& out);

  std::string head_;
  bool started_ = false;
};

}  // namespace srs::worker
