// The master's table of worker processes: which slot runs which pid of which
// generation, and when a slot whose worker died runs a new one (the back-off
// itself is RestartPolicy's, shared with the exec'd children).
//
// A slot is a stable identity (its wake-up eventfd and shared-memory entries
// are per slot): a worker that dies is restarted in the same slot. During a
// reload the old generation keeps its slots while it drains and the new
// generation takes free ones, so there are more slots than workers.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <vector>

#include "master/restart_policy.hpp"

namespace srs::master {

inline constexpr int kMaxWorkerSlots = 64;

enum class SlotState : uint8_t {
  kFree,
  kStarting,  // forked, not yet reported ready
  kReady,     // serving
  kDraining,  // told to stop accepting; finishes its connections
  kWaiting,   // its worker died; respawn scheduled at respawn_at_ms
};
const char* slot_state_name(SlotState state);

struct WorkerSlot {
  SlotState state = SlotState::kFree;
  pid_t pid = 0;
  uint32_t generation = 0;
  int64_t respawn_at_ms = 0;
  RestartHistory history;  // quick exits in a row, restarts (per generation)
};

class WorkerTable {
 public:
  WorkerSlot& at(int slot) { return slots_[size_t(slot)]; }
  const WorkerSlot& at(int slot) const { return slots_[size_t(slot)]; }
  // The slot running `pid`, or -1.
  int find_pid(pid_t pid) const;
  // `count` free slots, lowest first; empty if there are not enough.
  std::vector<int> take_free(int count) const;
  // Slots of `generation` in any live state (starting, ready, draining, waiting).
  std::vector<int> of_generation(uint32_t generation) const;
  int live_count() const;  // slots with a process (starting, ready, draining)
  int count(uint32_t generation, SlotState state) const;

  void mark_started(int slot, pid_t pid, uint32_t generation, int64_t now_ms);
  // The worker in `slot` exited and the slot will run a new one: schedules
  // the respawn with the policy's back-off and returns the delay. A worker's
  // policy never gives up.
  int64_t schedule_respawn(int slot, int64_t now_ms);
  // The slot is no longer used (its generation is draining or stopped).
  void release(int slot) { at(slot) = WorkerSlot{}; }
  // The earliest respawn time among waiting slots, or -1.
  int64_t next_respawn_ms() const;

 private:
  RestartPolicy policy_ = RestartPolicy::worker();
  std::array<WorkerSlot, kMaxWorkerSlots> slots_{};
};

}  // namespace srs::master
