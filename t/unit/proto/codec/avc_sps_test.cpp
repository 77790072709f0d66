// H.264 SPS: sizes with cropping, field coding, 4:4:4, scaling lists, POC types,
// emulation prevention, names, and corrupt input.
#include "proto/codec/avc_sps.hpp"

#include <doctest/doctest.h>

#include "t/unit/proto/codec/bit_writer.hpp"

using srs::base::Errc;
using srs::proto::codec::avc_level_name;
using srs::proto::codec::avc_profile_name;
using srs::proto::codec::parse_avc_sps;
using srs::test::BitWriter;
using Bytes = std::vector<uint8_t>;

namespace {

struct Fields {
  uint8_t profile = 66, constraints = 0, level = 30;
  uint32_t chroma = 1;
  bool scaling = false;
  uint32_t poc_type = 0;
  uint32_t max_ref_frames = 1;
  uint32_t width_mbs = 20, height_units = 15;
  bool frame_mbs_only = true;
  bool cropping = false;
  uint32_t crop[4] = {0, 0, 0, 0};  // left, right, top, bottom
};

// H.264 7.3.2.1.1, field by field.
Bytes make_sps(const Fields& f) {
  BitWriter w;
  w.ue(0);  // seq_parameter_set_id
  if (f.profile == 100 || f.profile == 244) {
    w.ue(f.chroma);
    if (f.chroma == 3) w.bit(0);  // separate_colour_plane_flag
    w.ue(0).ue(0).bit(0).bit(f.scaling);
    for (unsigned i = 0; f.scaling && i < (f.chroma == 3 ? 12u : 8u); ++i) {
      w.bit(i == 0 || i == 6);
      if (i == 0) w.se(-8);  // nextScale 0 at once: use the default list
      for (unsigned j = 0; i == 6 && j < 64; ++j) w.se(0);  // 64 explicit deltas
    }
  }
  w.ue(0).ue(f.poc_type);  // log2_max_frame_num_minus4, pic_order_cnt_type
  if (f.poc_type == 0) w.ue(2);
  if (f.poc_type == 1) w.bit(0).se(0).se(0).ue(2).se(1).se(-1);
  w.ue(f.max_ref_frames).bit(0).ue(f.width_mbs - 1).ue(f.height_units - 1).bit(f.frame_mbs_only);
  if (!f.frame_mbs_only) w.bit(0);
  w.bit(1).bit(f.cropping);
  for (int i = 0; f.cropping && i < 4; ++i) w.ue(f.crop[i]);
  w.bit(0).trailing();  // no VUI
  return w.nalu({0x67, f.profile, f.constraints, f.level});
}

}  // namespace

TEST_CASE("H.264 SPS without cropping: 320x240 Constrained Baseline 3") {
  Fields f;
  f.constraints = 0xc0;
  auto sps = parse_avc_sps(make_sps(f));
  REQUIRE(sps.is_ok());
  CHECK(sps->width == 320);
  CHECK(sps->height == 240);
  CHECK(std::string(avc_profile_name(sps->profile_idc, sps->constraint_flags)) ==
        "Constrained Baseline");
  CHECK(std::string(avc_level_name(sps->level_idc)) == "3");
}

TEST_CASE("H.264 SPS frame cropping in 4:2:0 frames and fields") {
  Fields f;
  f.profile = 77;
  f.level = 40;
  f.width_mbs = 120;
  f.height_units = 68;
  f.cropping = true;
  f.crop[3] = 4;  // CropUnitY = 2 in 4:2:0 frames
  auto frame = parse_avc_sps(make_sps(f));
  REQUIRE(frame.is_ok());
  CHECK(frame->width == 1920);
  CHECK(frame->height == 1080);
  f.frame_mbs_only = false;  // field coding: map units are two macroblocks high
  f.height_units = 34;
  f.crop[3] = 2;  // CropUnitY = 4
  auto field = parse_avc_sps(make_sps(f));
  REQUIRE(field.is_ok());
  CHECK_FALSE(field->frame_mbs_only);
  CHECK(field->height == 1080);
  f.crop[0] = 3;  // CropUnitX = 2
  auto left = parse_avc_sps(make_sps(f));
  REQUIRE(left.is_ok());
  CHECK(left->width == 1914);
}

TEST_CASE("H.264 High profile SPS: chroma format, scaling lists, POC type 1") {
  Fields f;
  f.profile = 100;
  f.level = 41;
  f.scaling = true;
  f.poc_type = 1;
  f.width_mbs = 54;  // 864 - 10 = 854, as x264 writes 854x480
  f.height_units = 30;
  f.cropping = true;
  f.crop[1] = 5;
  auto sps = parse_avc_sps(make_sps(f));
  REQUIRE(sps.is_ok());
  CHECK(sps->chroma_format_idc == 1);
  CHECK(sps->width == 854);
  CHECK(sps->height == 480);
  CHECK(std::string(avc_profile_name(100, 0)) == "High");
  CHECK(std::string(avc_level_name(41)) == "4.1");

  f.profile = 244;  // 4:4:4: CropUnitX = 1, 12 scaling lists
  f.chroma = 3;
  f.poc_type = 2;
  f.crop[1] = 3;
  auto yuv444 = parse_avc_sps(make_sps(f));
  REQUIRE(yuv444.is_ok());
  CHECK(yuv444->chroma_format_idc == 3);
  CHECK(yuv444->width == 861);
}

TEST_CASE("H.264 SPS with emulation prevention bytes parses as without them") {
  Fields f;
  f.max_ref_frames = 0x7ffffff0;  // 30 leading zero bits: 00 00 00 on the wire
  Bytes escaped = make_sps(f);
  bool has_epb = false;
  for (size_t i = 6; i < escaped.size(); ++i) {
    has_epb |= escaped[i - 2] == 0 && escaped[i - 1] == 0 && escaped[i] == 3;
  }
  REQUIRE(has_epb);
  auto sps = parse_avc_sps(escaped);
  REQUIRE(sps.is_ok());
  CHECK(sps->width == 320);
  CHECK(sps->height == 240);
}

TEST_CASE("H.264 level and profile names") {
  CHECK(std::string(avc_level_name(11, 66, 0x10)) == "1b");
  CHECK(std::string(avc_level_name(11, 100, 0x10)) == "1.1");
  CHECK(std::string(avc_level_name(31)) == "3.1");
  CHECK(std::string(avc_level_name(62)) == "6.2");
  CHECK(std::string(avc_level_name(99)) == "Unknown");
  CHECK(std::string(avc_profile_name(66, 0)) == "Baseline");
  CHECK(std::string(avc_profile_name(77, 0x40)) == "Main");
  CHECK(std::string(avc_profile_name(110, 0)) == "High 10");
  CHECK(std::string(avc_profile_name(1, 0)) == "Unknown");
}

TEST_CASE("corrupt H.264 SPS gives clear errors, never reads past the end") {
  Fields f;
  Bytes good = make_sps(f);
  CHECK(parse_avc_sps(Bytes{}).status().code() == Errc::kInvalid);
  CHECK(parse_avc_sps(Bytes{0x67, 66, 0}).status().code() == Errc::kInvalid);
  Bytes not_sps = good;
  not_sps[0] = 0x68;
  CHECK(parse_avc_sps(not_sps).status().code() == Errc::kInvalid);
  Bytes bad_golomb = {0x67, 66, 0, 30, 0, 0, 0, 0, 0};  // 40 zero bits
  CHECK(parse_avc_sps(bad_golomb).status().code() == Errc::kInvalid);
  for (size_t len = 0; len < good.size(); ++len) {
    CAPTURE(len);
    auto r = parse_avc_sps(std::span(good).first(len));
    if (r.is_ok()) CHECK(r->width == 320);  // only the VUI flag and trailing bits are missing
  }
  Fields huge = f;
  huge.width_mbs = 100000;
  CHECK_FALSE(parse_avc_sps(make_sps(huge)).is_ok());
  Fields overcrop = f;
  overcrop.cropping = true;
  overcrop.crop[0] = 200;
  CHECK_FALSE(parse_avc_sps(make_sps(overcrop)).is_ok());
}
