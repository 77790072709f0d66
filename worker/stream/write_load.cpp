// The worker's writing load and the automatic merge window (see write_load.hpp).
#include "worker/stream/write_load.hpp"

#include <algorithm>
#include <cmath>

namespace srs::worker {

namespace {

// What a share decays to after `ns` without writing.
double decay(int64_t ns) {
  return ns <= 0 ? 1.0 : std::exp(-double(ns) / WriteLoad::kTimeConstantNs);
}

}  // namespace

void WriteLoad::add_pass(int64_t start_ns, int64_t end_ns) {
  if (end_ns <= start_ns) return;
  int64_t from = updated_ns_ == 0 ? start_ns : std::max(start_ns, updated_ns_);
  if (end_ns <= from) return;  // already counted (a pass inside another)
  // The average of a signal that was 1 over [from, end] and whatever it was
  // before: the old value decayed over the whole interval since the last
  // update, plus the weight of the busy stretch at its end.
  busy_ = busy_ * decay(end_ns - (updated_ns_ == 0 ? start_ns : updated_ns_)) +
          (1.0 - decay(end_ns - from));
  busy_ = std::min(1.0, busy_);
  updated_ns_ = end_ns;
}

double WriteLoad::busy(int64_t now_ns) const {
  return updated_ns_ == 0 ? 0.0 : busy_ * decay(now_ns - updated_ns_);
}

double WriteLoad::window_share(int64_t now_ns) const {
  double share = (busy(now_ns) - kLow) / (kHigh - kLow);
  return std::clamp(share, 0.0, 1.0);
}

}  // namespace srs::worker
