// WorkerTable: the worker slots of the control region; see workers.hpp.
#include "shm/workers.hpp"

#include <algorithm>
#include <cstdint>

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;

uint32_t raw(WorkerState s) noexcept {
  return static_cast<uint32_t>(s);
}

void zero(WorkerCounters& c) noexcept {
  for (Atomic32* w :
       {&c.heartbeat,           &c.connections_now, &c.connections_total,  &c.players,
        &c.publishers,          &c.lapped_players,  &c.dropped_players,    &c.output_gaps,
        &c.forward_retries,     &c.edge_retries,    &c.handshake_timeouts, &c.header_timeouts,
        &c.refused_token,       &c.refused_address, &c.refused_refer,      &c.refused_per_ip,
        &c.refused_publishers,  &c.refused_players, &c.directory_up,       &c.directory_failures,
        &c.write_busy_permille, &c.merge_window_ms}) {
    w->store(0, kRelaxed);
  }
  for (Counter64* k : {&c.bytes_in, &c.bytes_out, &c.messages_in, &c.messages_out}) k->reset();
}
}  // namespace

const char* worker_state_name(WorkerState state) noexcept {
  switch (state) {
    case WorkerState::kFree:
      return "free";
    case WorkerState::kStarting:
      return "starting";
    case WorkerState::kReady:
      return "ready";
    case WorkerState::kDraining:
      return "draining";
    case WorkerState::kDead:
      return "dead";
  }
  return "unknown";
}

uint32_t WorkerTable::find_free() const noexcept {
  for (uint32_t i = 0; i < kWorkerSlots; ++i) {
    const WorkerState s = state(i);
    if (s == WorkerState::kFree || s == WorkerState::kDead) return i;
  }
  return kNoSlot;
}

Result<uint32_t> WorkerTable::reserve(uint32_t slot, uint32_t now_wall,
                                      uint32_t config_generation) noexcept {
  if (slot >= kWorkerSlots) return Status::fail(Errc::kInvalid, "worker slot out of range");
  if (running(slot)) return Status::fail(Errc::kRejected, "worker slot is in use");
  WorkerSlot& w = slots_[slot];
  zero(w.owned.c);
  w.mailbox.kicks_pending.store(0, kRelaxed);
  w.mailbox.rung_us.store(0, kRelaxed);
  w.id.pid.store(0, kRelaxed);
  w.id.started_at.store(now_wall, kRelaxed);
  const uint32_t gen = w.id.generation.load(kRelaxed) + 1;
  w.id.generation.store(gen, kRelaxed);
  w.id.config_generation.store(config_generation, kRelaxed);
  w.id.state.store(raw(WorkerState::kStarting), kRelease);
  return gen;
}

void WorkerTable::set_pid(uint32_t slot, uint32_t pid) noexcept {
  if (slot < kWorkerSlots) slots_[slot].id.pid.store(pid, kRelease);
}

void WorkerTable::mark_dead(uint32_t slot) noexcept {
  if (slot < kWorkerSlots) slots_[slot].id.state.store(raw(WorkerState::kDead), kRelease);
}

void WorkerTable::release(uint32_t slot) noexcept {
  if (slot >= kWorkerSlots) return;
  uint32_t expected = raw(WorkerState::kDead);
  slots_[slot].id.state.compare_exchange_strong(expected, raw(WorkerState::kFree));
}

Status WorkerTable::set_ready(uint32_t slot, uint32_t pid) noexcept {
  if (slot >= kWorkerSlots) return Status::fail(Errc::kInvalid, "worker slot out of range");
  slots_[slot].id.pid.store(pid, kRelease);
  uint32_t expected = raw(WorkerState::kStarting);
  if (slots_[slot].id.state.compare_exchange_strong(expected, raw(WorkerState::kReady))) {
    return Status::ok();
  }
  return Status::fail(Errc::kRejected, "worker slot is not starting");
}

Status WorkerTable::set_draining(uint32_t slot) noexcept {
  if (slot >= kWorkerSlots) return Status::fail(Errc::kInvalid, "worker slot out of range");
  uint32_t expected = raw(WorkerState::kReady);
  if (slots_[slot].id.state.compare_exchange_strong(expected, raw(WorkerState::kDraining))) {
    return Status::ok();
  }
  return Status::fail(Errc::kRejected, "worker slot is not ready");
}

void WorkerTable::heartbeat(uint32_t slot, uint32_t now_mono) noexcept {
  if (slot < kWorkerSlots) slots_[slot].owned.c.heartbeat.store(now_mono, kRelaxed);
}

bool WorkerTable::take_kicks(uint32_t slot) noexcept {
  if (slot >= kWorkerSlots) return false;
  Atomic32& pending = slots_[slot].mailbox.kicks_pending;
  // Called at every wake-up: a plain load keeps the mailbox line shared when
  // nobody was kicked (a kicker flags before it rings, so a flag this load
  // misses comes with a later wake-up).
  if (pending.load(std::memory_order_relaxed) == 0) return false;
  // acquire: pairs with flag_kick's release, so the kick words are visible.
  return pending.exchange(0, std::memory_order_acq_rel) != 0;
}

uint32_t WorkerTable::take_rung(uint32_t slot) noexcept {
  if (slot >= kWorkerSlots) return 0;
  Atomic32& rung = slots_[slot].mailbox.rung_us;
  if (rung.load(kRelaxed) == 0) return 0;
  return rung.exchange(0, kRelaxed);
}

void WorkerTable::note_rung(uint32_t slot, uint32_t now_us) noexcept {
  if (slot >= kWorkerSlots) return;
  Atomic32& rung = slots_[slot].mailbox.rung_us;
  // A plain load first: while the worker has not looked, the line stays shared.
  uint32_t none = 0;
  if (rung.load(kRelaxed) == 0) (void)rung.compare_exchange_strong(none, now_us | 1u, kRelaxed);
}

void WorkerTable::flag_kick(uint32_t slot) noexcept {
  if (slot < kWorkerSlots) slots_[slot].mailbox.kicks_pending.store(1, kRelease);
}

WorkerState WorkerTable::state(uint32_t slot) const noexcept {
  if (slot >= kWorkerSlots) return WorkerState::kFree;
  return static_cast<WorkerState>(slots_[slot].id.state.load(kAcquire));
}

uint32_t WorkerTable::pid(uint32_t slot) const noexcept {
  return slot < kWorkerSlots ? slots_[slot].id.pid.load(kAcquire) : 0;
}

bool WorkerTable::running(uint32_t slot) const noexcept {
  const WorkerState s = state(slot);
  return s == WorkerState::kStarting || s == WorkerState::kReady || s == WorkerState::kDraining;
}

uint32_t WorkerTable::least_connections(uint32_t except) const noexcept {
  uint32_t least = UINT32_MAX;
  for (uint32_t slot = 0; slot < kWorkerSlots; ++slot) {
    if (slot == except || state(slot) != WorkerState::kReady) continue;
    least = std::min(least, slots_[slot].owned.c.connections_now.load(kRelaxed));
  }
  return least;
}

uint32_t WorkerTable::accepted_by_others(uint32_t except) const noexcept {
  uint32_t sum = 0;
  for (uint32_t slot = 0; slot < kWorkerSlots; ++slot) {
    if (slot == except || state(slot) != WorkerState::kReady) continue;
    sum += slots_[slot].owned.c.connections_total.load(kRelaxed);
  }
  return sum;
}

WorkerInfo WorkerTable::read(uint32_t slot) const noexcept {
  WorkerInfo info;
  if (slot >= kWorkerSlots) return info;
  const WorkerSlot& w = slots_[slot];
  const WorkerCounters& c = w.owned.c;
  info.state = state(slot);
  info.pid = w.id.pid.load(kAcquire);
  info.generation = w.id.generation.load(kRelaxed);
  info.config_generation = w.id.config_generation.load(kRelaxed);
  info.started_at = w.id.started_at.load(kRelaxed);
  info.heartbeat = c.heartbeat.load(kRelaxed);
  info.connections_now = c.connections_now.load(kRelaxed);
  info.connections_total = c.connections_total.load(kRelaxed);
  info.players = c.players.load(kRelaxed);
  info.publishers = c.publishers.load(kRelaxed);
  info.lapped_players = c.lapped_players.load(kRelaxed);
  info.dropped_players = c.dropped_players.load(kRelaxed);
  info.output_gaps = c.output_gaps.load(kRelaxed);
  info.forward_retries = c.forward_retries.load(kRelaxed);
  info.edge_retries = c.edge_retries.load(kRelaxed);
  info.handshake_timeouts = c.handshake_timeouts.load(kRelaxed);
  info.header_timeouts = c.header_timeouts.load(kRelaxed);
  info.refused_token = c.refused_token.load(kRelaxed);
  info.refused_address = c.refused_address.load(kRelaxed);
  info.refused_refer = c.refused_refer.load(kRelaxed);
  info.refused_per_ip = c.refused_per_ip.load(kRelaxed);
  info.refused_publishers = c.refused_publishers.load(kRelaxed);
  info.refused_players = c.refused_players.load(kRelaxed);
  info.directory_up = c.directory_up.load(kRelaxed);
  info.directory_failures = c.directory_failures.load(kRelaxed);
  info.write_busy_permille = c.write_busy_permille.load(kRelaxed);
  info.merge_window_ms = c.merge_window_ms.load(kRelaxed);
  info.bytes_in = c.bytes_in.load();
  info.bytes_out = c.bytes_out.load();
  info.messages_in = c.messages_in.load();
  info.messages_out = c.messages_out.load();
  return info;
}

}  // namespace srs::shm
