// Protocol control (RTMP 1.0 section 5.4) and User Control (section 7.1.7)
// payloads: encoders and decoders.
#include "proto/rtmp/message.hpp"

#include "base/bytes.hpp"

namespace srs::proto::rtmp {

using base::Errc;
using base::Status;

ControlMessage make_set_chunk_size(uint32_t size) noexcept {
  return {kTypeSetChunkSize, size};
}
ControlMessage make_abort(uint32_t csid) noexcept {
  return {kTypeAbort, csid};
}
ControlMessage make_ack(uint32_t sequence) noexcept {
  return {kTypeAck, sequence};
}
ControlMessage make_window_ack_size(uint32_t window) noexcept {
  return {kTypeWindowAckSize, window};
}
ControlMessage make_set_peer_bandwidth(uint32_t window, LimitType limit) noexcept {
  return {kTypeSetPeerBandwidth, window, limit};
}

size_t encode_control(const ControlMessage& msg, uint8_t* out) noexcept {
  if (!is_protocol_control(msg.type_id)) return 0;
  uint32_t value = msg.value;
  // Section 5.4.1: the top bit of Set Chunk Size must be zero.
  if (msg.type_id == kTypeSetChunkSize) value &= 0x7FFFFFFF;
  base::store_be32(out, value);
  if (msg.type_id != kTypeSetPeerBandwidth) return 4;
  out[4] = static_cast<uint8_t>(msg.limit);  // section 5.4.5
  return 5;
}

base::Result<ControlMessage> decode_control(uint8_t type_id,
                                            std::span<const uint8_t> payload) noexcept {
  if (!is_protocol_control(type_id)) {
    return Status::fail(Errc::kInvalid, "not a protocol control message type");
  }
  size_t need = type_id == kTypeSetPeerBandwidth ? 5 : 4;
  if (payload.size() < need) {
    return Status::fail(Errc::kInvalid, "protocol control message too short");
  }
  ControlMessage msg{type_id, base::load_be32(payload.data())};
  if (type_id == kTypeSetChunkSize && (msg.value & 0x80000000u) != 0) {
    return Status::fail(Errc::kInvalid, "set chunk size with the top bit set (RTMP 1.0 5.4.1)");
  }
  if (type_id != kTypeSetPeerBandwidth) return msg;
  if (payload[4] > 2) {
    return Status::fail(Errc::kInvalid, "set peer bandwidth limit type not 0, 1 or 2");
  }
  msg.limit = static_cast<LimitType>(payload[4]);
  return msg;
}

UserControl make_user_control(UserControlEvent event, uint32_t value, uint32_t buffer_ms) noexcept {
  return {static_cast<uint16_t>(event), value, buffer_ms};
}

size_t encode_user_control(const UserControl& msg, uint8_t* out) noexcept {
  // Section 7.1.7: 2-byte event type, then the event data.
  base::store_be16(out, msg.event);
  base::store_be32(out + 2, msg.value);
  if (msg.event != static_cast<uint16_t>(UserControlEvent::kSetBufferLength)) return 6;
  base::store_be32(out + 6, msg.buffer_ms);
  return 10;
}

base::Result<UserControl> decode_user_control(std::span<const uint8_t> payload) noexcept {
  if (payload.size() < 2) return Status::fail(Errc::kInvalid, "user control message too short");
  UserControl msg;
  msg.event = base::load_be16(payload.data());
  bool known = msg.event <= 7 && msg.event != 5;
  if (payload.size() < 6) {
    if (known) return Status::fail(Errc::kInvalid, "user control event data too short");
    return msg;
  }
  msg.value = base::load_be32(payload.data() + 2);
  if (msg.event != static_cast<uint16_t>(UserControlEvent::kSetBufferLength)) return msg;
  if (payload.size() < 10) {
    return Status::fail(Errc::kInvalid, "SetBufferLength event data too short (RTMP 1.0 7.1.7)");
  }
  msg.buffer_ms = base::load_be32(payload.data() + 6);
  return msg;
}

}  // namespace srs::proto::rtmp
