// Length-prefixed NAL units and Annex B conversion.
#include "proto/codec/nalu.hpp"

#include <doctest/doctest.h>

#include <vector>

using srs::base::Errc;
using srs::proto::codec::annexb_size;
using srs::proto::codec::LengthPrefixedNalus;
using srs::proto::codec::to_annexb;

TEST_CASE("to_annexb replaces each length prefix with a start code, for length sizes 1, 2 and 4") {
  const std::vector<uint8_t> expected = {0, 0, 0, 1,    0x09, 0xf0, 0,
                                         0, 0, 1, 0x65, 0xaa, 0xbb, 0xcc};
  const std::vector<uint8_t> l1 = {2, 0x09, 0xf0, 4, 0x65, 0xaa, 0xbb, 0xcc};
  const std::vector<uint8_t> l2 = {0, 2, 0x09, 0xf0, 0, 4, 0x65, 0xaa, 0xbb, 0xcc};
  const std::vector<uint8_t> l4 = {0, 0, 0, 2, 0x09, 0xf0, 0, 0, 0, 4, 0x65, 0xaa, 0xbb, 0xcc};
  for (auto [payload, size] : {std::pair{l1, 1u}, std::pair{l2, 2u}, std::pair{l4, 4u}}) {
    CAPTURE(size);
    auto need = annexb_size(payload, size);
    REQUIRE(need.is_ok());
    CHECK(*need == expected.size());
    std::vector<uint8_t> out(*need);
    auto n = to_annexb(payload, size, out);
    REQUIRE(n.is_ok());
    CHECK(*n == expected.size());
    CHECK(out == expected);
  }
}

TEST_CASE("LengthPrefixedNalus yields spans into the payload, for iovecs") {
  const uint8_t payload[] = {0, 0, 0, 1, 0x67, 0, 0, 0, 0, 0, 0, 0, 2, 0x68, 0xce};
  LengthPrefixedNalus it(payload, 4);
  std::span<const uint8_t> nalu;
  REQUIRE(it.next(nalu));
  CHECK(nalu.data() == payload + 4);
  CHECK(nalu.size() == 1);
  REQUIRE(it.next(nalu));
  CHECK(nalu.empty());  // a zero-length NAL unit is legal framing
  REQUIRE(it.next(nalu));
  CHECK(nalu.size() == 2);
  CHECK_FALSE(it.next(nalu));
  CHECK(it.status().is_ok());
}

TEST_CASE("malformed length-prefixed payloads give clear errors") {
  std::span<const uint8_t> nalu;
  const uint8_t overrun[] = {0, 0, 0, 9, 0x65};
  LengthPrefixedNalus a(overrun, 4);
  CHECK_FALSE(a.next(nalu));
  CHECK(a.status().code() == Errc::kInvalid);
  const uint8_t short_prefix[] = {0, 1, 0x65, 0};
  LengthPrefixedNalus b(short_prefix, 2);
  REQUIRE(b.next(nalu));
  CHECK_FALSE(b.next(nalu));
  CHECK(b.status().code() == Errc::kInvalid);
  LengthPrefixedNalus c(overrun, 3);
  CHECK_FALSE(c.next(nalu));
  CHECK(c.status().code() == Errc::kInvalid);
  CHECK_FALSE(annexb_size(overrun, 4).is_ok());
  const uint8_t ok[] = {0, 0, 0, 1, 0x65};
  std::vector<uint8_t> small(4);
  CHECK(to_annexb(ok, 4, small).status().code() == Errc::kTooLarge);
}
