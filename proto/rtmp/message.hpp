// RTMP messages: the header every message carries, the message type ids, the
// conventional chunk stream ids, and the payloads of the protocol control
// messages (RTMP 1.0 section 5.4) and of the User Control events (section 6.2,
// 7.1.7). Pure functions on bytes; the chunk layer (chunk_reader, chunk_writer)
// carries these payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::rtmp {

// Message type ids (RTMP 1.0 sections 5.4 and 7.1).
inline constexpr uint8_t kTypeSetChunkSize = 1;
inline constexpr uint8_t kTypeAbort = 2;
inline constexpr uint8_t kTypeAck = 3;
inline constexpr uint8_t kTypeUserControl = 4;
inline constexpr uint8_t kTypeWindowAckSize = 5;
inline constexpr uint8_t kTypeSetPeerBandwidth = 6;
inline constexpr uint8_t kTypeAudio = 8;
inline constexpr uint8_t kTypeVideo = 9;
inline constexpr uint8_t kTypeDataAmf3 = 15;
inline constexpr uint8_t kTypeSharedObjectAmf3 = 16;
inline constexpr uint8_t kTypeCommandAmf3 = 17;
inline constexpr uint8_t kTypeDataAmf0 = 18;
inline constexpr uint8_t kTypeSharedObjectAmf0 = 19;
inline constexpr uint8_t kTypeCommandAmf0 = 20;
inline constexpr uint8_t kTypeAggregate = 22;

// Chunk stream ids. 2 is reserved for protocol control (RTMP 1.0 section 5.4);
// the others are the conventions of FMS and SRS, which every client accepts.
inline constexpr uint32_t kCsidProtocolControl = 2;
inline constexpr uint32_t kCsidOverConnection = 3;  // connect, createStream, _result
inline constexpr uint32_t kCsidOverConnection2 = 4;
inline constexpr uint32_t kCsidOverStream = 5;  // play, publish, onStatus
inline constexpr uint32_t kCsidVideo = 6;
inline constexpr uint32_t kCsidAudio = 7;
inline constexpr uint32_t kCsidOverStream2 = 8;
inline constexpr uint32_t kCsidMin = 2;
inline constexpr uint32_t kCsidMax = 65599;  // the 3-byte basic header form (section 5.3.1.1)

inline constexpr uint32_t kDefaultChunkSize = 128;       // section 5.4.1
inline constexpr uint32_t kMaxMessageLength = 0xFFFFFF;  // 3-byte length field, section 5.3.1.2.1

// The message header as the application sees it (RTMP 1.0 section 6.1.1):
// the timestamp is absolute (deltas and the extended field already applied)
// and wraps at 2^32 ms; the message stream id is the host value of the
// little-endian field.
struct MessageHeader {
  uint32_t timestamp = 0;
  uint32_t length = 0;
  uint8_t type_id = 0;
  uint32_t stream_id = 0;

  bool operator==(const MessageHeader&) const = default;
};

// A complete message. `payload` points into the buffer of whoever produced it
// (see ChunkReader::feed for how long it stays valid).
struct Message {
  MessageHeader header;
  uint32_t csid = 0;
  std::span<const uint8_t> payload;
};

inline bool is_protocol_control(uint8_t type_id) noexcept {
  return type_id == kTypeSetChunkSize || type_id == kTypeAbort || type_id == kTypeAck ||
         type_id == kTypeWindowAckSize || type_id == kTypeSetPeerBandwidth;
}

// Set Peer Bandwidth limit types (section 5.4.5).
enum class LimitType : uint8_t { kHard = 0, kSoft = 1, kDynamic = 2 };

// One protocol control message (types 1, 2, 3, 5, 6; section 5.4). `value` is
// the chunk size, the aborted csid, the sequence number or the window size.
struct ControlMessage {
  uint8_t type_id = 0;
  uint32_t value = 0;
  LimitType limit = LimitType::kHard;  // Set Peer Bandwidth only

  bool operator==(const ControlMessage&) const = default;
};

inline constexpr size_t kControlMaxPayload = 5;

ControlMessage make_set_chunk_size(uint32_t size) noexcept;
ControlMessage make_abort(uint32_t csid) noexcept;
ControlMessage make_ack(uint32_t sequence) noexcept;
ControlMessage make_window_ack_size(uint32_t window) noexcept;
ControlMessage make_set_peer_bandwidth(uint32_t window, LimitType limit) noexcept;

// Writes the payload into `out` (at least kControlMaxPayload bytes) and
// returns its length (4, or 5 for Set Peer Bandwidth; 0 for a type that is
// not protocol control).
size_t encode_control(const ControlMessage& msg, uint8_t* out) noexcept;

// Parses the payload of a protocol control message of type `type_id`. Set
// Chunk Size must have its top bit clear (section 5.4.1); its range against
// the configured bounds is the chunk reader's business.
[[nodiscard]] base::Result<ControlMessage> decode_control(
    uint8_t type_id, std::span<const uint8_t> payload) noexcept;

// User Control event types (RTMP 1.0 section 7.1.7).
enum class UserControlEvent : uint16_t {
  kStreamBegin = 0,
  kStreamEof = 1,
  kStreamDry = 2,
  kSetBufferLength = 3,
  kStreamIsRecorded = 4,
  kPingRequest = 6,
  kPingResponse = 7,
};

// One User Control message (type 4). `value` is the stream id for the stream
// events and the timestamp for PingRequest/PingResponse; `buffer_ms` is used
// by SetBufferLength only. Events this code does not know (FMS sends 0x1f,
// 0x20, SWF verification 0x1a, ...) decode with their raw type and value 0 or
// the first 4 data bytes, so a caller can ignore them without failing.
struct UserControl {
  uint16_t event = 0;
  uint32_t value = 0;
  uint32_t buffer_ms = 0;

  bool operator==(const UserControl&) const = default;
};

inline constexpr size_t kUserControlMaxPayload = 10;

UserControl make_user_control(UserControlEvent event, uint32_t value,
                              uint32_t buffer_ms = 0) noexcept;

// Writes the payload (6 bytes, 10 for SetBufferLength) into `out` (at least
// kUserControlMaxPayload bytes); returns its length.
size_t encode_user_control(const UserControl& msg, uint8_t* out) noexcept;

[[nodiscard]] base::Result<UserControl> decode_user_control(
    std::span<const uint8_t> payload) noexcept;

}  // namespace srs::proto::rtmp
