// Taking no more than this worker's share of new connections (see accept_gate.hpp).
#include "worker/accept_gate.hpp"

#include <algorithm>

namespace srs::worker {

AcceptGate::AcceptGate(event_base* base, shm::WorkerTable& workers, uint32_t slot)
    : workers_(workers), slot_(slot), resume_ev_(evtimer_new(base, on_resume_cb, this)) {}

AcceptGate::~AcceptGate() {
  if (resume_ev_) event_free(resume_ev_);
}

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

void AcceptGate::after_accept(uint32_t max_connections) {
  if (paused_) return;
  uint32_t mine = workers_.counters(slot_).connections_now.load(std::memory_order_relaxed);
  if (!over_share(mine, workers_.least_connections(slot_), max_connections)) return;
  paused_ = true;
  ++pauses_;
  // libevent's accept loop checks after each callback whether the listener
  // was disabled: the rest of the queue stays for the other workers.
  for (evconnlistener* l : listeners_) (void)evconnlistener_disable(l);
  timeval pause{0, kPauseMs * 1000};
  evtimer_add(resume_ev_, &pause);
}

void AcceptGate::on_resume_cb(evutil_socket_t, short, void* arg) {
  static_cast<AcceptGate*>(arg)->resume();
}

void AcceptGate::resume() {
  paused_ = false;
  for (evconnlistener* l : listeners_) (void)evconnlistener_enable(l);
}

}  // namespace srs::worker
