// Worker slots and the respawn policy (see worker_table.hpp).
#include "master/worker_table.hpp"

#include <algorithm>

namespace srs::master {

int64_t respawn_delay_ms(int quick_exits) {
  if (quick_exits <= 0) return 0;
  int64_t delay = kFirstBackoffMs;
  for (int i = 1; i < quick_exits && delay < kMaxBackoffMs; i++) delay *= 2;
  return std::min(delay, kMaxBackoffMs);
}

const char* slot_state_name(SlotState state) {
  switch (state) {
    case SlotState::kFree: return "free";
    case SlotState::kStarting: return "starting";
    case SlotState::kReady: return "ready";
    case SlotState::kDraining: return "draining";
    case SlotState::kWaiting: return "waiting";
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
  if (s.generation != generation) {  // a fresh slot for this generation
    s.quick_exits = 0;
    s.restarts = 0;
  }
  s.state = SlotState::kStarting;
  s.pid = pid;
  s.generation = generation;
  s.started_ms = now_ms;
  s.respawn_at_ms = 0;
}

int64_t WorkerTable::schedule_respawn(int slot, int64_t now_ms) {
  WorkerSlot& s = at(slot);
  s.pid = 0;
  s.quick_exits = (now_ms - s.started_ms < kStableMs) ? s.quick_exits + 1 : 0;
  int64_t delay = respawn_delay_ms(s.quick_exits);
  s.state = SlotState::kWaiting;
  s.respawn_at_ms = now_ms + delay;
  s.restarts++;
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
