// AcceptGate: spreads new connections evenly over the workers.
//
// Every worker accepts from the same listening sockets, and the kernel wakes
// them all for a new connection: the first to run takes it, and libevent
// then accepts the whole queue in one go. So a busy worker (the publisher's)
// loses the race and an idle one takes whole bursts: 400 players ramped onto
// 2 workers split 333/67 (BENCH.md), which halves what two workers deliver.
//
// After each accepted connection the gate compares this worker's open
// connections with the least loaded other Ready worker's (shared counters,
// shm/workers.hpp). When it holds more than that plus a slack, it stops
// accepting and leaves the queue to the others, looking again every
// kPauseMs until it is back within its share. A worker that reached
// rtmp.max_connections pauses too while another has room: a connection is
// refused only when every worker is full.
//
// A peer that does not accept (hung, stopped) must not leave connections
// waiting: at each look the gate also reads the length of its listeners'
// accept queues (TCP_INFO) and how many connections the others accepted. A
// queue at kNoTakerLooks looks in a row while the others accepted nothing
// has no taker (one look is not enough: on a loaded machine a healthy peer
// can wait that long for a CPU): the gate takes it and stays open for
// kOpenMs (unless this worker is full: it could only refuse them). A pause
// lasts kMaxPauseMs at most in any case.
#pragma once

#include <event2/event.h>
#include <event2/listener.h>

#include <cstdint>
#include <vector>

#include "shm/workers.hpp"
#include "worker/core/ev.hpp"

namespace srs::worker {

class AcceptGate {
 public:
  static constexpr int kPauseMs = 20;
  static constexpr int kMaxPauseMs = 1000;
  static constexpr int kOpenMs = 1000;
  static constexpr int kNoTakerLooks = 5;

  AcceptGate(event_base* base, shm::WorkerTable& workers, uint32_t slot);
  AcceptGate(const AcceptGate&) = delete;
  AcceptGate& operator=(const AcceptGate&) = delete;

  // The listeners a pause disables; remove() one before freeing it.
  void add(evconnlistener* listener);
  void remove(evconnlistener* listener);
  // Called after each accepted (or refused) connection, with this worker's
  // limit (rtmp.max_connections).
  void after_accept(uint32_t max_connections);
  // True when `mine` connections are more than this worker's share, next to
  // `least` on the least loaded other worker (UINT32_MAX: no other); or when
  // this worker is full and another is not, so that it is the others that
  // take the next connections instead of this one refusing them.
  static bool over_share(uint32_t mine, uint32_t least, uint32_t max_connections) noexcept;
  uint64_t pauses() const { return pauses_; }

 private:
  static void on_resume_cb(evutil_socket_t, short, void* arg);
  bool over_share_now() const;
  bool queue_waiting() const;
  void wait_a_moment();
  void resume();
  void open();

  shm::WorkerTable& workers_;
  uint32_t slot_;
  EventPtr resume_ev_;
  std::vector<evconnlistener*> listeners_;
  bool paused_ = false;
  int paused_ms_ = 0;             // of the current pause
  int queue_looks_ = 0;           // looks in a row with a queue and nothing taken
  uint32_t others_accepted_ = 0;  // at the last look
  int64_t open_until_ms_ = 0;     // no pause before (a queue had no taker)
  uint32_t max_connections_ = UINT32_MAX;
  uint64_t pauses_ = 0;
};

}  // namespace srs::worker
