// Control: the shared control region every process of one server maps.
//
// The master creates it BEFORE it forks (an anonymous MAP_SHARED mapping,
// inherited by every worker at the same address), sized from the
// configuration (shm.max_streams, shm.max_clients). It holds no pointers,
// only offsets from its own start, and begins with {magic, layout_version,
// size}: an ABI between processes, checked by attach().
//
//   offset 0        ControlHeader   line 0: fixed at creation (read-only after)
//                                   line 1: registry epoch + waiters bitmap
//   workers_offset  WorkerSlot[64]          (workers.hpp)
//   streams_offset  StreamSlot[max_streams] (registry.hpp)
//   clients_offset  ClientEntry[max_clients](clients.hpp)
//   links_offset    LinkEntry[max_streams * kLinksPerStream] (links.hpp)
//   status_offset   MasterStatusBlock       (master_status.hpp: the reload verdict)
//   children_offset ChildTableBlock         (children.hpp: the master's exec'd children)
//
// Every atomic in it is 32 bits (atomics.hpp); every fixed field is a u32,
// so the layout is the same on x86-64, armhf, arm64 and mipsel.
//
// Crash reclaim: after waitpid() the master calls reclaim_worker(slot, pid)
// before restarting the slot, and sweep() from its periodic timer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.hpp"
#include "shm/address_table.hpp"
#include "shm/atomics.hpp"
#include "shm/children.hpp"
#include "shm/clients.hpp"
#include "shm/links.hpp"
#include "shm/master_status.hpp"
#include "shm/registry.hpp"
#include "shm/segment.hpp"
#include "shm/wakeup.hpp"
#include "shm/workers.hpp"

namespace srs::shm {

inline constexpr uint32_t kControlMagic = 0x43535253;  // "SRSC" in memory (little-endian)
// 2: MasterStatus; 3: StreamStats codec words; 4: WorkerCounters::output_gaps;
// 5: LinkTable, WorkerCounters::forward_retries and edge_retries; 6: ChildTable;
// 7: WorkerCounters::handshake_timeouts; 8: WorkerCounters::header_timeouts, refused_*,
// the per-IP connection table; 9: WorkerCounters::write_busy_permille, merge_window_ms
inline constexpr uint32_t kControlLayoutVersion = 9;
inline constexpr uint32_t kMaxStreamsLimit = 65536;
inline constexpr uint32_t kMaxClientsLimit = 1u << 20;

// The two configurable sizes (conf::ShmConfig's max_streams, max_clients;
// shm/ does not depend on conf/, so the master copies them).
struct ControlSizes {
  uint32_t max_streams = 256;
  uint32_t max_clients = 4096;
};

struct alignas(kCacheLine) ControlHeader {
  struct alignas(kCacheLine) Fixed {  // written once, before fork
    uint32_t magic;
    uint32_t layout_version;
    uint32_t size;  // bytes, the whole region
    uint32_t instance_random;
    uint32_t master_pid;
    uint32_t started_at;  // wall seconds
    uint32_t max_streams;
    uint32_t max_clients;
    uint32_t worker_slots;
    uint32_t workers_offset;
    uint32_t streams_offset;
    uint32_t clients_offset;
    uint32_t status_offset;
    uint32_t links_offset;
    uint32_t children_offset;
    uint32_t addresses_offset;
    uint32_t address_words;
  } fixed;
  struct alignas(kCacheLine) Shared {  // written by every worker
    RegistryShared registry;
  } shared;
};
static_assert(sizeof(ControlHeader) == 2 * kCacheLine, "ControlHeader is part of the shared ABI");
static_assert(offsetof(ControlHeader::Fixed, size) == 8 &&
              offsetof(ControlHeader::Fixed, clients_offset) == 44 &&
              offsetof(ControlHeader::Fixed, status_offset) == 48);
static_assert(offsetof(ControlHeader, shared) == kCacheLine);

// What reclaim_worker() did, for the master's log line.
struct ReclaimReport {
  uint32_t clients_freed = 0;
  uint32_t streams_lost = 0;      // Live streams now waiting for a republish
  uint32_t claims_retracted = 0;  // half-made stream claims undone
  uint32_t links_freed = 0;
};

// What sweep() did.
struct SweepReport {
  uint32_t streams_ended = 0;  // grace period over
  uint32_t segments_unlinked = 0;
  uint32_t owners_repaired = 0;  // worker slots found dead without a reclaim
  uint32_t clients_freed = 0;    // entries of workers that are not running
  uint32_t links_freed = 0;      // the same, links
};

class Control {
 public:
  // Bytes needed for `sizes`, a multiple of the page size. 0 if out of limits.
  static std::size_t required_size(const ControlSizes& sizes) noexcept;
  // Master, before fork(): map an anonymous MAP_SHARED region and format it
  // with a new InstanceId. The Control owns the mapping; children inherit it.
  [[nodiscard]] static base::Result<Control> create(const ControlSizes& sizes);
  // Formats caller-provided memory (zero-filled, at least required_size()).
  [[nodiscard]] static base::Result<Control> format(void* base, std::size_t size,
                                                    const ControlSizes& sizes,
                                                    const InstanceId& instance) noexcept;
  // Checks magic, layout version and size of an existing region (kInvalid
  // with a message naming which one is wrong). Does not own the memory.
  [[nodiscard]] static base::Result<Control> attach(void* base, std::size_t mapped_size) noexcept;

  InstanceId instance() const noexcept;
  const ControlHeader& header() const noexcept { return *header_; }
  WorkerTable& workers() noexcept { return workers_; }
  Registry& registry() noexcept { return registry_; }
  ClientTable& clients() noexcept { return clients_; }
  LinkTable& links() noexcept { return links_; }
  MasterStatus& master_status() noexcept { return status_; }
  ChildTable& children() noexcept { return children_; }
  AddressTable& addresses() noexcept { return addresses_; }
  const WorkerTable& workers() const noexcept { return workers_; }
  const Registry& registry() const noexcept { return registry_; }
  const ClientTable& clients() const noexcept { return clients_; }
  const LinkTable& links() const noexcept { return links_; }
  const MasterStatus& master_status() const noexcept { return status_; }
  const ChildTable& children() const noexcept { return children_; }
  const AddressTable& addresses() const noexcept { return addresses_; }

  // The name of stream slot `slot`'s ring segment at `epoch`.
  SegmentName ring_name(uint32_t slot, uint32_t epoch) const noexcept;

  // Any worker: kick client `index` (if it still holds `incarnation`), flag
  // its owner worker and ring the owner's doorbell. Returns the owner slot.
  [[nodiscard]] base::Result<uint32_t> kick_client(uint32_t index, uint32_t incarnation,
                                                   const Wakeups& wakeups) noexcept;

  // Master, after waitpid() reported `pid` (which ran in `slot`) dead: frees
  // its client entries, moves its Live streams to Lost (players elsewhere
  // wait for a republish), undoes its half-made claims, marks the slot Dead.
  // Wake every worker afterwards (wake_mask(~0)) so players notice.
  // kInvalid if `pid` is not the slot's pid (the slot was restarted already).
  [[nodiscard]] base::Result<ReclaimReport> reclaim_worker(uint32_t slot, uint32_t pid,
                                                           uint32_t now_mono) noexcept;
  // Master, periodically: ends streams Lost for `grace_s` seconds and
  // unlinks their ring segments; repairs anything still owned by a worker
  // slot that is not running (a reclaim that never happened).
  SweepReport sweep(uint32_t now_mono, uint32_t grace_s) noexcept;

 private:
  Control(ControlHeader* header, Mapping map) noexcept;

  Mapping map_;  // empty when attached to memory owned elsewhere
  ControlHeader* header_;
  AddressTable addresses_;  // before clients_, which gets a copy of the view
  WorkerTable workers_;
  Registry registry_;
  ClientTable clients_;
  LinkTable links_;
  MasterStatus status_;
  ChildTable children_;
};

}  // namespace srs::shm
