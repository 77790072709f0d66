// AVCDecoderConfigurationRecord parse and build (ISO/IEC 14496-15 5.3.3.1).
#include "proto/codec/avc_config.hpp"

#include <cstring>

#include "base/bytes.hpp"
#include "proto/codec/byte_cursor.hpp"

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

namespace {

// 14496-15: for (i = 0; i < num; i++) { u16 length; bytes NALUnit }
Status read_parameter_sets(ByteCursor& c, size_t count, std::span<const uint8_t>* out) noexcept {
  for (size_t i = 0; i < count; ++i) {
    uint16_t size;
    if (!c.u16(size)) {
      return Status::fail(Errc::kInvalid, "AVC config truncated in a parameter set");
    }
    if (size == 0) return Status::fail(Errc::kInvalid, "AVC config has an empty parameter set");
    if (!c.take(size, out[i])) {
      return Status::fail(Errc::kInvalid, "AVC config parameter set runs past the record");
    }
  }
  return Status::ok();
}

}  // namespace

Result<AvcConfig> parse_avc_config(std::span<const uint8_t> record) noexcept {
  AvcConfig cfg;
  ByteCursor c(record);
  uint8_t length_byte, sps_byte;
  if (!c.u8(cfg.version) || !c.u8(cfg.profile) || !c.u8(cfg.compatibility) || !c.u8(cfg.level) ||
      !c.u8(length_byte) || !c.u8(sps_byte)) {
    return Status::fail(Errc::kInvalid, "AVC config shorter than its 6-byte header");
  }
  if (cfg.version != 1) return Status::fail(Errc::kInvalid, "AVC config version is not 1");
  // bit(6) reserved = '111111'b; unsigned int(2) lengthSizeMinusOne (0, 1 or 3).
  unsigned length_minus_one = length_byte & 0x03;
  if (length_minus_one == 2) {
    return Status::fail(Errc::kInvalid, "AVC config lengthSizeMinusOne is 2");
  }
  cfg.length_size = static_cast<uint8_t>(length_minus_one + 1);
  // bit(3) reserved = '111'b; unsigned int(5) numOfSequenceParameterSets.
  cfg.sps_count = sps_byte & 0x1f;
  Status st = read_parameter_sets(c, cfg.sps_count, cfg.sps);
  if (!st.is_ok()) return st;
  uint8_t pps_count;
  if (!c.u8(pps_count)) return Status::fail(Errc::kInvalid, "AVC config truncated before numOfPPS");
  if (pps_count > AvcConfig::kMaxPps) {
    return Status::fail(Errc::kUnsupported, "AVC config has more than 32 PPS");
  }
  cfg.pps_count = pps_count;
  st = read_parameter_sets(c, cfg.pps_count, cfg.pps);
  if (!st.is_ok()) return st;
  // High profiles may append chroma_format etc.; the SPS says the same, so the
  // trailing bytes are not needed here.
  return cfg;
}

Result<size_t> build_avc_config(std::span<const std::span<const uint8_t>> sps,
                                std::span<const std::span<const uint8_t>> pps,
                                std::span<uint8_t> out) noexcept {
  if (sps.empty() || sps.size() > AvcConfig::kMaxSps || pps.size() > 255) {
    return Status::fail(Errc::kInvalid, "AVC config needs 1..31 SPS and at most 255 PPS");
  }
  if (sps[0].size() < 4) return Status::fail(Errc::kInvalid, "SPS shorter than 4 bytes");
  size_t need = 7;
  for (auto s : sps) need += 2 + s.size();
  for (auto p : pps) need += 2 + p.size();
  if (need > out.size()) return Status::fail(Errc::kTooLarge, "AVC config output buffer too small");
  uint8_t* w = out.data();
  *w++ = 1;
  *w++ = sps[0][1];  // profile_idc
  *w++ = sps[0][2];  // constraint_set flags
  *w++ = sps[0][3];  // level_idc
  *w++ = 0xff;       // '111111'b + lengthSizeMinusOne = 3
  *w++ = static_cast<uint8_t>(0xe0 | sps.size());
  auto put = [&w](std::span<const uint8_t> nalu) noexcept -> bool {
    if (nalu.empty() || nalu.size() > 0xffff) return false;
    base::store_be16(w, static_cast<uint16_t>(nalu.size()));
    std::memcpy(w + 2, nalu.data(), nalu.size());
    w += 2 + nalu.size();
    return true;
  };
  for (auto s : sps) {
    if (!put(s)) return Status::fail(Errc::kInvalid, "SPS empty or longer than 65535 bytes");
  }
  *w++ = static_cast<uint8_t>(pps.size());
  for (auto p : pps) {
    if (!put(p)) return Status::fail(Errc::kInvalid, "PPS empty or longer than 65535 bytes");
  }
  return static_cast<size_t>(w - out.data());
}

}  // namespace srs::proto::codec
