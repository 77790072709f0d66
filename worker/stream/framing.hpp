// Framing: how one kind of player wraps the ring's messages for its wire,
// apart from the cursor that reads them (stream_cursor.hpp) and the socket
// that sends them (net/socket_conn.hpp). RTMP chunks (rtmp/rtmp_framing),
// FLV tags (http/flv_framing); later a forwarder's RTMP publish.
//
// Media is framed in place: frame() writes a message's headers into scratch
// space and points iovecs at those headers and at the payload in the shared
// mapping, so the payload's only copy is the kernel's. What is not media
// (the start pack, the end of the stream) is queued as bytes into the
// connection's output, which goes out before the next media.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.hpp"
#include "shm/ring_reader.hpp"
#include "worker/stream/start_pack.hpp"

namespace srs::worker {

class Framing {
 public:
  virtual ~Framing() = default;
  // The metadata and sequence headers a player gets first (and again after
  // a jump), each with timestamp 0.
  virtual void queue_start(const StartPack& pack, std::vector<uint8_t>& out) = 0;
  // Bytes of scratch space and iovecs one message of `length` payload bytes
  // may need at most.
  virtual size_t header_space(uint32_t length) const = 0;
  virtual size_t iovec_space(uint32_t length) const = 0;
  // Frames `v` with `timestamp`; returns the iovecs used.
  virtual base::Result<size_t> frame(const shm::RecordView& v, uint32_t timestamp, uint8_t* scratch,
                                     size_t scratch_len, iovec* iov, size_t iov_cap) = 0;
  // Messages framed but never sent were dropped (a skip): the next message
  // of each kind must not be framed relative to them (RTMP: fmt 0 again).
  virtual void reset() {}
  // The stream ended for good: what the protocol tells the player, if anything.
  virtual void queue_end(std::vector<uint8_t>& out) { (void)out; }
};

}  // namespace srs::worker
