// srs-bench's PlayerStats: first media, gaps and stalls (a gap in media longer
// than the stall threshold), and the silence until the end of the run.
#include "tools/srs-bench/player_stats.hpp"

#include <doctest/doctest.h>

using srs::tools::srs_bench::PlayerStats;
using srs::tools::srs_bench::Totals;

namespace {
constexpr int64_t kMs = 1000000;
}

TEST_CASE("a gap longer than the stall threshold is a stall") {
  Totals totals;
  totals.stall_ns = 1000 * kMs;
  PlayerStats st;
  st.on_request(0);
  st.on_raw(100, 100 * kMs, totals);
  st.on_raw(100, 900 * kMs, totals);   // 800 ms: no stall
  st.on_raw(100, 2000 * kMs, totals);  // 1100 ms: a stall
  CHECK(st.first_frame_ns() == 100 * kMs);
  CHECK(st.last_media_ns() == 2000 * kMs);
  CHECK(st.stalls() == 1);
  CHECK(st.max_gap_ns() == 1100 * kMs);
  CHECK(st.media_bytes() == 300);
  st.finish(2500 * kMs, totals);  // silent 500 ms at the end: no stall
  CHECK(st.stalls() == 1);
  st.finish(3500 * kMs, totals);  // silent 1500 ms: one more
  CHECK(st.stalls() == 2);
}

TEST_CASE("a player that never received media has no gap and no stall") {
  Totals totals;
  PlayerStats st;
  st.on_request(0);
  st.finish(10000 * kMs, totals);
  CHECK_FALSE(st.played());
  CHECK(st.stalls() == 0);
  CHECK(st.max_gap_ns() == 0);
}
