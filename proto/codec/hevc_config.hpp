// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): the E-RTMP `hvc1`
// SequenceStart payload (and the legacy codec id 12 sequence header). Parse
// it zero copy and name H.265 NAL unit types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

// ITU-T H.265 Table 7-1.
enum class HevcNaluType : uint8_t {
  kBlaWLp = 16,
  kBlaWRadl = 17,
  kBlaNLp = 18,
  kIdrWRadl = 19,
  kIdrNLp = 20,
  kCra = 21,
  kVps = 32,
  kSps = 33,
  kPps = 34,
  kAud = 35,
  kEndOfSequence = 36,
  kEndOfBitstream = 37,
  kFiller = 38,
  kPrefixSei = 39,
  kSuffixSei = 40,
};

// nal_unit_type from the first byte of the 2-byte NAL header (H.265 7.3.1.2).
inline HevcNaluType hevc_nalu_type(uint8_t first_byte) noexcept {
  return static_cast<HevcNaluType>((first_byte >> 1) & 0x3f);
}
// IRAP pictures (H.265 3.73): nal_unit_type 16..23, random access points.
inline bool hevc_is_irap(uint8_t first_byte) noexcept {
  uint8_t t = (first_byte >> 1) & 0x3f;
  return t >= 16 && t <= 23;
}

struct HevcConfig {
  static constexpr size_t kMaxSets = 16;  // per kind; more is kUnsupported

  uint8_t version = 0;
  uint8_t profile_space = 0;
  bool tier_flag = false;  // false: Main tier, true: High tier
  uint8_t profile_idc = 0;
  uint32_t profile_compatibility = 0;
  uint64_t constraint_flags = 0;  // 48 bits
  uint8_t level_idc = 0;          // general_level_idc = 30 * level
  uint8_t chroma_format = 0;
  uint8_t bit_depth_luma = 0;
  uint8_t bit_depth_chroma = 0;
  uint8_t length_size = 0;  // 1, 2 or 4
  uint8_t vps_count = 0;
  uint8_t sps_count = 0;
  uint8_t pps_count = 0;
  std::span<const uint8_t> vps[kMaxSets];
  std::span<const uint8_t> sps[kMaxSets];
  std::span<const uint8_t> pps[kMaxSets];
};

// Parses an HEVCDecoderConfigurationRecord; the spans point into `record`.
// Arrays of other NAL types (SEI) are validated and skipped. kInvalid on a
// truncated record, version != 1, an empty NAL unit or lengthSizeMinusOne 2.
[[nodiscard]] base::Result<HevcConfig> parse_hevc_config(std::span<const uint8_t> record) noexcept;

}  // namespace srs::proto::codec
