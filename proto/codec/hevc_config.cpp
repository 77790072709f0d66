// HEVCDecoderConfigurationRecord parse (ISO/IEC 14496-15 8.3.3.1.2).
#include "proto/codec/hevc_config.hpp"

#include "proto/codec/byte_cursor.hpp"

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr size_t kFixedSize = 23;  // every field before numOfArrays, plus it

// The 22 bytes before numOfArrays (8.3.3.1.2).
void read_fixed(std::span<const uint8_t> r, HevcConfig& cfg) noexcept {
  cfg.version = r[0];
  cfg.profile_space = r[1] >> 6;
  cfg.tier_flag = (r[1] >> 5) & 1;
  cfg.profile_idc = r[1] & 0x1f;
  cfg.profile_compatibility = base::load_be32(&r[2]);
  cfg.constraint_flags = (uint64_t{base::load_be16(&r[6])} << 32) | base::load_be32(&r[8]);
  cfg.level_idc = r[12];
  // r[13..14] min_spatial_segmentation_idc, r[15] parallelismType.
  cfg.chroma_format = r[16] & 0x03;
  cfg.bit_depth_luma = static_cast<uint8_t>((r[17] & 0x07) + 8);
  cfg.bit_depth_chroma = static_cast<uint8_t>((r[18] & 0x07) + 8);
  // r[19..20] avgFrameRate; r[21]: constantFrameRate(2) numTemporalLayers(3)
  // temporalIdNested(1) lengthSizeMinusOne(2).
  cfg.length_size = static_cast<uint8_t>((r[21] & 0x03) + 1);
}

// The slot list for one NAL type, or null for arrays this parser skips.
std::span<const uint8_t>* slots_for(HevcConfig& cfg, uint8_t type, uint8_t*& count) noexcept {
  switch (static_cast<HevcNaluType>(type)) {
    case HevcNaluType::kVps:
      count = &cfg.vps_count;
      return cfg.vps;
    case HevcNaluType::kSps:
      count = &cfg.sps_count;
      return cfg.sps;
    case HevcNaluType::kPps:
      count = &cfg.pps_count;
      return cfg.pps;
    default:
      count = nullptr;
      return nullptr;
  }
}

// One array: u1 array_completeness, u1 reserved, u6 NAL_unit_type, u16
// numNalus, then numNalus times { u16 nalUnitLength; nalUnit }.
Status read_array(ByteCursor& c, HevcConfig& cfg) noexcept {
  uint8_t type_byte;
  uint16_t nalus;
  if (!c.u8(type_byte) || !c.u16(nalus)) {
    return Status::fail(Errc::kInvalid, "HEVC config array truncated");
  }
  uint8_t* count;
  std::span<const uint8_t>* slots = slots_for(cfg, type_byte & 0x3f, count);
  for (uint16_t i = 0; i < nalus; ++i) {
    uint16_t size;
    std::span<const uint8_t> nalu;
    if (!c.u16(size) || !c.take(size, nalu)) {
      return Status::fail(Errc::kInvalid, "HEVC config NAL unit runs past the record");
    }
    if (size == 0) return Status::fail(Errc::kInvalid, "HEVC config has an empty NAL unit");
    if (!slots) continue;
    if (*count >= HevcConfig::kMaxSets) {
      return Status::fail(Errc::kUnsupported, "HEVC config has more than 16 VPS, SPS or PPS");
    }
    slots[(*count)++] = nalu;
  }
  return Status::ok();
}

}  // namespace

Result<HevcConfig> parse_hevc_config(std::span<const uint8_t> record) noexcept {
  if (record.size() < kFixedSize) {
    return Status::fail(Errc::kInvalid, "HEVC config shorter than its 23-byte header");
  }
  HevcConfig cfg;
  read_fixed(record, cfg);
  if (cfg.version != 1) return Status::fail(Errc::kInvalid, "HEVC config version is not 1");
  if (cfg.length_size == 3) {
    return Status::fail(Errc::kInvalid, "HEVC config lengthSizeMinusOne is 2");
  }
  ByteCursor c(record);
  uint8_t arrays;
  if (!c.skip(kFixedSize - 1) || !c.u8(arrays)) {
    return Status::fail(Errc::kInvalid, "HEVC config truncated");
  }
  for (uint8_t i = 0; i < arrays; ++i) {
    Status st = read_array(c, cfg);
    if (!st.is_ok()) return st;
  }
  return cfg;
}

}  // namespace srs::proto::codec
