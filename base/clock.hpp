// Monotonic and wall clocks in one place, in the units the server uses.
#pragma once

#include <cstdint>
#include <ctime>

namespace srs::base {

inline int64_t mono_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}
inline int64_t mono_ms() noexcept { return mono_ns() / 1000000; }

inline int64_t wall_ms() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace srs::base
