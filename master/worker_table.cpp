// Worker slots and their respawns (see worker_table.hpp).
#include "master/worker_table.hpp"

#include <algorithm>

namespace srs::master {

const char* slot_state_name(SlotState state) {
  switch (state) {
    case SlotState::kFree:
      return "free";
    case SlotState::kStarting:
      return "starting";
    case SlotState::kReady:
      return "ready";
    case SlotState::kDraining:
      return "draining";
    case SlotState::kWaiting:
      return "waiting";
  }
  return "?";
}

int WorkerTable::find_pid(pid_t pid) const {
  for (int i = 0; i < kMaxWorkerSlots; i++) {
    const WorkerSlot& s = slots_[size_t(i)];
    if (s.pid == pid && s.state != SlotState::kFree && s.state != SlotState::kWaiting) return i;
  }
  return -1;
}

std::vector<int> WorkerTable::take_free(int count) const {
  std::vector<int> out;
  for (int i = 0; i < kMaxWorkerSlots && int(out.size()) < count; i++) {
    if (slots_[size_t(i)].state == SlotState::kFree) out.push_back(i);
  }
  if (int(out.size()) < count) out.clear();
  return out;
}

std::vector<int> WorkerTable::of_generation(uint32_t generation) const {
  std::vector<int> out;
  for (int i = 0; i < kMaxWorkerSlots; i++) {
    const WorkerSlot& s = slots_[size_t(i)];
    if (s.state != SlotState::kFree && s.generation == generation) out.push_back(i);
  }
  return out;
}

int WorkerTable::live_count() const {
  return int(std::count_if(slots_.begin(), slots_.end(), [](const WorkerSlot& s) {
    return s.state == SlotState::kStarting || s.state == SlotState::kReady ||
           s.state == SlotState::kDraining;
  }));
}

int WorkerTable::count(uint32_t generation, SlotState state) const {
  return int(std::count_if(slots_.begin(), slots_.end(), [&](const WorkerSlot& s) {
    return s.generation == generation && s.state == state;
  }));
}

void WorkerTable::mark_started(int slot, pid_t pid, uint32_t generation, int64_t now_ms) {
  WorkerSlot& s = at(slot);
  if (s.generation != generation) s.history = RestartHistory{};  // a fresh slot for this generation
  s.state = SlotState::kStarting;
  s.pid = pid;
  s.generation = generation;
  s.respawn_at_ms = 0;
  policy_.started(&s.history, now_ms);
}

int64_t WorkerTable::schedule_respawn(int slot, int64_t now_ms) {
  WorkerSlot& s = at(slot);
  s.pid = 0;
  int64_t delay = policy_.exited(&s.history, now_ms).delay_ms;  // never gives up
  s.state = SlotState::kWaiting;
  s.respawn_at_ms = now_ms + delay;
  return delay;
}

int64_t WorkerTable::next_respawn_ms() const {
  int64_t next = -1;
  for (const WorkerSlot& s : slots_) {
    if (s.state != SlotState::kWaiting) continue;
    if (next < 0 || s.respawn_at_ms < next) next = s.respawn_at_ms;
  }
  return next;
}

}  // namespace srs::master
