// Range: the single byte-range forms, what is ignored, what is unsatisfiable
// (RFC 9110 14.1.2, 14.2).
#include "proto/http/range.hpp"

#include <doctest/doctest.h>

using srs::proto::http::ByteRange;
using srs::proto::http::parse_range;
using srs::proto::http::RangeKind;

TEST_CASE("single ranges of a 1000-byte file") {
  struct Case {
    const char* header;
    RangeKind kind;
    uint64_t first, last;
  };
  const Case cases[] = {
      {"bytes=0-99", RangeKind::kSingle, 0, 99},
      {"bytes=100-", RangeKind::kSingle, 100, 999},
      {"bytes=-100", RangeKind::kSingle, 900, 999},
      {"bytes=-5000", RangeKind::kSingle, 0, 999},
      {"bytes=990-5000", RangeKind::kSingle, 990, 999},
      {"Bytes=0-0", RangeKind::kSingle, 0, 0},
      {"bytes=999-999", RangeKind::kSingle, 999, 999},
      {"bytes=1000-", RangeKind::kUnsatisfiable, 0, 0},
      {"bytes=5000-6000", RangeKind::kUnsatisfiable, 0, 0},
      {"bytes=-0", RangeKind::kUnsatisfiable, 0, 0},
      {"bytes=5-1", RangeKind::kNone, 0, 0},      // invalid: ignored
      {"bytes=0-1,5-6", RangeKind::kNone, 0, 0},  // several: whole file
      {"items=0-1", RangeKind::kNone, 0, 0},
      {"bytes=a-b", RangeKind::kNone, 0, 0},
      {"bytes=", RangeKind::kNone, 0, 0},
      {"bytes=-", RangeKind::kNone, 0, 0},
      {"bytes=99999999999999999999-", RangeKind::kNone, 0, 0},
      {"", RangeKind::kNone, 0, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.header);
    ByteRange r;
    REQUIRE(parse_range(c.header, 1000, &r) == c.kind);
    if (c.kind != RangeKind::kSingle) continue;
    CHECK(r.first == c.first);
    CHECK(r.last == c.last);
    CHECK(r.length() == c.last - c.first + 1);
  }
}

TEST_CASE("an empty file satisfies no range") {
  ByteRange r;
  CHECK(parse_range("bytes=0-", 0, &r) == RangeKind::kUnsatisfiable);
  CHECK(parse_range("bytes=-1", 0, &r) == RangeKind::kUnsatisfiable);
}
