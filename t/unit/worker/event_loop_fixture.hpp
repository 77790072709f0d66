// A libevent loop for worker tests, run until a condition holds or time runs out.
#pragma once

#include <event2/event.h>

#include <cstdint>

#include "base/clock.hpp"

namespace srs::test {

struct Loop {
  event_base* base = event_base_new();
  Loop() = default;
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  ~Loop() { event_base_free(base); }
  // Runs the loop until `done` or `ms` elapsed.
  template <class Pred>
  void run_until(Pred done, int64_t ms = 3000) {
    int64_t end = base::mono_ms() + ms;
    while (!done() && base::mono_ms() < end) event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
  }
};

}  // namespace srs::test
