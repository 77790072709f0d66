// AggregateReader: sub-messages of a type-22 message, re-based timestamps,
// and refusal of truncated or foreign sub-tags.
#include "proto/rtmp/aggregate.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace srs::proto::rtmp;
using Bytes = std::vector<uint8_t>;

namespace {

void tag(Bytes& b, uint8_t type, const Bytes& data, uint32_t ts) {
  uint32_t size = static_cast<uint32_t>(data.size());
  Bytes h = {type,
             uint8_t(size >> 16),
             uint8_t(size >> 8),
             uint8_t(size),
             uint8_t(ts >> 16),
             uint8_t(ts >> 8),
             uint8_t(ts),
             uint8_t(ts >> 24),
             0,
             0,
             0};
  b.insert(b.end(), h.begin(), h.end());
  b.insert(b.end(), data.begin(), data.end());
  uint32_t back = size + 11;
  Bytes bp = {uint8_t(back >> 24), uint8_t(back >> 16), uint8_t(back >> 8), uint8_t(back)};
  b.insert(b.end(), bp.begin(), bp.end());
}

Message aggregate(const Bytes& payload, uint32_t ts) {
  Message m;
  m.header = {ts, static_cast<uint32_t>(payload.size()), kTypeAggregate, 1};
  m.csid = 6;
  m.payload = payload;
  return m;
}

}  // namespace

TEST_CASE("sub-messages come out with timestamps re-based on the aggregate's (RTMP 1.0 7.1.6)") {
  Bytes p;
  tag(p, kTypeVideo, {0x17, 1, 2}, 0x01000010);  // the timestamp-extended byte counts
  tag(p, kTypeAudio, {0xAF, 1}, 0x01000030);
  tag(p, kTypeDataAmf0, {}, 0x01000040);
  Message agg = aggregate(p, 5000);
  AggregateReader r(agg);
  Message m;
  REQUIRE(r.next(&m) == AggregateResult::kMessage);
  CHECK(m.header == MessageHeader{5000, 3, kTypeVideo, 1});
  CHECK(Bytes(m.payload.begin(), m.payload.end()) == Bytes{0x17, 1, 2});
  CHECK(m.payload.data() == p.data() + 11);  // no copy
  REQUIRE(r.next(&m) == AggregateResult::kMessage);
  CHECK(m.header == MessageHeader{5032, 2, kTypeAudio, 1});
  REQUIRE(r.next(&m) == AggregateResult::kMessage);
  CHECK(m.header == MessageHeader{5048, 0, kTypeDataAmf0, 1});
  CHECK(r.next(&m) == AggregateResult::kEnd);
  CHECK(r.next(&m) == AggregateResult::kEnd);
}

TEST_CASE("truncated sub-tags and non-media types are errors") {
  Bytes good;
  tag(good, kTypeVideo, {1, 2, 3, 4}, 0);
  for (size_t cut = 1; cut < good.size(); ++cut) {
    Bytes p(good.begin(), good.begin() + cut);
    Message agg = aggregate(p, 0);
    AggregateReader r(agg);
    Message m;
    CAPTURE(cut);
    CHECK(r.next(&m) == AggregateResult::kError);
    CHECK_FALSE(r.error().is_ok());
  }
  Bytes bad;
  tag(bad, kTypeCommandAmf0, {1}, 0);
  Message agg = aggregate(bad, 0);
  AggregateReader r(agg);
  Message m;
  CHECK(r.next(&m) == AggregateResult::kError);
  CHECK(r.next(&m) == AggregateResult::kError);
}

TEST_CASE("an empty aggregate has no sub-messages") {
  Bytes none;
  Message agg = aggregate(none, 0);
  AggregateReader r(agg);
  Message m;
  CHECK(r.next(&m) == AggregateResult::kEnd);
}
