// srs-bench's PlayerHistory: one player across its connections (--reconnect):
// drops, connect failures and rejections counted apart, the drop gap from the
// last media before a drop to the first media after it, the earlier
// connections' figures added to the current connection's row.
#include "tools/srs-bench/player_history.hpp"

#include <doctest/doctest.h>

using srs::tools::srs_bench::ClientRow;
using srs::tools::srs_bench::ConnectionEnd;
using srs::tools::srs_bench::PlayerHistory;
using srs::tools::srs_bench::PlayerStats;
using srs::tools::srs_bench::Totals;

namespace {

constexpr int64_t kMs = 1000000;

// A connection that received `len` bytes of media at each of `at_ms`.
PlayerStats media_at(std::initializer_list<int64_t> at_ms, Totals& totals, size_t len = 1000) {
  PlayerStats st;
  st.on_request(*at_ms.begin() * kMs - 10 * kMs);
  for (int64_t t : at_ms) st.on_raw(len, t * kMs, totals);
  return st;
}

ConnectionEnd end_of(const char* phase, bool rejected = false) {
  ConnectionEnd e;
  e.phase = phase;
  e.rejected = rejected;
  e.local_port = 40000;
  return e;
}

}  // namespace

TEST_CASE("a drop: the gap runs from the last media before it to the first media after it") {
  Totals totals;
  PlayerHistory h;
  PlayerStats first = media_at({1000, 1500, 2000}, totals);
  h.end(end_of("playing"), first.last_media_ns(), 2100 * kMs);
  h.fold(true, 5000, first);
  PlayerStats second = media_at({2900, 3400}, totals);
  h.watch(second);
  ClientRow row;
  row.bytes = 2000;
  row.media_bytes = second.media_bytes();
  row.max_gap_ms = 500;
  h.merge_into(&row, 4000 * kMs);
  CHECK(row.connections == 2);
  CHECK(row.drops == 1);
  CHECK(row.connect_failures == 0);
  CHECK(row.drop_gaps == 1);
  CHECK(row.drop_gap_max_ms == doctest::Approx(900));
  CHECK_FALSE(row.open_gap);
  CHECK(row.max_gap_ms == doctest::Approx(900));  // the longest pause in media, across the drop
  CHECK(row.bytes == 7000);
  CHECK(row.media_bytes == 5000);
  CHECK(row.request_s == doctest::Approx(0.99));  // the first connection's request
  REQUIRE(row.ends.size() == 1);
  CHECK(row.ends[0].is_drop());
  CHECK(row.ends[0].local_port == 40000);
}

TEST_CASE("a drop that never recovers: the gap stays open and counts to the end") {
  Totals totals;
  PlayerHistory h;
  PlayerStats st = media_at({1000, 2000}, totals);
  h.end(end_of("setup"), st.last_media_ns(), 2500 * kMs);
  ClientRow row;
  h.merge_into(&row, 5000 * kMs);
  CHECK(row.drops == 1);
  CHECK(row.drop_gaps == 0);
  CHECK(row.open_gap);
  CHECK(row.drop_gap_max_ms == doctest::Approx(3000));
}

TEST_CASE("a drop in the set-up of the reconnect keeps the first gap open") {
  Totals totals;
  PlayerHistory h;
  PlayerStats first = media_at({1000}, totals);
  h.end(end_of("playing"), first.last_media_ns(), 1100 * kMs);
  h.fold(true, 100, first);
  PlayerStats second;  // connected, dropped before any media
  h.end(end_of("setup"), 0, 1800 * kMs);
  h.fold(true, 10, second);
  PlayerStats third = media_at({2500}, totals);
  h.watch(third);
  ClientRow row;
  h.merge_into(&row, 3000 * kMs);
  CHECK(row.drops == 2);
  CHECK(row.drop_gaps == 1);
  CHECK(row.drop_gap_max_ms == doctest::Approx(1500));
  CHECK(row.connections == 3);
}

TEST_CASE("connect failures and rejections are not drops and open no gap") {
  Totals totals;
  PlayerHistory h;
  PlayerStats none;
  h.end(end_of("connect"), 0, 1000 * kMs);
  h.fold(false, 0, none);
  h.end(end_of("setup", true), 0, 1200 * kMs);
  h.fold(true, 300, none);
  ClientRow row;
  h.merge_into(&row, 2000 * kMs);
  CHECK(row.drops == 0);
  CHECK(row.connect_failures == 1);
  CHECK(row.rejected == 1);
  CHECK_FALSE(row.open_gap);
  CHECK(row.drop_gap_max_ms == 0);
  CHECK_FALSE(row.ends[0].is_drop());
  CHECK_FALSE(row.ends[1].is_drop());
  CHECK(row.connected);  // the second one connected
  CHECK(row.bytes == 300);
}

TEST_CASE("without an earlier connection the row is the current connection's") {
  Totals totals;
  PlayerHistory h;
  h.leave();
  ClientRow row;
  row.bytes = 1234;
  row.first_frame_ms = 5;
  h.merge_into(&row, 1000 * kMs);
  CHECK(row.connections == 1);
  CHECK(row.leaves == 1);
  CHECK(row.bytes == 1234);
  CHECK(row.first_frame_ms == 5);
  CHECK(row.ends.empty());
}
