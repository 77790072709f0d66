// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): what an RTMP/FLV
// AVC sequence header carries. Parse it (zero copy: parameter sets are spans
// into the input), build one from SPS + PPS, and name H.264 NAL unit types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

// ITU-T H.264 Table 7-1 nal_unit_type values a server cares about.
enum class AvcNaluType : uint8_t {
  kSlice = 1,
  kIdr = 5,
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAud = 9,
  kEndOfSequence = 10,
  kEndOfStream = 11,
  kFiller = 12,
  kSpsExtension = 13,
};

// nal_unit_type from the first byte of a NAL unit (H.264 7.3.1).
inline AvcNaluType avc_nalu_type(uint8_t first_byte) noexcept {
  return static_cast<AvcNaluType>(first_byte & 0x1f);
}
inline bool avc_is_idr(uint8_t first_byte) noexcept {
  return avc_nalu_type(first_byte) == AvcNaluType::kIdr;
}

struct AvcConfig {
  // 31 is the most a 5-bit numOfSequenceParameterSets can say; PPS counts are
  // 8-bit but real encoders send one, so more than kMaxPps is kUnsupported.
  static constexpr size_t kMaxSps = 31;
  static constexpr size_t kMaxPps = 32;

  uint8_t version = 0;  // configurationVersion, always 1
  uint8_t profile = 0;  // AVCProfileIndication (profile_idc)
  uint8_t compatibility = 0;
  uint8_t level = 0;        // AVCLevelIndication (level_idc)
  uint8_t length_size = 0;  // lengthSizeMinusOne + 1: 1, 2 or 4
  uint8_t sps_count = 0;
  uint8_t pps_count = 0;
  std::span<const uint8_t> sps[kMaxSps];
  std::span<const uint8_t> pps[kMaxPps];
};

// Parses an AVCDecoderConfigurationRecord. The spans in the result point into
// `record`. Errors: kInvalid (truncated, version != 1, empty parameter set,
// lengthSizeMinusOne == 2), kUnsupported (more than kMaxPps PPS).
[[nodiscard]] base::Result<AvcConfig> parse_avc_config(std::span<const uint8_t> record) noexcept;

// Builds a record with lengthSizeMinusOne = 3 from whole SPS and PPS NAL units
// (each starting with its NAL header byte); profile, compatibility and level
// come from the first SPS. Returns the bytes written to `out`.
[[nodiscard]] base::Result<size_t> build_avc_config(std::span<const std::span<const uint8_t>> sps,
                                                    std::span<const std::span<const uint8_t>> pps,
                                                    std::span<uint8_t> out) noexcept;

}  // namespace srs::proto::codec
