// TimeUnwrapper: RTMP's 32-bit millisecond timestamps (RTMP 5.3.1.1, FLV
// E.4.1: they wrap after 2^32 ms, about 49.7 days) extended into a 64-bit
// running time, so that a recording past 24 days (2^31 ms, where a signed
// 32-bit reading turns negative) or past 49.7 days keeps moving forward.
//
// Each timestamp is read as a signed 32-bit step from the previous one: a
// wrap (0xffffff00 -> 0x00000100) is a step of +512 ms, a publisher going a
// little backwards (audio just before video) a small negative step. A jump
// of 2^31 ms or more either way cannot be told from a wrap; no encoder makes
// one between two frames.
#pragma once

#include <cstdint>

namespace srs::worker {

class TimeUnwrapper {
 public:
  // The running time of `ts`; later calls continue from it.
  int64_t unwrap(uint32_t ts) noexcept {
    now_ = peek(ts);
    last_ = ts;
    started_ = true;
    return now_;
  }

  // What unwrap(ts) would return, without moving on.
  int64_t peek(uint32_t ts) const noexcept {
    if (!started_) return int64_t(ts);
    return now_ + int32_t(ts - last_);
  }

 private:
  bool started_ = false;
  uint32_t last_ = 0;
  int64_t now_ = 0;
};

}  // namespace srs::worker
