// TimeUnwrapper: 32-bit RTMP timestamps into a 64-bit running time across
// 2^31 and 2^32 ms, small steps back, and peek() that does not move on.
#include "worker/dvr/time_unwrapper.hpp"

#include <doctest/doctest.h>

using srs::worker::TimeUnwrapper;

TEST_CASE("time unwrapper: the first timestamp is taken as is") {
  TimeUnwrapper c;
  CHECK(c.peek(0xfffffff0u) == 0xfffffff0ll);
  CHECK(c.unwrap(0xfffffff0u) == 0xfffffff0ll);
}

TEST_CASE("time unwrapper: crossing 2^31 and 2^32 ms keeps counting up") {
  TimeUnwrapper c;
  const int64_t k31 = int64_t(1) << 31, k32 = int64_t(1) << 32;
  CHECK(c.unwrap(uint32_t(k31 - 10)) == k31 - 10);
  CHECK(c.unwrap(uint32_t(k31 + 10)) == k31 + 10);
  CHECK(c.unwrap(uint32_t(k32 - 5)) == k32 - 5);  // 2^31 - 15 after the last: still forward
  CHECK(c.unwrap(3) == k32 + 3);                  // the wrap
  CHECK(c.unwrap(40) == k32 + 40);
  // A second wrap, in steps of 20 days (under 2^31 ms each).
  int64_t at = k32 + 40;
  for (int i = 0; i < 6; ++i) {
    at += int64_t(20) * 24 * 3600 * 1000;
    CHECK(c.unwrap(uint32_t(at)) == at);
  }
  CHECK(at > 2 * k32);
}

TEST_CASE("time unwrapper: a step back is a step back, also across the wrap") {
  TimeUnwrapper c;
  CHECK(c.unwrap(5) == 5);
  CHECK(c.unwrap(0xfffffffbu) == -5);  // 10 ms before: audio just ahead of video
  CHECK(c.unwrap(10) == 10);
  CHECK(c.peek(0) == 0);
  CHECK(c.peek(1000) == 1000);
  CHECK(c.unwrap(20) == 20);  // peek() did not move on
}
