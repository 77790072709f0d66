// The worker's streams, players waiting for streams, and wake-ups (see stream_hub.hpp).
#include "worker/stream/stream_hub.hpp"

#include <algorithm>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "shm/ring_reader.hpp"
#include "worker/core/connections.hpp"

namespace srs::worker {

StreamHub::StreamHub(Services& svc) : svc_(svc) {
  wakeup_ev_ =
      make_event(svc.base, svc.wakeups->fd(svc.slot), EV_READ | EV_PERSIST, on_wakeup_cb, this);
  event_add(wakeup_ev_.get(), nullptr);
  seen_epoch_ = svc.control->registry().epoch();
}

StreamHub::~StreamHub() = default;

LocalStream* StreamHub::attach(const std::string& key, StreamSubscriber* sub,
                               const conf::PlayConfig& play, shm::StreamState* state,
                               std::string* why) {
  shm::Registry& reg = svc_.control->registry();
  base::Result<shm::StreamInfo> found = reg.find(key);
  *state = found.is_ok() ? found->state : shm::StreamState::kFree;
  if (!found.is_ok() || found->state != shm::StreamState::kLive) return nullptr;
  for (auto& s : streams_) {
    if (s->slot == found->slot && s->epoch == found->ring_epoch) {
      s->subs.push_back(sub);
      reg.add_players(s->slot, svc_.slot, +1);
      return s.get();
    }
  }
  base::Result<shm::Segment> seg =
      shm::Segment::open(svc_.control->ring_name(found->slot, found->ring_epoch));
  if (!seg.is_ok()) {
    *why = "opening the ring of " + key + " failed: " + seg.status().to_string();
    return nullptr;
  }
  auto ls = std::make_unique<LocalStream>();
  ls->hub = this;
  ls->slot = found->slot;
  ls->epoch = found->ring_epoch;
  ls->key = key;
  ls->segment = std::move(*seg);
  shm::RingReader probe;
  if (base::Status s = probe.attach(ls->segment.data(), ls->segment.size()); !s.is_ok()) {
    *why = "attaching to the ring of " + key + " failed: " + s.to_string();
    return nullptr;
  }
  ls->ring = probe.ring();
  ls->merge_window = play.merge_window;
  ls->merge_ceiling = play.merge_ceiling;
  ls->flush_timer = make_timer(svc_.base, on_flush_cb, ls.get());
  ls->subs.push_back(sub);
  reg.add_players(ls->slot, svc_.slot, +1);
  streams_.push_back(std::move(ls));
  return streams_.back().get();
}

void StreamHub::detach(LocalStream* stream, StreamSubscriber* sub) {
  auto& subs = stream->subs;
  subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
  svc_.control->registry().add_players(stream->slot, svc_.slot, -1);
  if (!subs.empty()) return;
  for (auto it = streams_.begin(); it != streams_.end(); ++it) {
    if (it->get() != stream) continue;
    streams_.erase(it);  // frees its timer, unmaps the segment
    return;
  }
}

bool StreamHub::wait_for(const std::string& key, StreamSubscriber* sub) {
  shm::Registry& reg = svc_.control->registry();
  reg.add_waiter(svc_.slot);
  base::Result<shm::StreamInfo> found = reg.find(key);
  if (found.is_ok() && found->state == shm::StreamState::kLive) return false;
  waiting_.push_back({key, sub});
  return true;
}

void StreamHub::cancel_wait(StreamSubscriber* sub) {
  waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(),
                                [sub](const Waiting& w) { return w.sub == sub; }),
                 waiting_.end());
}

shm::StreamState StreamHub::state_of(const LocalStream* stream, uint32_t* generation) const {
  shm::StreamInfo info;
  if (!svc_.control->registry().read(stream->slot, &info)) return shm::StreamState::kEnded;
  if (generation) *generation = info.generation;
  if (info.key != stream->key || info.ring_epoch != stream->epoch) return shm::StreamState::kEnded;
  return info.state;
}

void StreamHub::on_wakeup_cb(evutil_socket_t, short, void* arg) {
  static_cast<StreamHub*>(arg)->on_wakeup();
}
void StreamHub::on_flush_cb(evutil_socket_t, short, void* arg) {
  auto* stream = static_cast<LocalStream*>(arg);
  StreamHub* hub = stream->hub;
  Pass pass = hub->begin_pass(base::mono_ns());
  pass.window_ms = hub->window_ms(stream, pass);
  hub->flush(stream, pass);
  hub->end_pass(pass);
}

void StreamHub::on_wakeup() {
  (void)svc_.wakeups->drain(svc_.slot);
  const int64_t now_ns = base::mono_ns();
  note_lateness(now_ns);
  // A kick through the API (Control::kick_client) rings this doorbell too;
  // the mailbox word makes the check one exchange when nobody was kicked.
  if (svc_.control->workers().take_kicks(svc_.slot)) (void)svc_.conns->close_kicked();
  on_registry_change();
  // A writer wakes this worker once per batch for every ring it announced
  // sleep on; a sleeping stream whose tail has not moved was not among them.
  // A flush may detach a stream (its last player closed), so walk a copy;
  // the copy reuses its capacity.
  std::vector<LocalStream*> due;
  due.swap(due_scratch_);
  due.clear();
  for (auto& s : streams_) {
    if (!s->sleeping || s->ring.header()->tail.load(std::memory_order_acquire) != s->flush_tail) {
      due.push_back(s.get());
    }
  }
  if (!due.empty()) {
    Pass pass = begin_pass(now_ns);
    for (LocalStream* s : due) schedule(s, pass);
    end_pass(pass);
  }
  due.swap(due_scratch_);
}

StreamHub::Pass StreamHub::begin_pass(int64_t now_ns) const {
  return Pass{now_ns, load_.window_share(now_ns), 0};
}

// The pass counts as writing time (the window's load), and the API's gauges
// show it.
void StreamHub::end_pass(const Pass& pass) {
  const int64_t end_ns = base::mono_ns();
  load_.add_pass(pass.start_ns, end_ns);
  shm::WorkerCounters& c = svc_.control->workers().counters(svc_.slot);
  c.write_busy_permille.store(uint32_t(load_.busy(end_ns) * 1000), std::memory_order_relaxed);
  c.merge_window_ms.store(uint32_t(pass.window_ms), std::memory_order_relaxed);
}

int64_t StreamHub::window_ms(const LocalStream* stream) const {
  if (!stream->merge_window.automatic) return stream->merge_window.fixed.count();
  return load_.window_ms(stream->merge_ceiling.count(), base::mono_ns());
}

int64_t StreamHub::window_ms(const LocalStream* stream, Pass& pass) const {
  pass.window_ms = stream->merge_window.automatic
                       ? WriteLoad::window_of(stream->merge_ceiling.count(), pass.share)
                       : stream->merge_window.fixed.count();
  return pass.window_ms;
}

void StreamHub::schedule(LocalStream* stream, Pass& pass) {
  stream->sleeping = false;
  int64_t window = window_ms(stream, pass);
  int64_t now = pass.start_ns / 1000000;
  if (window <= 0 || now - stream->last_flush_ms >= window) return flush(stream, pass);
  if (evtimer_pending(stream->flush_timer.get(), nullptr)) return;
  int64_t wait = stream->last_flush_ms + window - now;
  timeval tv{long(wait / 1000), long((wait % 1000) * 1000)};
  evtimer_add(stream->flush_timer.get(), &tv);
}

void StreamHub::flush(LocalStream* stream, const Pass& pass) {
  stream->last_flush_ms = pass.start_ns / 1000000;
  stream->flush_tail = stream->ring.header()->tail.load(std::memory_order_acquire);
  // Subscribers are destroyed at the end of the loop iteration, never while
  // being pumped, so the copy only guards against the list changing. It
  // reuses the hub's scratch capacity: no allocation per flush.
  std::vector<StreamSubscriber*> subs;
  subs.swap(subs_scratch_);
  subs.assign(stream->subs.begin(), stream->subs.end());
  for (StreamSubscriber* sub : subs) (void)sub->on_stream_data();
  subs.swap(subs_scratch_);
  // Sleep whatever each player did: one that caught up waits for the next
  // wake-up, one whose socket is full (or that yielded) goes on from its
  // own EV_WRITE. Not sleeping because of a blocked player would stop the
  // wake-ups, and with them every other player of this stream here.
  maybe_sleep(stream);
}

void StreamHub::maybe_sleep(LocalStream* stream) {
  if (stream->sleeping || evtimer_pending(stream->flush_timer.get(), nullptr)) return;
  stream->sleeping = true;
  // Dekker: with the bit set, a commit after this load wakes us; one before
  // it shows as a tail past what the last flush started from. Then flush
  // again (within the merge window) instead of sleeping on it.
  uint32_t tail = stream->ring.announce_sleep(svc_.slot);
  if (tail != stream->flush_tail) {
    stream->sleeping = false;
    if (!evtimer_pending(stream->flush_timer.get(), nullptr)) {
      int64_t window = window_ms(stream);
      int64_t wait = std::max<int64_t>(0, stream->last_flush_ms + window - base::mono_ms());
      timeval tv{long(wait / 1000), long((wait % 1000) * 1000)};
      evtimer_add(stream->flush_timer.get(), &tv);
    }
  }
}

// A publisher stamped its first ring since the last wake-up: the time from
// there to here is time the worker owed its players (it was busy, preempted
// or throttled), and counts as load. Beyond 10 s it is a stale stamp (a
// worker restarted in the slot), not lateness.
void StreamHub::note_lateness(int64_t now_ns) {
  uint32_t rung = svc_.control->workers().take_rung(svc_.slot);
  if (rung == 0) return;
  uint32_t late_us = uint32_t(now_ns / 1000) - rung;
  if (late_us > 10'000'000u) return;
  load_.add_late(now_ns - int64_t(late_us) * 1000, now_ns);
}

// One load when nothing changed; otherwise waiting players try again and
// attached ones look at their stream's state (ended, taken over).
void StreamHub::on_registry_change() {
  uint32_t epoch = svc_.control->registry().epoch();
  if (epoch == seen_epoch_) return;
  seen_epoch_ = epoch;
  retry_waiting();
  check_states();
}

void StreamHub::retry_waiting() {
  if (waiting_.empty()) return;
  std::vector<Waiting> waiting;
  waiting.swap(waiting_);
  for (const Waiting& w : waiting) w.sub->on_stream_state();  // each re-attaches or waits again
  if (!waiting_.empty()) svc_.control->registry().add_waiter(svc_.slot);
}

void StreamHub::check_states() {
  std::vector<StreamSubscriber*> changed;
  for (auto& s : streams_) {
    shm::StreamState state = state_of(s.get());
    if (state != shm::StreamState::kLive && state != shm::StreamState::kLost) {
      for (StreamSubscriber* sub : s->subs) changed.push_back(sub);
    }
  }
  for (StreamSubscriber* sub : changed) sub->on_stream_state();
}

}  // namespace srs::worker
