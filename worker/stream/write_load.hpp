// WriteLoad: how busy this worker is writing to its players, and the merge
// window `play.merge_window: auto` derives from it.
//
// The measure is the share of wall time the worker spends in flush passes
// (one stream's players written after a wake-up), averaged exponentially
// with a one-second time constant. Wall time, not CPU time: a pass that
// lost the CPU to another process or to its cgroup's quota took longer, and
// that is load too (a CPU-time measure reads a throttled worker as idle).
//
// The rule: below a quarter of its time spent writing, a worker sends each
// frame as it comes (window 0: an idle worker adds no delay); from a quarter
// to three quarters the window grows linearly to the vhost's merge_ceiling;
// above that it is the ceiling. Why: a write costs mostly per call, not per
// byte (BENCH.md: the bare writev floor spends 7x the CPU per Gbit at 0 ms
// that it spends at 350 ms), so the window buys CPU where CPU is short. A
// worker writing a quarter of the time has room to spare; one writing three
// quarters of the time is one burst from falling behind. The feedback is
// negative: a longer window makes the passes cheaper, the share falls, and
// the window settles where the two meet.
#pragma once

#include <cstdint>

namespace srs::worker {

class WriteLoad {
 public:
  static constexpr double kTimeConstantNs = 1e9;
  static constexpr double kLow = 0.25;   // below: window 0
  static constexpr double kHigh = 0.75;  // above: the ceiling

  // A pass over a stream's players ran from `start_ns` to `end_ns`
  // (CLOCK_MONOTONIC).
  void add_pass(int64_t start_ns, int64_t end_ns);
  // The share of the recent wall time spent writing, as of `now_ns` (0..1).
  double busy(int64_t now_ns) const;
  // The automatic window for a ceiling of `ceiling_ms`, as of `now_ns`.
  int64_t window_ms(int64_t ceiling_ms, int64_t now_ns) const;

 private:
  double busy_ = 0;         // as of updated_ns_
  int64_t updated_ns_ = 0;  // 0: no pass yet
};

}  // namespace srs::worker
