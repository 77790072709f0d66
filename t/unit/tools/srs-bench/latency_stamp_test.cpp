// LatencyStamp: the send time survives a round trip through a video payload,
// is found only where it was put, and is a well-formed SEI NAL unit.
#include "tools/srs-bench/latency_stamp.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "proto/flv/video_tag.hpp"

using srs::tools::srs_bench::find_video_stamp;
using srs::tools::srs_bench::kStampNaluSize;
using srs::tools::srs_bench::kStampSize;
using srs::tools::srs_bench::read_stamp;
using srs::tools::srs_bench::write_stamp;

namespace {

// An AVC NALU packet: the 5-byte header, the stamp, then one slice NAL unit.
std::vector<uint8_t> stamped_frame(int64_t ns) {
  std::vector<uint8_t> body = {0x27, 0x01, 0x00, 0x00, 0x00};
  body.resize(body.size() + kStampSize);
  write_stamp(ns, body.data() + 5);
  const uint8_t slice[] = {0x00, 0x00, 0x00, 0x03, 0x41, 0x9a, 0x9b};
  body.insert(body.end(), std::begin(slice), std::end(slice));
  return body;
}

}  // namespace

TEST_CASE("latency stamp: round trip of monotonic times") {
  for (int64_t ns :
       {int64_t{0}, int64_t{1}, int64_t{123456789012345}, int64_t{0x7fffffffffffffff}}) {
    auto body = stamped_frame(ns);
    auto got = find_video_stamp(body);
    REQUIRE(got.has_value());
    CHECK(*got == ns);
  }
}

TEST_CASE("latency stamp: a valid SEI NAL unit with no zero byte") {
  std::vector<uint8_t> buf(kStampSize);
  write_stamp(0, buf.data());  // the worst case for zeros
  CHECK(buf[0] == 0);
  CHECK(buf[3] == kStampNaluSize);
  CHECK((buf[4] & 0x1f) == 6);  // nal_unit_type SEI
  for (size_t i = 4; i < buf.size(); ++i) CHECK(buf[i] != 0);
  CHECK(buf.back() == 0x80);  // rbsp trailing bits
}

TEST_CASE("latency stamp: the body stays a valid AVC video tag") {
  auto body = stamped_frame(42);
  auto info = srs::proto::flv::classify_video(body);
  REQUIRE(info.is_ok());
  CHECK(info->codec == srs::proto::flv::VideoCodec::kAvc);
  CHECK(info->packet_type == 1);
}

TEST_CASE("latency stamp: absent from other payloads") {
  auto body = stamped_frame(42);
  SUBCASE("a sequence header") {
    body[1] = 0x00;
    CHECK_FALSE(find_video_stamp(body).has_value());
  }
  SUBCASE("another codec") {
    body[0] = 0x22;
    CHECK_FALSE(find_video_stamp(body).has_value());
  }
  SUBCASE("a different UUID") {
    body[5 + 4 + 3] ^= 1;
    CHECK_FALSE(find_video_stamp(body).has_value());
  }
  SUBCASE("truncated") {
    body.resize(5 + kStampSize - 1);
    CHECK_FALSE(find_video_stamp(body).has_value());
  }
  SUBCASE("a time byte without its marker bit") {
    body[5 + 4 + 3 + 16] &= 0x7f;
    CHECK_FALSE(find_video_stamp(body).has_value());
  }
  CHECK_FALSE(read_stamp({}).has_value());
}
