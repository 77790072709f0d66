// ChunkReader: turns the bytes of an RTMP chunk stream (after the handshake)
// into complete messages (RTMP 1.0 sections 5.3 and 5.4).
//
// A resumable state machine: feed() takes any slice of the TCP stream, keeps
// what it has not finished in the object, and stops after each complete
// message so the caller can handle it. Any split of the stream gives the same
// messages. It applies what changes the parsing itself (Set Chunk Size, Abort,
// Window Acknowledgement Size from the peer) and still hands every message,
// protocol control included, to the caller. Every resource is bounded by
// ChunkReaderLimits; bad input is an error for this one connection.
//
//   ChunkReader reader;
//   size_t used = 0;
//   while (len > 0) {
//     switch (reader.feed(data, len, &used)) {
//       case ReadResult::kMessage: handle(reader.message()); break;
//       case ReadResult::kNeedMore: break;                  // all of data was used
//       case ReadResult::kError: close(reader.error()); return;
//     }
//     data += used; len -= used;
//     if (reader.ack_due()) send_ack(reader.take_ack());
//   }
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.hpp"
#include "proto/rtmp/message.hpp"

namespace srs::proto::rtmp {

struct ChunkReaderLimits {
  uint32_t max_message_size = 16 * 1024 * 1024;  // the 24-bit length field allows 16 MiB - 1
  uint32_t max_chunk_size = 16 * 1024 * 1024;    // Set Chunk Size above this is an error
  size_t max_chunk_streams = 64;                 // distinct csids per connection
  size_t max_buffered_bytes = 32 * 1024 * 1024;  // all reassembly buffers together
};

enum class [[nodiscard]] ReadResult : unsigned char{
    kMessage,   // message() holds a complete message
    kNeedMore,  // every byte given was used; feed more
    kError,     // error() says why; the connection must be closed
};

class ChunkReader {
 public:
  explicit ChunkReader(const ChunkReaderLimits& limits = {}) noexcept;
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Uses bytes from `data` until one message is complete (kMessage), all
  // bytes are used (kNeedMore) or the stream is bad (kError). `*consumed`
  // is how many bytes of `data` were used. After kMessage, message() and its
  // payload stay valid until the next call to feed(), and as long as `data`
  // does: a message that came whole in one chunk points into `data` (no
  // copy), any other into the reader's own buffer.
  ReadResult feed(const uint8_t* data, size_t len, size_t* consumed) noexcept;

  const Message& message() const noexcept { return message_; }
  base::Status error() const noexcept { return error_; }
  // The csid of the chunk being parsed (for log lines about an error).
  uint32_t current_csid() const noexcept { return csid_; }
  // The chunk size the peer has set for its direction (section 5.4.1).
  uint32_t chunk_size() const noexcept { return chunk_size_; }

  // Acknowledgement accounting (section 5.4.3): every byte given to feed()
  // counts, as a 32-bit sequence number that wraps. The window is the one
  // the peer asked for with Window Acknowledgement Size (0: none yet).
  uint32_t bytes_received() const noexcept { return received_; }
  // Sets the count, e.g. to include the handshake bytes.
  void set_bytes_received(uint32_t count) noexcept { received_ = acked_ = count; }
  uint32_t peer_window() const noexcept { return window_; }
  bool ack_due() const noexcept { return window_ > 0 && received_ - acked_ >= window_; }
  // The sequence number to send in an Acknowledgement; resets ack_due().
  uint32_t take_ack() noexcept {
    acked_ = received_;
    return received_;
  }

 private:
  enum class Step : unsigned char { kMore, kMessage, kError, kReplay };
  enum class State : unsigned char { kHeader, kPayload };

  struct Stream {
    uint32_t csid = 0;
    MessageHeader header;      // the last message header, timestamp absolute
    uint32_t delta = 0;        // the timestamp delta a fmt-3 new message repeats
    uint32_t ext_value = 0;    // the last extended timestamp field read
    bool has_header = false;   // a fmt-0 header was seen
    bool extended = false;     // the last fmt 0-2 header used the extended field
    bool in_progress = false;  // a message is partly received
    uint32_t received = 0;     // payload bytes of the message in progress
    std::unique_ptr<uint8_t[]> buf;
    size_t cap = 0;
  };

  Step step(const uint8_t* p, size_t n, size_t* used) noexcept;
  Step read_header(const uint8_t* p, size_t n, size_t* used) noexcept;
  Step read_payload(const uint8_t* p, size_t n, size_t* used) noexcept;
  Step on_basic_header() noexcept;
  Step on_message_header() noexcept;
  Step on_header_complete() noexcept;
  Step start_message(Stream& s) noexcept;
  Step complete_message(Stream& s, const uint8_t* payload) noexcept;
  Step apply_control(const Message& msg) noexcept;
  Step fail(base::Errc code, const char* what) noexcept;
  Stream* find_or_add(uint32_t csid) noexcept;
  bool reserve(Stream& s, uint32_t len) noexcept;
  void push_replay(const uint8_t* p, size_t n) noexcept;

  ChunkReaderLimits limits_;
  std::vector<Stream> streams_;
  size_t buffered_ = 0;  // sum of the streams' buffer capacities
  uint32_t chunk_size_ = kDefaultChunkSize;

  // The chunk being parsed.
  State state_ = State::kHeader;
  std::array<uint8_t, 18> hdr_{};  // basic (3) + message (11) + extended (4) at most
  size_t hdr_len_ = 0;
  size_t hdr_need_ = 1;
  size_t basic_len_ = 0;
  uint8_t fmt_ = 0;
  uint32_t csid_ = 0;
  size_t stream_ = 0;        // index into streams_
  bool ext_peek_ = false;    // the 4 bytes may be a repeated extended timestamp or payload
  uint32_t chunk_left_ = 0;  // payload bytes left in this chunk

  // Bytes already counted as consumed that must be parsed again (the 4 bytes
  // a fmt-3 chunk did not repeat as an extended timestamp, section 5.3.1.3).
  std::array<uint8_t, 4> peeked_{};
  std::array<uint8_t, 8> replay_{};
  size_t replay_pos_ = 0;
  size_t replay_len_ = 0;

  Message message_;
  base::Status error_;
  bool failed_ = false;

  uint32_t received_ = 0;
  uint32_t acked_ = 0;
  uint32_t window_ = 0;
};

}  // namespace srs::proto::rtmp
