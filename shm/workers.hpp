// WorkerTable: the 64 worker slots of the control region.
//
// A worker slot is the identity of a worker across restarts: its wake-up fd,
// the streams and clients it owns in the other tables (by slot number), its
// counters. The master assigns slots; a reload runs old and new generations
// side by side, so there are more slots (64) than workers.
//
// Who writes what (each group on its own cache line):
//   identity  state, pid, generation, started_at  the master; the worker moves
//             its own state Starting -> Ready -> Draining (CAS)
//   mailbox   kicks_pending                       any worker (Control::kick_client)
//             rung_us                             a publisher waking the worker
//   counters  heartbeat and WorkerCounters        the worker in the slot only
//             (the master resets them in reserve(), before the fork)
// Readers are any process (the HTTP API sums all slots that are Ready or
// Draining). Times: started_at is wall-clock seconds (for the API),
// heartbeat is CLOCK_MONOTONIC seconds (system-wide, for liveness checks).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.hpp"
#include "shm/atomics.hpp"
#include "shm/counter.hpp"

namespace srs::shm {

// The number of worker slots. The same number as ring.hpp's kMaxWorkerSlots
// (the ring's sleepers bitmap); control.cpp checks that they agree. Named
// differently only because both headers may be included together.
inline constexpr uint32_t kWorkerSlots = 64;
inline constexpr uint32_t kNoSlot = 0xFFFFFFFFu;

enum class WorkerState : uint32_t { kFree = 0, kStarting, kReady, kDraining, kDead };
const char* worker_state_name(WorkerState state) noexcept;

// Written only by the worker that runs in the slot.
struct WorkerCounters {
  Atomic32 heartbeat{0};          // CLOCK_MONOTONIC seconds
  Atomic32 connections_now{0};    // gauge
  Atomic32 connections_total{0};  // wraps: compare with seq_diff
  Atomic32 players{0};            // gauge
  Atomic32 publishers{0};         // gauge
  Atomic32 lapped_players{0};     // readers that jumped forward (trap 2)
  Atomic32 dropped_players{0};    // readers disconnected for being too slow
  Atomic32 output_gaps{0};        // times outputs (HLS, DVR) lost records (their own thread adds)
  Atomic32 forward_retries{0};    // forward connections that failed or dropped
  Atomic32 edge_retries{0};       // edge upstream connections that failed or dropped
  Atomic32 handshake_timeouts{
      0};                       // RTMP clients closed for not connecting in rtmp.handshake_timeout
  Atomic32 header_timeouts{0};  // HTTP clients closed for not sending a request head in time
  // Publishes and plays refused by the vhost's rules (worker/access/).
  Atomic32 refused_token{0};    // auth: no token, or a bad one
  Atomic32 refused_address{0};  // security: a deny list, or not in an allow list
  Atomic32 refused_refer{0};    // refer: the page is not of an allowed domain
  // Connections, publishes and plays refused by a limit.
  Atomic32 refused_per_ip{0};      // rtmp.max_connections_per_ip
  Atomic32 refused_publishers{0};  // vhosts.NAME.publish.max_publishers
  Atomic32 refused_players{0};     // vhosts.NAME.play.max_players
  // The origin cluster's Redis (origin_cluster.directory), as this worker sees it.
  Atomic32 directory_up{0};        // 1 while connected
  Atomic32 directory_failures{0};  // times the connection failed or dropped
  // Writing to players (worker/stream/write_load.hpp), gauges set at each flush pass.
  Atomic32 write_busy_permille{0};  // share of the recent wall time spent writing, x1000
  Atomic32 merge_window_ms{0};      // the window of the stream flushed last
  Counter64 bytes_in;
  Counter64 bytes_out;
  Counter64 messages_in;
  Counter64 messages_out;
};

struct alignas(kCacheLine) WorkerSlot {
  struct alignas(kCacheLine) Identity {
    Atomic32 state{0};  // WorkerState
    Atomic32 pid{0};
    Atomic32 generation{0};         // +1 at every start in this slot (wraps)
    Atomic32 config_generation{0};  // the configuration generation it serves (reloads +1)
    Atomic32 started_at{0};         // wall seconds
  } id;
  struct alignas(kCacheLine) Mailbox {
    Atomic32 kicks_pending{0};  // non-zero: some client of this worker was kicked
    // When a publisher first rang this worker for new media since the worker
    // last looked: CLOCK_MONOTONIC microseconds, low 32 bits, never 0 (0: not
    // rung). How late the worker answers is load (worker/stream/write_load.hpp).
    Atomic32 rung_us{0};
  } mailbox;
  struct alignas(kCacheLine) Owned {
    WorkerCounters c;
  } owned;
};
static_assert(sizeof(WorkerSlot) == 4 * kCacheLine, "WorkerSlot is part of the shared ABI");
static_assert(offsetof(WorkerSlot, mailbox) == kCacheLine &&
              offsetof(WorkerSlot, owned) == 2 * kCacheLine);

// A consistent-enough copy of one slot for the API (each field is one load).
struct WorkerInfo {
  WorkerState state = WorkerState::kFree;
  uint32_t pid = 0;
  uint32_t generation = 0;         // starts of the slot
  uint32_t config_generation = 0;  // the configuration generation served
  uint32_t started_at = 0;
  uint32_t heartbeat = 0;
  uint32_t connections_now = 0, connections_total = 0, players = 0, publishers = 0;
  uint32_t lapped_players = 0, dropped_players = 0, output_gaps = 0, forward_retries = 0,
           edge_retries = 0, handshake_timeouts = 0, header_timeouts = 0, refused_token = 0,
           refused_address = 0, refused_refer = 0, refused_per_ip = 0, refused_publishers = 0,
           refused_players = 0, directory_up = 0, directory_failures = 0, write_busy_permille = 0,
           merge_window_ms = 0;
  uint64_t bytes_in = 0, bytes_out = 0, messages_in = 0, messages_out = 0;
};

// A view over the kWorkerSlots slots of a Control region.
class WorkerTable {
 public:
  explicit WorkerTable(WorkerSlot* slots) noexcept : slots_(slots) {}

  // --- master ---
  // The first Free or Dead slot, or kNoSlot.
  uint32_t find_free() const noexcept;
  // Before fork(): Free/Dead -> Starting, generation + 1, counters zeroed,
  // pid 0. Returns the new generation; kRejected if the slot is in use.
  [[nodiscard]] base::Result<uint32_t> reserve(uint32_t slot, uint32_t now_wall,
                                               uint32_t config_generation = 0) noexcept;
  // After fork(), in the master: the child's pid (the child stores the same).
  void set_pid(uint32_t slot, uint32_t pid) noexcept;
  // After waitpid(): any state -> Dead (Control::reclaim_worker calls it).
  void mark_dead(uint32_t slot) noexcept;
  // Dead -> Free, when the master will not restart the slot.
  void release(uint32_t slot) noexcept;

  // --- the worker in `slot` ---
  // Starting -> Ready, storing its own pid. kRejected if not Starting.
  [[nodiscard]] base::Status set_ready(uint32_t slot, uint32_t pid) noexcept;
  // Ready -> Draining (stop accepting). kRejected if not Ready.
  [[nodiscard]] base::Status set_draining(uint32_t slot) noexcept;
  void heartbeat(uint32_t slot, uint32_t now_mono) noexcept;
  WorkerCounters& counters(uint32_t slot) noexcept { return slots_[slot].owned.c; }
  // True (once) if a client of this worker was kicked since the last call:
  // then check ClientTable::kicked() for each of its clients.
  bool take_kicks(uint32_t slot) noexcept;
  // When a publisher first rang this slot since the last call (0: none), and
  // clears it: the worker calls it at each wake-up.
  uint32_t take_rung(uint32_t slot) noexcept;

  // --- anyone ---
  void flag_kick(uint32_t slot) noexcept;
  // A publisher rings `slot` for new media at `now_us` (mono µs, low 32 bits):
  // kept only if the slot was not already rung (the first ring's time counts).
  void note_rung(uint32_t slot, uint32_t now_us) noexcept;
  WorkerState state(uint32_t slot) const noexcept;
  uint32_t pid(uint32_t slot) const noexcept;
  // Ready or Draining or Starting: a process may be running in the slot.
  bool running(uint32_t slot) const noexcept;
  WorkerInfo read(uint32_t slot) const noexcept;
  // The fewest open connections of a Ready worker other than `except`
  // (UINT32_MAX when there is none): what a worker compares its own count
  // with to take no more than its share of new connections.
  uint32_t least_connections(uint32_t except) const noexcept;
  // The connections the Ready workers other than `except` accepted so far
  // (a wrapping sum of connections_total): it moves while they accept.
  uint32_t accepted_by_others(uint32_t except) const noexcept;

 private:
  WorkerSlot* slots_;
};

}  // namespace srs::shm
