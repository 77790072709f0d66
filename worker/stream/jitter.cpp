// Timestamp correction for players (see jitter.hpp).
#include "worker/stream/jitter.hpp"

namespace srs::worker {

uint32_t Jitter::correct(uint32_t ts) noexcept {
  if (mode_ == TimeJitter::kOff) return ts;
  if (!started_) {
    started_ = true;
    rebase_ = false;
    last_in_ = ts;
    base_ = ts;
    last_out_ = 0;
    return 0;
  }
  if (mode_ == TimeJitter::kZero) {
    if (rebase_) {  // continue right after the last timestamp sent
      base_ = ts - last_out_ - kDefaultFrameMs;
      rebase_ = false;
    }
    last_in_ = ts;
    last_out_ = ts - base_;
    return last_out_;
  }
  int32_t delta = int32_t(ts - last_in_);
  if (rebase_ || delta > kMaxJitterMs || delta < -kMaxJitterMs) delta = kDefaultFrameMs;
  rebase_ = false;
  last_in_ = ts;
  int64_t out = int64_t(last_out_) + delta;
  last_out_ = out < 0 ? 0 : uint32_t(out);
  return last_out_;
}

}  // namespace srs::worker
