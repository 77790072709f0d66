// ChunkWriter: the sending half of the RTMP chunk stream (RTMP 1.0 section
// 5.3). On the hot path it writes only chunk headers, into scratch space the
// caller owns, and fills an iovec array that interleaves them with the
// payload where it already lives (a shared-memory ring, possibly wrapped in
// two pieces), so one writev() sends the message without copying it:
//
//   header(fmt 0-2) payload[0, cs) header(fmt 3) payload[cs, 2cs) ...
//
// It keeps, per chunk stream, the last header sent so it can compress the
// next one (fmt 1, 2 or 3, section 5.3.1.2). Cold-path helpers append whole
// small messages (control messages, command replies) to a byte vector.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.hpp"
#include "proto/rtmp/message.hpp"

namespace srs::proto::rtmp {

class ChunkWriter {
 public:
  // Basic header (3) + fmt-0 message header (11) + extended timestamp (4).
  static constexpr size_t kMaxFirstHeader = 18;
  // Basic header (3) + extended timestamp (4) on a fmt-3 continuation.
  static constexpr size_t kMaxContinuationHeader = 7;

  ChunkWriter() = default;

  // The chunk size of our direction. Call it after queueing the Set Chunk
  // Size message that announces it (which is small enough for one chunk at
  // any size). Values outside 1..0x7FFFFFFF are clamped into that range.
  void set_chunk_size(uint32_t size) noexcept;
  uint32_t chunk_size() const noexcept { return chunk_size_; }

  // Chunks a message of `length` bytes takes (at least 1).
  uint32_t chunk_count(uint32_t length) const noexcept;
  // Header scratch bytes write() may need for a message of `length` bytes.
  size_t header_space(uint32_t length) const noexcept;
  // iovec entries write() may need: a header and a payload piece per chunk,
  // plus one where the payload wraps from the first span to the second.
  size_t iovec_space(uint32_t length) const noexcept;

  // Fills `iov` with the chunks of one message whose payload is `first`
  // followed by `second` (empty unless the payload wraps); their total size
  // must equal header.length. Chunk headers are written into `scratch`.
  // Returns the number of iovec entries used; `*header_used` (if given) is
  // how many scratch bytes the headers took, so several messages can share
  // one scratch area. Never allocates, except the first time a csid is used.
  // csid must be 2..65599.
  [[nodiscard]] base::Result<size_t> write(uint32_t csid, const MessageHeader& header,
                                           std::span<const uint8_t> first,
                                           std::span<const uint8_t> second, uint8_t* scratch,
                                           size_t scratch_len, struct iovec* iov, size_t iov_cap,
                                           size_t* header_used = nullptr) noexcept;

  // Cold path: appends the whole chunked message to `out`.
  [[nodiscard]] base::Status append(uint32_t csid, const MessageHeader& header,
                                    std::span<const uint8_t> payload, std::vector<uint8_t>* out);
  // Protocol control on csid 2, message stream 0, timestamp 0 (section 5.4).
  [[nodiscard]] base::Status append_control(const ControlMessage& msg, std::vector<uint8_t>* out);
  // User Control on csid 2, message stream 0 (section 6.2).
  [[nodiscard]] base::Status append_user_control(const UserControl& msg, std::vector<uint8_t>* out);

  // Forgets the last header sent on `csid`: the next message there is fmt 0
  // (after an Abort, or to resynchronise a player).
  void forget(uint32_t csid) noexcept;

 private:
  struct Stream {
    uint32_t csid = 0;
    MessageHeader last;
    bool has_last = false;
    uint32_t delta = 0;
    bool delta_known = false;  // the last header put its delta on the wire (fmt 1 or 2)
  };

  Stream* find_or_add(uint32_t csid);
  // Writes the first chunk's header for `h` and updates the stream's state.
  // Returns its size; *extended tells whether continuations repeat `*ext`.
  size_t first_header(Stream& s, const MessageHeader& h, uint8_t* out, bool* extended,
                      uint32_t* ext) noexcept;

  uint32_t chunk_size_ = kDefaultChunkSize;
  std::vector<Stream> streams_;
};

// Writes a basic header (section 5.3.1.1) for fmt and csid; returns 1, 2 or 3.
size_t write_basic_header(uint8_t fmt, uint32_t csid, uint8_t* out) noexcept;

}  // namespace srs::proto::rtmp
