// The restart back-off and the crash-loop breaker (see restart_policy.hpp).
#include "master/restart_policy.hpp"

#include <algorithm>

namespace srs::master {

int64_t RestartPolicy::delay_ms(int quick_exits) const {
  if (quick_exits <= 0) return 0;
  int64_t delay = first_backoff_ms;
  for (int i = 1; i < quick_exits && delay < max_backoff_ms; i++) delay *= 2;
  return std::min(delay, max_backoff_ms);
}

RestartDecision RestartPolicy::exited(RestartHistory* history, int64_t now_ms) const {
  bool quick = now_ms - history->started_ms < stable_ms;
  history->quick_exits = quick ? history->quick_exits + 1 : 0;
  if (give_up_after > 0 && history->quick_exits >= give_up_after) return {true, 0};
  history->restarts++;
  RestartDecision d{false, delay_ms(history->quick_exits)};
  if (quiet_after > 0 && history->quick_exits >= quiet_after) {
    d.quiet = true;
    d.tripped = history->quick_exits == quiet_after;
    d.delay_ms = max_backoff_ms;
  }
  return d;
}

}  // namespace srs::master
