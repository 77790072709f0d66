// Taking no more than this worker's share of new connections (see accept_gate.hpp).
#include "worker/core/accept_gate.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

#include "base/clock.hpp"

namespace srs::worker {

AcceptGate::AcceptGate(event_base* base, shm::WorkerTable& workers, uint32_t slot)
    : workers_(workers), slot_(slot), resume_ev_(make_timer(base, on_resume_cb, this)) {}

void AcceptGate::add(evconnlistener* listener) {
  listeners_.push_back(listener);
  if (paused_) (void)evconnlistener_disable(listener);
}

void AcceptGate::remove(evconnlistener* listener) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
}

bool AcceptGate::over_share(uint32_t mine, uint32_t least, uint32_t max_connections) noexcept {
  if (least == UINT32_MAX) return false;
  if (mine >= max_connections) return least < max_connections;
  // A slack of a few connections and 1/16: the split stays within about 6%
  // without pausing at every accept while the counts are even.
  uint64_t allowed = uint64_t(least) + 2 + least / 16;
  return mine > allowed;
}

bool AcceptGate::over_share_now() const {
  uint32_t mine = workers_.counters(slot_).connections_now.load(std::memory_order_relaxed);
  return over_share(mine, workers_.least_connections(slot_), max_connections_);
}

bool AcceptGate::queue_waiting() const {
  for (evconnlistener* l : listeners_) {
    // For a listening socket Linux reports the accept queue's length here.
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(evconnlistener_get_fd(l), IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
        info.tcpi_unacked > 0) {
      return true;
    }
  }
  return false;
}

void AcceptGate::after_accept(uint32_t max_connections) {
  max_connections_ = max_connections;
  if (paused_ || !over_share_now()) return;
  if (open_until_ms_ != 0 && base::mono_ms() < open_until_ms_) return;
  paused_ = true;
  paused_ms_ = 0;
  queue_looks_ = 0;
  ++pauses_;
  // libevent's accept loop checks after each callback whether the listener
  // was disabled: the rest of the queue stays for the other workers.
  for (evconnlistener* l : listeners_) (void)evconnlistener_disable(l);
  wait_a_moment();
}

void AcceptGate::wait_a_moment() {
  paused_ms_ += kPauseMs;
  timeval pause{0, kPauseMs * 1000};
  evtimer_add(resume_ev_.get(), &pause);
}

void AcceptGate::on_resume_cb(evutil_socket_t, short, void* arg) {
  static_cast<AcceptGate*>(arg)->resume();
}

void AcceptGate::resume() {
  uint32_t mine = workers_.counters(slot_).connections_now.load(std::memory_order_relaxed);
  if (!over_share(mine, workers_.least_connections(slot_), max_connections_) ||
      paused_ms_ >= kMaxPauseMs) {
    return open();
  }
  // Still over its share. A queue still there look after look, with
  // nothing accepted by the others meanwhile, has no taker.
  uint32_t accepted = workers_.accepted_by_others(slot_);
  bool waiting = mine < max_connections_ && queue_waiting();
  bool untaken = waiting && (queue_looks_ == 0 || accepted == others_accepted_);
  queue_looks_ = untaken ? queue_looks_ + 1 : 0;
  others_accepted_ = accepted;
  if (queue_looks_ > kNoTakerLooks) {
    open_until_ms_ = base::mono_ms() + kOpenMs;
    return open();
  }
  wait_a_moment();
}

void AcceptGate::open() {
  paused_ = false;
  for (evconnlistener* l : listeners_) (void)evconnlistener_enable(l);
}

}  // namespace srs::worker
