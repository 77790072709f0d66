// Periodic worker and stream summaries (see summary.hpp).
#include "worker/core/summary.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"
#include "shm/registry.hpp"

namespace srs::worker {
namespace {

uint64_t kbps(uint64_t bytes, double seconds) {
  return seconds > 0 ? uint64_t(double(bytes) * 8 / 1000 / seconds) : 0;
}

}  // namespace

Summary::Summary(Services& svc) : svc_(svc) {
  timer_ = make_timer(svc.base, on_timer, this, EV_PERSIST);
  add_after_ms(timer_.get(), svc.config->log.summary_interval.count());
  last_ms_ = base::mono_ms();
  seen_.assign(svc.control->registry().capacity(), Seen{});
}

void Summary::on_timer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Summary*>(arg);
  int64_t now = base::mono_ms();
  double seconds = double(now - self->last_ms_) / 1000;
  self->last_ms_ = now;
  self->svc_.control->workers().heartbeat(self->svc_.slot, uint32_t(now / 1000));
  self->log_worker(seconds);
  self->log_streams(seconds);
}

void Summary::log_worker(double seconds) {
  shm::WorkerCounters& c = svc_.control->workers().counters(svc_.slot);
  uint64_t in = c.bytes_in.load(), out = c.bytes_out.load();
  uint32_t conns = c.connections_now.load(std::memory_order_relaxed);
  if (conns == 0 && in == last_in_ && out == last_out_) return;  // an idle worker stays quiet
  LOG_INFO(
      "summary: %u connections (%u publishing, %u playing), in %llu kbps, out %llu kbps, "
      "%u lapped, %u dropped",
      conns, c.publishers.load(std::memory_order_relaxed),
      c.players.load(std::memory_order_relaxed), (unsigned long long)kbps(in - last_in_, seconds),
      (unsigned long long)kbps(out - last_out_, seconds),
      c.lapped_players.load(std::memory_order_relaxed),
      c.dropped_players.load(std::memory_order_relaxed));
  last_in_ = in;
  last_out_ = out;
}

void Summary::log_streams(double seconds) {
  shm::Registry& reg = svc_.control->registry();
  for (uint32_t slot = 0; slot < reg.capacity(); slot++) {
    shm::StreamInfo info;
    if (!reg.read(slot, &info) || info.owner_slot != svc_.slot) continue;
    if (info.state != shm::StreamState::kLive) continue;
    // A republish (a new generation, maybe by another publisher) counts
    // from zero again: its bytes since then are all new.
    Seen& seen = seen_[slot];
    uint64_t since =
        seen.generation == info.generation && info.bytes_in >= seen.bytes ? seen.bytes : 0;
    uint64_t delta = info.bytes_in - since;
    seen = {info.generation, info.bytes_in};
    LOG_INFO("stream %s: in %llu kbps, %llu messages, %u players on all workers", info.key,
             (unsigned long long)kbps(delta, seconds), (unsigned long long)info.messages,
             info.players);
  }
}

}  // namespace srs::worker
