// H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1): profile, tier, level
// and the picture size after the conformance window, and their names.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

struct HevcSps {
  uint8_t profile_space = 0;
  bool tier_flag = false;
  uint8_t profile_idc = 0;
  uint32_t profile_compatibility = 0;
  uint8_t level_idc = 0;  // 30 * level
  uint32_t chroma_format_idc = 0;
  uint32_t bit_depth_luma = 8;
  uint32_t coded_width = 0;  // pic_width_in_luma_samples
  uint32_t coded_height = 0;
  uint32_t width = 0;  // after the conformance window
  uint32_t height = 0;
};

// Parses a whole SPS NAL unit (2-byte NAL header first, nal_unit_type 33).
[[nodiscard]] base::Result<HevcSps> parse_hevc_sps(std::span<const uint8_t> nalu) noexcept;

// "Main", "Main 10", "Main Still Picture", "Rext", "SCC" (as ffprobe names
// them); falls back on the first compatibility flag set; "Unknown" otherwise.
const char* hevc_profile_name(uint8_t profile_idc, uint32_t compatibility_flags) noexcept;
// general_level_idc / 30: "1", "2", "2.1", "3", "3.1", ... "6.2"; "Unknown" otherwise.
const char* hevc_level_name(uint8_t level_idc) noexcept;

}  // namespace srs::proto::codec
