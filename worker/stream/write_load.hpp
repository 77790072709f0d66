// WriteLoad: how busy this worker is with its players, and the merge window
// `play.merge_window: auto` derives from it.
//
// The measure is the share of wall time the worker spends writing to its
// players (flush passes: one stream's players written after a wake-up) or
// owing them a write (from a publisher's first ring to the wake-up that
// answers it), averaged exponentially with a quarter-second time constant
// (a worker capped or swamped at once gathers within half a second). Wall
// time, not CPU time: a worker preempted by other processes or throttled by
// its cgroup's quota answers late and writes slowly, and that is load too (a
// CPU-time measure reads a throttled worker as idle, and one that is
// throttled between passes shows no long pass either: only its lateness).
//
// The rule: below 30% of its time, a worker sends each frame as it comes
// (window 0: an idle worker adds no delay); from 30% to 80% the window grows
// linearly to the vhost's merge_ceiling; above, it is the ceiling. Why: a
// write costs mostly per call, not per byte (BENCH.md: the bare writev floor
// spends 8x the CPU per Gbit at 0 ms that it spends at 350 ms), so the window
// buys CPU where CPU is short, and only there: 400 players of 1.1 Mbit/s on
// one worker of a 2-core machine that also runs the load generator measure
// 14 to 16%; a worker held to a small CPU quota, 85 to 99%. The feedback is
// negative: a longer window makes the passes fewer, the share falls, and the
// window settles where the two meet.
#pragma once

#include <cstdint>

namespace srs::worker {

class WriteLoad {
 public:
  static constexpr double kTimeConstantNs = 0.25e9;
  static constexpr double kLow = 0.3;   // below: window 0
  static constexpr double kHigh = 0.8;  // above: the ceiling

  // A pass over a stream's players ran from `start_ns` to `end_ns`
  // (CLOCK_MONOTONIC).
  void add_pass(int64_t start_ns, int64_t end_ns);
  // A publisher rang at `rung_ns`; the wake-up came at `now_ns`. Counted as
  // a pass: what overlaps time already counted is not counted twice.
  void add_late(int64_t rung_ns, int64_t now_ns) { add_pass(rung_ns, now_ns); }
  // The share of the recent wall time spent writing, as of `now_ns` (0..1).
  double busy(int64_t now_ns) const;
  // How far into the band kLow..kHigh the load is as of `now_ns` (0..1):
  // the automatic window is this share of the ceiling (window_of).
  double window_share(int64_t now_ns) const;
  static int64_t window_of(int64_t ceiling_ms, double share) {
    return int64_t(double(ceiling_ms) * share + 0.5);
  }
  // The automatic window for a ceiling of `ceiling_ms`, as of `now_ns`.
  int64_t window_ms(int64_t ceiling_ms, int64_t now_ns) const {
    return window_of(ceiling_ms, window_share(now_ns));
  }

 private:
  double busy_ = 0;         // as of updated_ns_
  int64_t updated_ns_ = 0;  // 0: no pass yet
};

}  // namespace srs::worker
