// H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1): the fields a server
// reports (profile, level, coded size after cropping), and their names.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

struct AvcSps {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;  // constraint_set0_flag is the top bit
  uint8_t level_idc = 0;
  uint32_t chroma_format_idc = 1;  // 4:2:0 unless a high profile says otherwise
  uint32_t bit_depth_luma = 8;
  bool frame_mbs_only = true;
  uint32_t width = 0;  // luma samples, after frame cropping
  uint32_t height = 0;
};

// Parses a whole SPS NAL unit (starting with its NAL header byte, nal_unit_type
// 7), emulation prevention bytes included. kInvalid on any truncated or
// out-of-range field; never reads past `nalu`.
[[nodiscard]] base::Result<AvcSps> parse_avc_sps(std::span<const uint8_t> nalu) noexcept;

// "Baseline", "Constrained Baseline", "Main", "Extended", "High", "High 10",
// "High 4:2:2", "High 4:4:4 Predictive", ... as ffprobe names them; "Unknown"
// otherwise.
const char* avc_profile_name(uint8_t profile_idc, uint8_t constraint_flags) noexcept;

// "1", "1b", "1.1", ... "6.2" (H.264 Table A-1); "Unknown" otherwise. Level 1b
// is level_idc 11 with constraint_set3 in Baseline/Main/Extended, or 9.
const char* avc_level_name(uint8_t level_idc, uint8_t profile_idc = 0,
                           uint8_t constraint_flags = 0) noexcept;

}  // namespace srs::proto::codec
