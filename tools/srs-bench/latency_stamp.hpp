// LatencyStamp: a publisher's send time carried inside an AVC video payload,
// so players of the same process can measure publish-to-receive delay through
// any server (servers forward RTMP/FLV payloads byte for byte).
//
// The stamp is one whole NAL unit placed first in an AVC NALU packet (FLV
// v10.1 E.4.3.1, AVCPacketType 1: 4-byte big-endian NALU lengths): an SEI
// (nal_unit_type 6) holding one user_data_unregistered message (ITU-T H.264
// D.1.7, payloadType 5) whose 16-byte UUID is kStampUuid and whose data is the
// CLOCK_MONOTONIC time in nanoseconds as nine 7-bit groups, each with its top
// bit set. No byte of the NAL unit is zero, so it never needs emulation
// prevention (H.264 7.4.1) and a real decoder skips it as an unknown SEI.
//
// Header-only so the unit tests (which link only libsrs.a) can use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/bytes.hpp"

namespace srs::tools::srs_bench {

inline constexpr uint8_t kStampUuid[16] = {0x73, 0x72, 0x73, 0x2d, 0x62, 0x65, 0x6e, 0x63,
                                           0x68, 0x2d, 0x6c, 0x61, 0x74, 0x65, 0x6e, 0x63};
inline constexpr size_t kStampTimeBytes = 9;  // 63 bits, 7 per byte
inline constexpr size_t kStampSeiPayload = sizeof kStampUuid + kStampTimeBytes;
// nal header (1) + payloadType (1) + payloadSize (1) + payload + rbsp trailing bits (1).
inline constexpr size_t kStampNaluSize = 3 + kStampSeiPayload + 1;
// What the stamp adds to an AVC NALU packet: the 4-byte length and the NAL unit.
inline constexpr size_t kStampSize = 4 + kStampNaluSize;
// An AVC video tag body starts with FrameType|CodecID, AVCPacketType, CompositionTime (E.4.3.1).
inline constexpr size_t kAvcVideoHeaderSize = 5;

// Writes kStampSize bytes at `out`. `ns` must be >= 0 (monotonic time).
inline void write_stamp(int64_t ns, uint8_t* out) noexcept {
  base::store_be32(out, static_cast<uint32_t>(kStampNaluSize));
  uint8_t* p = out + 4;
  *p++ = 0x06;  // forbidden_zero_bit 0, nal_ref_idc 0, nal_unit_type 6 (SEI)
  *p++ = 0x05;  // payloadType: user_data_unregistered
  *p++ = static_cast<uint8_t>(kStampSeiPayload);
  for (uint8_t b : kStampUuid) *p++ = b;
  auto v = static_cast<uint64_t>(ns);
  for (size_t i = 0; i < kStampTimeBytes; ++i) {
    size_t shift = 7 * (kStampTimeBytes - 1 - i);
    *p++ = static_cast<uint8_t>(0x80 | ((v >> shift) & 0x7f));
  }
  *p = 0x80;  // rbsp_stop_one_bit and alignment
}

// Reads a stamp from the start of AVC NALU data (length-prefixed units).
inline std::optional<int64_t> read_stamp(std::span<const uint8_t> nalus) noexcept {
  if (nalus.size() < kStampSize) return std::nullopt;
  const uint8_t* p = nalus.data();
  if (base::load_be32(p) != kStampNaluSize) return std::nullopt;
  p += 4;
  if (p[0] != 0x06 || p[1] != 0x05 || p[2] != kStampSeiPayload) return std::nullopt;
  p += 3;
  for (uint8_t b : kStampUuid) {
    if (*p++ != b) return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < kStampTimeBytes; ++i) {
    if ((p[i] & 0x80) == 0) return std::nullopt;
    v = (v << 7) | (p[i] & 0x7f);
  }
  return static_cast<int64_t>(v);
}

// True when a video tag body is a legacy AVC NALU packet (CodecID 7, AVCPacketType 1).
inline bool is_avc_nalu_packet(std::span<const uint8_t> body) noexcept {
  return body.size() >= kAvcVideoHeaderSize && (body[0] & 0x0f) == 7 && body[1] == 1;
}

// The stamp of a video tag body (or RTMP video message), when it has one.
inline std::optional<int64_t> find_video_stamp(std::span<const uint8_t> body) noexcept {
  if (!is_avc_nalu_packet(body)) return std::nullopt;
  return read_stamp(body.subspan(kAvcVideoHeaderSize));
}

}  // namespace srs::tools::srs_bench
