// AVCDecoderConfigurationRecord: ffmpeg's records, build round trips, lengthSizeMinusOne,
// several parameter sets, malformed records.
#include "proto/codec/avc_config.hpp"

#include <doctest/doctest.h>

#include "proto/codec/nalu.hpp"
#include "t/unit/proto/flv/media_file.hpp"

using srs::base::Errc;
using srs::proto::codec::avc_nalu_type;
using srs::proto::codec::AvcConfig;
using srs::proto::codec::AvcNaluType;
using srs::proto::codec::build_avc_config;
using srs::proto::codec::LengthPrefixedNalus;
using srs::proto::codec::parse_avc_config;
using Bytes = std::vector<uint8_t>;
using Span = std::span<const uint8_t>;

namespace {

// The AVCDecoderConfigurationRecord of a golden file: the first video tag after 5 bytes.
Bytes golden_record(const char* name) {
  for (const auto& t : srs::test::read_all_tags(srs::test::read_media(name))) {
    if (t.type == srs::proto::flv::TagType::kVideo) return Bytes(t.body.begin() + 5, t.body.end());
  }
  return {};
}

const Bytes kSps = {0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x01, 0x40, 0x7b, 0x20};
const Bytes kPps = {0x68, 0xce, 0x3c, 0x80};

}  // namespace

TEST_CASE("parse_avc_config reads ffmpeg's record and build_avc_config rebuilds it") {
  for (const char* name :
       {"h264_baseline_320x240_aac_44k_stereo.flv", "h264_main_1280x720_aac_48k_mono.flv"}) {
    CAPTURE(name);
    Bytes record = golden_record(name);
    auto cfg = parse_avc_config(record);
    REQUIRE(cfg.is_ok());
    CHECK(cfg->version == 1);
    CHECK(cfg->length_size == 4);
    REQUIRE(cfg->sps_count == 1);
    REQUIRE(cfg->pps_count == 1);
    CHECK(avc_nalu_type(cfg->sps[0][0]) == AvcNaluType::kSps);
    CHECK(avc_nalu_type(cfg->pps[0][0]) == AvcNaluType::kPps);
    CHECK(cfg->profile == cfg->sps[0][1]);
    CHECK(cfg->level == cfg->sps[0][3]);
    // Baseline/Main records carry nothing after the PPS: a rebuild is byte-identical.
    Bytes out(record.size() + 16);
    auto n = build_avc_config(std::span(&cfg->sps[0], 1), std::span(&cfg->pps[0], 1), out);
    REQUIRE(n.is_ok());
    out.resize(*n);
    CHECK(out == record);
  }
  // High profile: ffmpeg appends chroma_format etc. (14496-15 5.3.3.1.2); still parses.
  auto high = parse_avc_config(golden_record("h264_high_854x480_mp3_44k_stereo.flv"));
  REQUIRE(high.is_ok());
  CHECK(high->profile == 100);
}

TEST_CASE("AVC config with several SPS and PPS round-trips") {
  Bytes sps2 = kSps;
  sps2.back() = 0x21;
  const Span sps[] = {kSps, sps2};
  const Span pps[] = {kPps, Span(kPps).first(3), Span(kPps).first(2)};
  Bytes out(256);
  auto n = build_avc_config(sps, pps, out);
  REQUIRE(n.is_ok());
  out.resize(*n);
  auto cfg = parse_avc_config(out);
  REQUIRE(cfg.is_ok());
  REQUIRE(cfg->sps_count == 2);
  REQUIRE(cfg->pps_count == 3);
  CHECK(Bytes(cfg->sps[1].begin(), cfg->sps[1].end()) == sps2);
  CHECK(cfg->pps[2].size() == 2);
  CHECK(cfg->profile == 0x42);
  CHECK(cfg->compatibility == 0xc0);
  CHECK(cfg->level == 0x1e);
}

TEST_CASE("AVC config lengthSizeMinusOne 0, 1 and 3 drive the NALU framing; 2 is invalid") {
  const Span sps[] = {kSps};
  const Span pps[] = {kPps};
  Bytes record(64);
  auto n = build_avc_config(sps, pps, record);
  REQUIRE(n.is_ok());
  record.resize(*n);
  for (unsigned minus_one : {0u, 1u, 3u}) {
    CAPTURE(minus_one);
    record[4] = static_cast<uint8_t>(0xfc | minus_one);
    auto cfg = parse_avc_config(record);
    REQUIRE(cfg.is_ok());
    unsigned size = cfg->length_size;
    CHECK(size == minus_one + 1);
    Bytes frame;
    for (unsigned i = 0; i < size; ++i) frame.push_back(i + 1 == size ? 3 : 0);
    frame.insert(frame.end(), {0x65, 0x88, 0x84});
    LengthPrefixedNalus it(frame, size);
    std::span<const uint8_t> nalu;
    REQUIRE(it.next(nalu));
    CHECK(nalu.size() == 3);
    CHECK(srs::proto::codec::avc_is_idr(nalu[0]));
  }
  record[4] = 0xfe;
  CHECK(parse_avc_config(record).status().code() == Errc::kInvalid);
}

TEST_CASE("malformed AVC configs give clear errors") {
  const Span sps[] = {kSps};
  const Span pps[] = {kPps};
  Bytes record(64);
  auto n = build_avc_config(sps, pps, record);
  REQUIRE(n.is_ok());
  record.resize(*n);
  SUBCASE("every truncation fails cleanly") {
    for (size_t len = 0; len < record.size(); ++len) {
      CAPTURE(len);
      CHECK(parse_avc_config(Span(record).first(len)).status().code() == Errc::kInvalid);
    }
  }
  SUBCASE("zero-length SPS") {
    Bytes b = {1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, 0, 1, 0, 4, 0x68, 0xce, 0x3c, 0x80};
    auto r = parse_avc_config(b);
    CHECK(r.status().code() == Errc::kInvalid);
    CHECK(std::string(r.status().what()).find("empty") != std::string::npos);
  }
  SUBCASE("huge counts") {
    Bytes b = record;
    b[5] = 0xff;  // 31 SPS announced, one present
    CHECK(parse_avc_config(b).status().code() == Errc::kInvalid);
    Bytes c = record;
    c[6 + 2 + kSps.size()] = 200;  // 200 PPS
    CHECK(parse_avc_config(c).status().code() == Errc::kUnsupported);
  }
  SUBCASE("version") {
    Bytes b = record;
    b[0] = 0;
    CHECK(parse_avc_config(b).status().code() == Errc::kInvalid);
  }
  SUBCASE("build refuses what it cannot write") {
    Bytes small(8);
    CHECK(build_avc_config(sps, pps, small).status().code() == Errc::kTooLarge);
    const Span empty_pps[] = {Span()};
    Bytes out(64);
    CHECK(build_avc_config(sps, empty_pps, out).status().code() == Errc::kInvalid);
    CHECK(build_avc_config({}, pps, out).status().code() == Errc::kInvalid);
  }
}
