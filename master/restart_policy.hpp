// When a supervised process that exited is started again: the one back-off
// rule for the master's children, workers and exec'd programs alike (pure
// logic, unit tested).
//
// A run shorter than `stable_ms` is a quick exit. Quick exits in a row wait
// 100 ms, 200 ms, 400 ms ... up to 30 s before the next start; a run that
// lasted ends the streak, and the next start is immediate. A child that
// opts in to the crash-loop breaker (`give_up_after` > 0) is not started
// again after that many quick exits in a row; a worker never gives up (the
// server is nothing without its workers), it keeps backing off. The ffmpeg
// children's breaker (`quiet_after` > 0) neither gives up (a camera that is
// down today is up tomorrow) nor fills the log: past that many quick exits
// in a row it retries every max_backoff_ms, said once, until a run lasts.
#pragma once

#include <cstdint>

namespace srs::master {

// What a policy remembers of one supervised process across its restarts.
struct RestartHistory {
  int64_t started_ms = 0;  // when the current (or last) run began
  int quick_exits = 0;     // consecutive runs shorter than the policy's stable_ms
  uint32_t restarts = 0;   // starts after the first one
};

struct RestartDecision {
  bool give_up = false;  // the breaker tripped: do not start it again
  int64_t delay_ms = 0;  // otherwise, start it again this long after the exit
  bool tripped = false;  // quiet_after: the breaker trips at this exit (say it once)
  bool quiet = false;    // quiet_after: the breaker is tripped (this exit is not news)
};

struct RestartPolicy {
  int64_t stable_ms = 10000;
  int64_t first_backoff_ms = 100;
  int64_t max_backoff_ms = 30000;
  int give_up_after = 0;  // quick exits in a row before giving up; 0: never
  int quiet_after = 0;  // quick exits in a row before retrying quietly at max_backoff_ms; 0: never

  // Workers: back off, never give up.
  static RestartPolicy worker() { return RestartPolicy{}; }
  // Exec'd children that stop after `quick_exits` quick exits in a row.
  static RestartPolicy give_up_after_quick_exits(int quick_exits) {
    RestartPolicy p;
    p.give_up_after = quick_exits;
    return p;
  }

  // ffmpeg children: 1 s doubling to 30 s, quiet after 5 quick exits in a row.
  static RestartPolicy ffmpeg() {
    RestartPolicy p;
    p.first_backoff_ms = 1000;
    p.quiet_after = 5;
    return p;
  }

  // The wait before the next start after `quick_exits` quick exits in a row.
  int64_t delay_ms(int quick_exits) const;
  // A run began at `now_ms`.
  void started(RestartHistory* history, int64_t now_ms) const { history->started_ms = now_ms; }
  // The run ended at `now_ms`: updates the streak and says what to do.
  // Counts a restart unless it gives up.
  RestartDecision exited(RestartHistory* history, int64_t now_ms) const;
};

}  // namespace srs::master
