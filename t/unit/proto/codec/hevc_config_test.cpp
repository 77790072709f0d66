// HEVCDecoderConfigurationRecord and H.265 SPS: the hvcC of an x265 file,
// synthetic SPS with sub-layers and conformance windows, malformed input.
#include "proto/codec/hevc_config.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "base/bytes.hpp"
#include "proto/codec/hevc_sps.hpp"
#include "t/unit/proto/codec/bit_writer.hpp"
#include "t/unit/proto/flv/media_file.hpp"

using srs::base::Errc;
using srs::proto::codec::hevc_is_irap;
using srs::proto::codec::hevc_level_name;
using srs::proto::codec::hevc_nalu_type;
using srs::proto::codec::hevc_profile_name;
using srs::proto::codec::HevcNaluType;
using srs::proto::codec::parse_hevc_config;
using srs::proto::codec::parse_hevc_sps;
using srs::test::BitWriter;
using Bytes = std::vector<uint8_t>;

namespace {

// The hvcC box of the golden MP4: the same record E-RTMP's hvc1 SequenceStart carries.
Bytes golden_hvcc() {
  Bytes mp4 = srs::test::read_media("hevc_main_854x480.mp4");
  const uint8_t tag[] = {'h', 'v', 'c', 'C'};
  auto it = std::search(mp4.begin(), mp4.end(), tag, tag + 4);
  if (it == mp4.end() || it - mp4.begin() < 4) return {};
  uint32_t box = srs::base::load_be32(&*(it - 4));
  return Bytes(it + 4, it - 4 + box);
}

// H.265 7.3.2.2.1 up to bit_depth, with `sub_layers` - 1 sub-layers.
Bytes make_sps(unsigned sub_layers, uint32_t width, uint32_t height, const uint32_t* window,
               uint32_t chroma = 1) {
  BitWriter w;
  w.bits(0, 4).bits(sub_layers - 1, 3).bit(1);
  w.bits(0, 2).bit(1).bits(2, 5).bits(0x20000000, 32).bits(0x900000000000ull, 48).bits(153, 8);
  for (unsigned i = 0; i + 1 < sub_layers; ++i) w.bit(1).bit(1);
  for (unsigned i = sub_layers - 1; sub_layers > 1 && i < 8; ++i) w.bits(0, 2);
  for (unsigned i = 0; i + 1 < sub_layers; ++i)
    w.bits(0x123456789abull, 44).bits(0x123456789abull, 44).bits(90, 8);
  w.ue(0).ue(chroma);
  if (chroma == 3) w.bit(0);
  w.ue(width).ue(height).bit(window != nullptr);
  for (int i = 0; window && i < 4; ++i) w.ue(window[i]);
  w.ue(2).ue(2).trailing();
  return w.nalu({0x42, 0x01});
}

}  // namespace

TEST_CASE("parse_hevc_config reads x265's record and its SPS matches ffprobe") {
  Bytes record = golden_hvcc();
  REQUIRE(record.size() > 23);
  auto cfg = parse_hevc_config(record);
  REQUIRE(cfg.is_ok());
  CHECK(cfg->version == 1);
  CHECK(cfg->length_size == 4);
  CHECK(cfg->profile_idc == 1);
  CHECK(cfg->chroma_format == 1);
  CHECK(cfg->bit_depth_luma == 8);
  REQUIRE(cfg->vps_count == 1);
  REQUIRE(cfg->sps_count == 1);
  REQUIRE(cfg->pps_count == 1);
  CHECK(hevc_nalu_type(cfg->vps[0][0]) == HevcNaluType::kVps);
  CHECK(hevc_nalu_type(cfg->pps[0][0]) == HevcNaluType::kPps);
  // ffprobe -show_streams hevc_main_854x480.mp4: profile=Main width=854
  // height=480 coded_width=856 coded_height=480 level=90.
  auto sps = parse_hevc_sps(cfg->sps[0]);
  REQUIRE(sps.is_ok());
  CHECK(sps->width == 854);
  CHECK(sps->height == 480);
  CHECK(sps->coded_width == 856);
  CHECK(sps->coded_height == 480);
  CHECK(sps->level_idc == 90);
  CHECK(sps->level_idc == cfg->level_idc);
  CHECK(std::string(hevc_profile_name(sps->profile_idc, sps->profile_compatibility)) == "Main");
  CHECK(std::string(hevc_level_name(sps->level_idc)) == "3");
}

TEST_CASE("H.265 SPS with sub-layers and a conformance window") {
  const uint32_t window[] = {0, 4, 0, 4};  // chroma units: 8 luma samples each way in 4:2:0
  auto sps = parse_hevc_sps(make_sps(3, 1928, 1088, window));
  REQUIRE(sps.is_ok());
  CHECK(sps->profile_idc == 2);
  CHECK(sps->level_idc == 153);
  CHECK(sps->width == 1920);
  CHECK(sps->height == 1080);
  CHECK(sps->bit_depth_luma == 10);
  CHECK(std::string(hevc_profile_name(2, 0)) == "Main 10");
  CHECK(std::string(hevc_level_name(153)) == "5.1");
  auto yuv444 = parse_hevc_sps(make_sps(1, 1928, 1088, window, 3));
  REQUIRE(yuv444.is_ok());
  CHECK(yuv444->width == 1924);  // SubWidthC 1
  auto seven = parse_hevc_sps(make_sps(7, 640, 360, nullptr));
  REQUIRE(seven.is_ok());
  CHECK(seven->width == 640);
  CHECK(seven->height == 360);
}

TEST_CASE("H.265 NAL type helpers") {
  CHECK(hevc_is_irap(19 << 1));  // IDR_W_RADL
  CHECK(hevc_is_irap(21 << 1));  // CRA
  CHECK(hevc_is_irap(16 << 1));  // BLA_W_LP
  CHECK_FALSE(hevc_is_irap(1 << 1));
  CHECK_FALSE(hevc_is_irap(32 << 1));
  CHECK(hevc_nalu_type(0x40) == HevcNaluType::kVps);
  CHECK(hevc_nalu_type(0x4e) == HevcNaluType::kPrefixSei);
  CHECK(std::string(hevc_profile_name(0, 0x40000000)) == "Main");  // from compatibility flag 1
}

TEST_CASE("malformed HEVC configs and SPS give clear errors") {
  Bytes record = golden_hvcc();
  REQUIRE(record.size() > 23);
  for (size_t len = 0; len < record.size(); ++len) {
    CAPTURE(len);
    CHECK(parse_hevc_config(std::span(record).first(len)).status().code() == Errc::kInvalid);
  }
  Bytes v0 = record;
  v0[0] = 0;
  CHECK(parse_hevc_config(v0).status().code() == Errc::kInvalid);
  Bytes len3 = record;
  len3[21] = static_cast<uint8_t>((len3[21] & 0xfc) | 2);
  CHECK(parse_hevc_config(len3).status().code() == Errc::kInvalid);
  Bytes huge = record;
  huge[22] = 0xff;  // 255 arrays announced
  CHECK(parse_hevc_config(huge).status().code() == Errc::kInvalid);
  Bytes empty_nalu = {1, 1,    0x60, 0,    0,    0, 0x90, 0,    0, 0,    0, 0, 90, 0xf0,
                      0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0,    0x0f, 1, 0x20, 0, 1, 0,  0};
  CHECK(parse_hevc_config(empty_nalu).status().code() == Errc::kInvalid);

  Bytes sps = make_sps(1, 640, 360, nullptr);
  CHECK(parse_hevc_sps(Bytes{0x42, 0x01}).status().code() == Errc::kInvalid);
  Bytes not_sps = sps;
  not_sps[0] = 0x44;
  CHECK(parse_hevc_sps(not_sps).status().code() == Errc::kInvalid);
  for (size_t len = 0; len + 1 < sps.size(); ++len) {
    CAPTURE(len);
    CHECK_FALSE(parse_hevc_sps(std::span(sps).first(len)).is_ok());
  }
  const uint32_t overcrop[] = {400, 0, 0, 0};
  CHECK_FALSE(parse_hevc_sps(make_sps(1, 640, 360, overcrop)).is_ok());
  CHECK_FALSE(parse_hevc_sps(make_sps(1, 0, 360, nullptr)).is_ok());
}
