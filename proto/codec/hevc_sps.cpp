// H.265 sequence parameter set parse (ITU-T H.265 7.3.2.2.1, 7.3.3) and names.
#include "proto/codec/hevc_sps.hpp"

#include "proto/codec/bit_reader.hpp"

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kCorrupt = Status::fail(Errc::kInvalid, "H.265 SPS truncated or corrupt");
constexpr uint32_t kMaxSide = 65536;

// H.265 7.3.3 profile_tier_level(1, sps_max_sub_layers_minus1).
bool read_profile_tier_level(BitReader& br, unsigned max_sub_layers_minus1, HevcSps& sps) noexcept {
  uint32_t v;
  if (!br.read_bits(2, v)) return false;
  sps.profile_space = static_cast<uint8_t>(v);
  if (!br.read_flag(sps.tier_flag) || !br.read_bits(5, v)) return false;
  sps.profile_idc = static_cast<uint8_t>(v);
  if (!br.read_bits(32, sps.profile_compatibility)) return false;
  // progressive, interlaced, non_packed, frame_only + 43 reserved/constraint + 1.
  if (!br.skip_bits(48) || !br.read_bits(8, v)) return false;
  sps.level_idc = static_cast<uint8_t>(v);
  bool profile_present[8] = {}, level_present[8] = {};
  for (unsigned i = 0; i < max_sub_layers_minus1; ++i) {
    if (!br.read_flag(profile_present[i]) || !br.read_flag(level_present[i])) return false;
  }
  if (max_sub_layers_minus1 > 0 && !br.skip_bits(2 * (8 - max_sub_layers_minus1))) return false;
  for (unsigned i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i] && !br.skip_bits(88)) return false;
    if (level_present[i] && !br.skip_bits(8)) return false;
  }
  return true;
}

// H.265 7.4.3.2.1: the conformance window is in chroma units (Table 6-1).
bool read_size(BitReader& br, HevcSps& sps) noexcept {
  bool separate_colour_plane = false, window;
  if (!br.read_ue(sps.chroma_format_idc) || sps.chroma_format_idc > 3) return false;
  if (sps.chroma_format_idc == 3 && !br.read_flag(separate_colour_plane)) return false;
  if (!br.read_ue(sps.coded_width) || sps.coded_width == 0 || sps.coded_width > kMaxSide) {
    return false;
  }
  if (!br.read_ue(sps.coded_height) || sps.coded_height == 0 || sps.coded_height > kMaxSide) {
    return false;
  }
  if (!br.read_flag(window)) return false;
  uint32_t win[4] = {0, 0, 0, 0};  // left, right, top, bottom
  for (int i = 0; window && i < 4; ++i) {
    if (!br.read_ue(win[i]) || win[i] > kMaxSide) return false;
  }
  uint32_t sub_w = 1, sub_h = 1;
  if (!separate_colour_plane && (sps.chroma_format_idc == 1 || sps.chroma_format_idc == 2)) {
    sub_w = 2;
  }
  if (!separate_colour_plane && sps.chroma_format_idc == 1) sub_h = 2;
  uint32_t crop_w = sub_w * (win[0] + win[1]), crop_h = sub_h * (win[2] + win[3]);
  if (crop_w >= sps.coded_width || crop_h >= sps.coded_height) return false;
  sps.width = sps.coded_width - crop_w;
  sps.height = sps.coded_height - crop_h;
  uint32_t luma_minus8;
  if (!br.read_ue(luma_minus8) || luma_minus8 > 8) return false;
  sps.bit_depth_luma = luma_minus8 + 8;
  return true;
}

}  // namespace

Result<HevcSps> parse_hevc_sps(std::span<const uint8_t> nalu) noexcept {
  if (nalu.size() < 3) return Status::fail(Errc::kInvalid, "H.265 SPS shorter than 3 bytes");
  if (((nalu[0] >> 1) & 0x3f) != 33) {
    return Status::fail(Errc::kInvalid, "NAL unit is not an H.265 SPS");
  }
  HevcSps sps;
  BitReader br(nalu.data() + 2, nalu.size() - 2);
  uint32_t vps_id, max_sub_layers_minus1, nesting, sps_id;
  if (!br.read_bits(4, vps_id) || !br.read_bits(3, max_sub_layers_minus1) ||
      !br.read_bits(1, nesting)) {
    return kCorrupt;
  }
  if (max_sub_layers_minus1 > 6) return kCorrupt;
  if (!read_profile_tier_level(br, max_sub_layers_minus1, sps)) return kCorrupt;
  if (!br.read_ue(sps_id) || sps_id > 15) return kCorrupt;
  if (!read_size(br, sps)) return kCorrupt;
  return sps;
}

const char* hevc_profile_name(uint8_t profile_idc, uint32_t compatibility_flags) noexcept {
  // A7.3: general_profile_compatibility_flag[j] is bit 31 - j of the 32 bits.
  for (unsigned j = 0; profile_idc == 0 && j < 32; ++j) {
    if (compatibility_flags & (0x80000000u >> j)) profile_idc = static_cast<uint8_t>(j);
  }
  switch (profile_idc) {
    case 1:
      return "Main";
    case 2:
      return "Main 10";
    case 3:
      return "Main Still Picture";
    case 4:
      return "Rext";
    case 9:
      return "SCC";
    default:
      return "Unknown";
  }
}

const char* hevc_level_name(uint8_t level_idc) noexcept {
  switch (level_idc) {
    case 30:
      return "1";
    case 60:
      return "2";
    case 63:
      return "2.1";
    case 90:
      return "3";
    case 93:
      return "3.1";
    case 120:
      return "4";
    case 123:
      return "4.1";
    case 150:
      return "5";
    case 153:
      return "5.1";
    case 156:
      return "5.2";
    case 180:
      return "6";
    case 183:
      return "6.1";
    case 186:
      return "6.2";
    default:
      return "Unknown";
  }
}

}  // namespace srs::proto::codec
