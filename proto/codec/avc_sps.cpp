// H.264 sequence parameter set parse (ITU-T H.264 7.3.2.1.1) and names.
#include "proto/codec/avc_sps.hpp"

#include "proto/codec/bit_reader.hpp"

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kTruncated = Status::fail(Errc::kInvalid, "H.264 SPS truncated or corrupt");
// 8192 macroblocks = 131072 samples a side, far above level 6.2's limits.
constexpr uint32_t kMaxMbs = 8192;

// H.264 7.3.2.1.1: the profiles that carry chroma_format_idc and scaling lists.
bool has_chroma_info(uint8_t profile_idc) noexcept {
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

// H.264 7.3.2.1.1.1 scaling_list(): only the deltas are read, to skip it.
bool skip_scaling_list(BitReader& br, unsigned size) noexcept {
  int32_t last = 8, next = 8;
  for (unsigned j = 0; j < size; ++j) {
    if (next != 0) {
      int32_t delta;
      if (!br.read_se(delta) || delta < -128 || delta > 127) return false;
      next = (last + delta + 256) % 256;
    }
    last = next == 0 ? last : next;
  }
  return true;
}

bool read_chroma_info(BitReader& br, AvcSps& sps) noexcept {
  uint32_t luma_minus8, chroma_minus8;
  if (!br.read_ue(sps.chroma_format_idc) || sps.chroma_format_idc > 3) return false;
  bool separate_colour_plane = false;
  if (sps.chroma_format_idc == 3 && !br.read_flag(separate_colour_plane)) return false;
  if (!br.read_ue(luma_minus8) || luma_minus8 > 6) return false;
  if (!br.read_ue(chroma_minus8) || chroma_minus8 > 6) return false;
  sps.bit_depth_luma = luma_minus8 + 8;
  bool bypass, scaling_present;
  if (!br.read_flag(bypass) || !br.read_flag(scaling_present)) return false;
  unsigned lists = !scaling_present ? 0 : sps.chroma_format_idc == 3 ? 12 : 8;
  for (unsigned i = 0; i < lists; ++i) {
    bool present;
    if (!br.read_flag(present)) return false;
    if (present && !skip_scaling_list(br, i < 6 ? 16 : 64)) return false;
  }
  // ChromaArrayType (7.4.2.1.1) is 0 with separate colour planes: crop as 4:0:0.
  if (separate_colour_plane) sps.chroma_format_idc = 0;
  return true;
}

bool skip_pic_order_cnt(BitReader& br) noexcept {
  uint32_t type, v;
  int32_t s;
  if (!br.read_ue(v) || v > 12) return false;  // log2_max_frame_num_minus4
  if (!br.read_ue(type) || type > 2) return false;
  if (type == 0) return br.read_ue(v) && v <= 12;  // log2_max_pic_order_cnt_lsb_minus4
  if (type == 2) return true;
  bool always_zero;
  uint32_t cycle;
  if (!br.read_flag(always_zero) || !br.read_se(s) || !br.read_se(s)) return false;
  if (!br.read_ue(cycle) || cycle > 255) return false;
  for (uint32_t i = 0; i < cycle; ++i) {
    if (!br.read_se(s)) return false;
  }
  return true;
}

// H.264 7.4.2.1.1, equations 7-19..7-22: the cropped frame size.
bool read_size(BitReader& br, AvcSps& sps) noexcept {
  uint32_t width_mbs_minus1, height_units_minus1, crop[4] = {0, 0, 0, 0};
  bool adaptive, direct8x8, cropping;
  if (!br.read_ue(width_mbs_minus1) || width_mbs_minus1 >= kMaxMbs) return false;
  if (!br.read_ue(height_units_minus1) || height_units_minus1 >= kMaxMbs) return false;
  if (!br.read_flag(sps.frame_mbs_only)) return false;
  if (!sps.frame_mbs_only && !br.read_flag(adaptive)) return false;
  if (!br.read_flag(direct8x8) || !br.read_flag(cropping)) return false;
  for (int i = 0; cropping && i < 4; ++i) {
    if (!br.read_ue(crop[i]) || crop[i] > kMaxMbs * 16) return false;
  }
  uint32_t frame_factor = sps.frame_mbs_only ? 1 : 2;
  uint32_t unit_x = 1, unit_y = frame_factor;
  if (sps.chroma_format_idc != 0) {
    unit_x = sps.chroma_format_idc == 3 ? 1 : 2;                   // SubWidthC
    unit_y = (sps.chroma_format_idc == 1 ? 2 : 1) * frame_factor;  // SubHeightC * (2 - f)
  }
  uint32_t coded_w = (width_mbs_minus1 + 1) * 16;
  uint32_t coded_h = (height_units_minus1 + 1) * 16 * frame_factor;
  uint32_t crop_w = (crop[0] + crop[1]) * unit_x, crop_h = (crop[2] + crop[3]) * unit_y;
  if (crop_w >= coded_w || crop_h >= coded_h) return false;
  sps.width = coded_w - crop_w;
  sps.height = coded_h - crop_h;
  return true;
}

}  // namespace

Result<AvcSps> parse_avc_sps(std::span<const uint8_t> nalu) noexcept {
  if (nalu.size() < 4) return Status::fail(Errc::kInvalid, "H.264 SPS shorter than 4 bytes");
  if ((nalu[0] & 0x1f) != 7) return Status::fail(Errc::kInvalid, "NAL unit is not an H.264 SPS");
  AvcSps sps;
  sps.profile_idc = nalu[1];
  sps.constraint_flags = nalu[2];
  sps.level_idc = nalu[3];
  BitReader br(nalu.data() + 4, nalu.size() - 4);
  uint32_t sps_id, max_ref_frames;
  bool gaps;
  if (!br.read_ue(sps_id) || sps_id > 31) return kTruncated;
  if (has_chroma_info(sps.profile_idc) && !read_chroma_info(br, sps)) return kTruncated;
  if (!skip_pic_order_cnt(br)) return kTruncated;
  if (!br.read_ue(max_ref_frames) || !br.read_flag(gaps)) return kTruncated;
  if (!read_size(br, sps)) return kTruncated;
  return sps;  // VUI is not needed for what a server reports
}

// Names as libavcodec's profiles table gives them (what ffprobe prints).
const char* avc_profile_name(uint8_t profile_idc, uint8_t constraint_flags) noexcept {
  bool set1 = constraint_flags & 0x40, set3 = constraint_flags & 0x10;
  switch (profile_idc) {
    case 66:
      return set1 ? "Constrained Baseline" : "Baseline";
    case 77:
      return "Main";
    case 88:
      return "Extended";
    case 100:
      return "High";
    case 110:
      return set3 ? "High 10 Intra" : "High 10";
    case 122:
      return set3 ? "High 4:2:2 Intra" : "High 4:2:2";
    case 244:
      return set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
    case 44:
      return "CAVLC 4:4:4";
    default:
      return "Unknown";
  }
}

const char* avc_level_name(uint8_t level_idc, uint8_t profile_idc,
                           uint8_t constraint_flags) noexcept {
  bool low_profile = profile_idc == 66 || profile_idc == 77 || profile_idc == 88;
  if (level_idc == 9 || (level_idc == 11 && low_profile && (constraint_flags & 0x10))) return "1b";
  switch (level_idc) {
    case 10:
      return "1";
    case 11:
      return "1.1";
    case 12:
      return "1.2";
    case 13:
      return "1.3";
    case 20:
      return "2";
    case 21:
      return "2.1";
    case 22:
      return "2.2";
    case 30:
      return "3";
    case 31:
      return "3.1";
    case 32:
      return "3.2";
    case 40:
      return "4";
    case 41:
      return "4.1";
    case 42:
      return "4.2";
    case 50:
      return "5";
    case 51:
      return "5.1";
    case 52:
      return "5.2";
    case 60:
      return "6";
    case 61:
      return "6.1";
    case 62:
      return "6.2";
    default:
      return "Unknown";
  }
}

}  // namespace srs::proto::codec
