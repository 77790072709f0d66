// Per-player timestamp correction (SRS's play.time_jitter), so that each
// player sees timestamps that start at zero and never jump, across a
// republish too.
//
//   full  start at 0; a delta outside +-250 ms (a republish, an encoder
//         restart, a wrap) is replaced by 10 ms; small negative deltas (audio
//         and video interleaving) are kept
//   zero  start at 0, deltas kept as they are (rebased after a discontinuity)
//   off   the publisher's timestamps unchanged
#pragma once

#include <cstdint>

#include "conf/config.hpp"

namespace srs::worker {

using conf::TimeJitter;

class Jitter {
 public:
  explicit Jitter(TimeJitter mode = TimeJitter::kFull) : mode_(mode) {}
  uint32_t correct(uint32_t ts) noexcept;
  // A new publisher generation starts: its timestamps restart anywhere.
  void discontinuity() noexcept { rebase_ = true; }

 private:
  static constexpr int32_t kMaxJitterMs = 250;
  static constexpr int32_t kDefaultFrameMs = 10;
  TimeJitter mode_;
  bool started_ = false;
  bool rebase_ = false;
  uint32_t last_in_ = 0;
  uint32_t last_out_ = 0;
  uint32_t base_ = 0;  // zero mode: subtracted from every timestamp
};

}  // namespace srs::worker
