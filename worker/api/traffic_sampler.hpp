// TrafficSampler: the kbps figures of the HTTP API (kbps.recv_30s and
// kbps.send_30s of streams, clients and vhosts), from the shared byte
// counters sampled over time by the worker that answers.
//
// Every kStepMs a sample of every stream's bytes_in and every client's bytes
// in and out is kept, kSamples deep. A rate is the growth since the oldest
// sample of the same stream generation (client incarnation), i.e. over the
// last 30 to 40 s; a stream or client younger than that gets its average
// since it began. The sampler starts with the first API request (a worker
// nobody asks pays nothing), so the first answers of a worker show rates over
// the lifetime of each stream or client until the window fills.
#pragma once

#include "worker/core/ev.hpp"

#include <cstdint>
#include <vector>

#include "shm/control.hpp"

namespace srs::worker {

struct Kbps {
  uint64_t recv = 0;
  uint64_t send = 0;
};

class TrafficSampler {
 public:
  static constexpr int kSamples = 4;
  static constexpr int64_t kStepMs = 10000;

  // `base` may be null (tests): then samples are taken only by sample().
  TrafficSampler(event_base* base, const shm::Control& control);
  TrafficSampler(const TrafficSampler&) = delete;
  TrafficSampler& operator=(const TrafficSampler&) = delete;

  // Starts the periodic sampling (the first API request calls it).
  void activate();
  // Takes one sample now (CLOCK_MONOTONIC ms).
  void sample(int64_t now_ms);

  // now_wall: wall seconds (the API's "alive"); now_ms as for sample().
  Kbps stream(const shm::StreamInfo& s, int64_t now_ms, uint32_t now_wall) const;
  Kbps client(const shm::ClientInfo& c, int64_t now_ms, uint32_t now_wall) const;

 private:
  struct StreamSample {
    uint32_t generation = 0;
    bool live = false;
    uint64_t in = 0;
  };
  struct ClientSample {
    uint32_t incarnation = 0;
    bool active = false;
    uint64_t in = 0, out = 0;
  };
  static void on_timer(evutil_socket_t, short, void* arg);
  int oldest() const { return taken_ < kSamples ? 0 : next_; }

  event_base* base_;
  const shm::Control& control_;
  EventPtr timer_;
  int taken_ = 0;  // samples taken, up to kSamples
  int next_ = 0;   // the ring index of the next sample
  int64_t at_ms_[kSamples] = {};
  std::vector<StreamSample> streams_;  // [sample * capacity + slot]
  std::vector<ClientSample> clients_;
};

}  // namespace srs::worker
