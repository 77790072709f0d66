// BitReader: fixed-width reads, Exp-Golomb codes, emulation prevention, bounds.
#include "proto/codec/bit_reader.hpp"

#include <doctest/doctest.h>

#include "t/unit/proto/codec/bit_writer.hpp"

using srs::proto::codec::BitReader;
using srs::test::BitWriter;

TEST_CASE("BitReader reads fixed-width fields most significant bit first") {
  const uint8_t data[] = {0xa5, 0x0f, 0xff, 0x00, 0x12};
  BitReader br(data, sizeof data);
  uint32_t v;
  REQUIRE(br.read_bits(4, v));
  CHECK(v == 0xa);
  REQUIRE(br.read_bits(8, v));
  CHECK(v == 0x50);
  REQUIRE(br.read_bits(0, v));
  CHECK(v == 0);
  REQUIRE(br.read_bits(20, v));
  CHECK(v == 0xfff00);
  REQUIRE(br.read_bits(8, v));
  CHECK(v == 0x12);
  CHECK(br.at_end());
  CHECK_FALSE(br.read_bits(1, v));
  CHECK_FALSE(br.read_bits(33, v));
}

TEST_CASE("BitReader decodes ue(v) and se(v) as H.264 9.1 defines them") {
  BitWriter w;
  const uint32_t ues[] = {0, 1, 2, 3, 7, 255, 65535, 0xfffffffeu};
  const int32_t ses[] = {0, 1, -1, 2, -2, 1000, -1000, 2147483647};
  for (uint32_t u : ues) w.ue(u);
  for (int32_t s : ses) w.se(s);
  auto bytes = w.trailing().bytes();
  BitReader br(bytes.data(), bytes.size(), false);
  for (uint32_t u : ues) {
    uint32_t v = 1234;
    REQUIRE(br.read_ue(v));
    CHECK(v == u);
  }
  for (int32_t s : ses) {
    int32_t v = 1234;
    REQUIRE(br.read_se(v));
    CHECK(v == s);
  }
  // Spot check against the table in H.264 9.1: 00111 is codeNum 6.
  const uint8_t six[] = {0x38};
  BitReader b6(six, 1);
  uint32_t v;
  REQUIRE(b6.read_ue(v));
  CHECK(v == 6);
}

TEST_CASE("BitReader rejects a bad Exp-Golomb code instead of reading past the end") {
  const uint8_t zeros[] = {0, 0, 0, 0, 0x80};  // 32 leading zeros: not a 32-bit value
  BitReader br(zeros, sizeof zeros, false);
  uint32_t v;
  CHECK_FALSE(br.read_ue(v));
  const uint8_t truncated[] = {0x00, 0x01};  // 15 zeros, a one, then nothing
  BitReader bt(truncated, sizeof truncated, false);
  CHECK_FALSE(bt.read_ue(v));
  BitReader empty(nullptr, 0);
  CHECK_FALSE(empty.read_ue(v));
  CHECK(empty.at_end());
}

TEST_CASE("BitReader drops emulation prevention bytes only when asked") {
  const uint8_t data[] = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03};
  BitReader br(data, sizeof data);
  uint32_t v;
  REQUIRE(br.read_bits(24, v));
  CHECK(v == 0x000001);
  REQUIRE(br.read_bits(16, v));
  CHECK(v == 0);
  CHECK_FALSE(br.read_bits(8, v));  // the trailing 03 is dropped, nothing follows

  BitReader raw(data, sizeof data, false);
  REQUIRE(raw.read_bits(24, v));
  CHECK(v == 0x000003);
  CHECK(raw.bits_remaining() == 32);
}
