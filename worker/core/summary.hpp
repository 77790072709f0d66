// The periodic one-line summaries of a worker (every log.summary_interval):
// its connections, players and publishers, bitrate in and out, players that
// had to skip or were dropped; and one line per stream it publishes, with the
// stream's input bitrate and its players on all workers.
//
//   summary: 3 connections (1 publishing, 2 playing), in 1210 kbps, out 2398 kbps, 0 lapped, 0
//   dropped stream __defaultVhost__/live/cam: in 1208 kbps, 2381 messages, 5 players on all workers
#pragma once

#include <cstdint>
#include <vector>

#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

class Summary {
 public:
  explicit Summary(Services& svc);
  Summary(const Summary&) = delete;
  Summary& operator=(const Summary&) = delete;

 private:
  static void on_timer(evutil_socket_t, short, void* arg);
  void log_worker(double seconds);
  void log_streams(double seconds);

  Services& svc_;
  EventPtr timer_;
  int64_t last_ms_ = 0;
  uint64_t last_in_ = 0, last_out_ = 0;
  struct Seen {
    uint32_t generation = 0;
    uint64_t bytes = 0;
  };
  std::vector<Seen> seen_;  // per stream slot, at the last summary
};

}  // namespace srs::worker
