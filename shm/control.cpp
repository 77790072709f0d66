// Control: the shared control region, its layout check and crash reclaim; see control.hpp.
#include "shm/control.hpp"

#include "shm/ring.hpp"  // kMaxWorkerSlots, checked against kWorkerSlots below

#include <cstring>
#include <new>
#include <utility>

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

static_assert(kWorkerSlots == kMaxWorkerSlots,
              "the control region and the rings must agree on worker slots");

namespace {

constexpr uint32_t kLayoutPage = 4096;  // a constant, not sysconf(): the layout is an ABI

struct Layout {
  uint32_t workers = 0, streams = 0, clients = 0, links = 0, status = 0, children = 0,
           addresses = 0, address_words = 0, size = 0;
};

uint64_t round_up(uint64_t n, uint64_t to) noexcept {
  return (n + to - 1) / to * to;
}

// Zero size when the sizes are out of limits.
Layout compute_layout(const ControlSizes& s) noexcept {
  Layout l;
  if (s.max_streams == 0 || s.max_streams > kMaxStreamsLimit) return l;
  if (s.max_clients == 0 || s.max_clients > kMaxClientsLimit) return l;
  uint64_t at = sizeof(ControlHeader);
  l.workers = static_cast<uint32_t>(at);
  at += uint64_t{kWorkerSlots} * sizeof(WorkerSlot);
  l.streams = static_cast<uint32_t>(at);
  at += uint64_t{s.max_streams} * sizeof(StreamSlot);
  l.clients = static_cast<uint32_t>(at);
  at += uint64_t{s.max_clients} * sizeof(ClientEntry);
  l.links = static_cast<uint32_t>(at);
  at += uint64_t{s.max_streams} * kLinksPerStream * sizeof(LinkEntry);
  l.status = static_cast<uint32_t>(at);
  at += sizeof(MasterStatusBlock);
  l.children = static_cast<uint32_t>(at);
  at += sizeof(ChildTableBlock);
  l.addresses = static_cast<uint32_t>(at);
  l.address_words = AddressTable::words_for(s.max_clients);
  at += round_up(uint64_t{l.address_words} * sizeof(Atomic32), kCacheLine);
  l.size = static_cast<uint32_t>(round_up(at, kLayoutPage));
  return l;
}

// Every offset is a multiple of kCacheLine (compute_layout; attach() checks
// them), so the cast through void* does not misalign (-Wcast-align on ARM/MIPS).
template <typename T>
T* at_offset(ControlHeader* h, uint32_t offset) noexcept {
  static_assert(alignof(T) <= kCacheLine);
  return static_cast<T*>(static_cast<void*>(reinterpret_cast<unsigned char*>(h) + offset));
}

}  // namespace

Control::Control(ControlHeader* header, Mapping map) noexcept
    : map_(std::move(map)),
      header_(header),
      addresses_(at_offset<Atomic32>(header, header->fixed.addresses_offset),
                 header->fixed.address_words),
      workers_(at_offset<WorkerSlot>(header, header->fixed.workers_offset)),
      registry_(at_offset<StreamSlot>(header, header->fixed.streams_offset),
                header->fixed.max_streams, &header->shared.registry),
      clients_(at_offset<ClientEntry>(header, header->fixed.clients_offset),
               header->fixed.max_clients, addresses_),
      links_(at_offset<LinkEntry>(header, header->fixed.links_offset),
             header->fixed.max_streams * kLinksPerStream),
      status_(at_offset<MasterStatusBlock>(header, header->fixed.status_offset)),
      children_(at_offset<ChildTableBlock>(header, header->fixed.children_offset)) {}

std::size_t Control::required_size(const ControlSizes& sizes) noexcept {
  return compute_layout(sizes).size;
}

Result<Control> Control::create(const ControlSizes& sizes) {
  const std::size_t size = required_size(sizes);
  if (size == 0)
    return Status::fail(Errc::kInvalid, "shm sizes out of limits (max_streams, max_clients)");
  auto map = Mapping::anonymous_shared(size);
  if (!map.is_ok()) return map.status();
  auto control = format(map->data(), size, sizes, InstanceId::generate());
  if (!control.is_ok()) return control.status();
  return Control(control->header_, std::move(map).value());
}

Result<Control> Control::format(void* base, std::size_t size, const ControlSizes& sizes,
                                const InstanceId& instance) noexcept {
  const Layout l = compute_layout(sizes);
  if (l.size == 0)
    return Status::fail(Errc::kInvalid, "shm sizes out of limits (max_streams, max_clients)");
  if (base == nullptr || size < l.size)
    return Status::fail(Errc::kTooLarge, "control region: memory too small");
  if (reinterpret_cast<uintptr_t>(base) % kCacheLine != 0) {
    return Status::fail(Errc::kInvalid, "control region: memory not aligned to a cache line");
  }
  // The memory is zero-filled (mmap): zero is "free" everywhere. Start the
  // objects' lifetimes explicitly; no constructor writes anything but zero.
  auto* h = new (base) ControlHeader{};
  new (at_offset<WorkerSlot>(h, l.workers)) WorkerSlot[kWorkerSlots]{};
  new (at_offset<StreamSlot>(h, l.streams)) StreamSlot[sizes.max_streams]{};
  new (at_offset<ClientEntry>(h, l.clients)) ClientEntry[sizes.max_clients]{};
  new (at_offset<LinkEntry>(h, l.links)) LinkEntry[sizes.max_streams * kLinksPerStream]{};
  new (at_offset<MasterStatusBlock>(h, l.status)) MasterStatusBlock{};
  new (at_offset<ChildTableBlock>(h, l.children)) ChildTableBlock{};
  new (at_offset<Atomic32>(h, l.addresses)) Atomic32[l.address_words]{};
  ControlHeader::Fixed& f = h->fixed;
  f.magic = kControlMagic;
  f.layout_version = kControlLayoutVersion;
  f.size = l.size;
  f.instance_random = instance.random;
  f.master_pid = instance.master_pid;
  f.started_at = instance.started_at;
  f.max_streams = sizes.max_streams;
  f.max_clients = sizes.max_clients;
  f.worker_slots = kWorkerSlots;
  f.workers_offset = l.workers;
  f.streams_offset = l.streams;
  f.clients_offset = l.clients;
  f.links_offset = l.links;
  f.status_offset = l.status;
  f.children_offset = l.children;
  f.addresses_offset = l.addresses;
  f.address_words = l.address_words;
  return Control(h, Mapping());
}

Result<Control> Control::attach(void* base, std::size_t mapped_size) noexcept {
  if (base == nullptr || mapped_size < sizeof(ControlHeader)) {
    return Status::fail(Errc::kInvalid, "control region: smaller than its header");
  }
  auto* h = static_cast<ControlHeader*>(base);
  const ControlHeader::Fixed& f = h->fixed;
  if (f.magic != kControlMagic)
    return Status::fail(Errc::kInvalid, "control region: bad magic (not an srs control region)");
  if (f.layout_version != kControlLayoutVersion) {
    return Status::fail(Errc::kUnsupported,
                        "control region: layout version differs from this binary's");
  }
  const Layout l = compute_layout(ControlSizes{f.max_streams, f.max_clients});
  if (l.size == 0 || f.size != l.size || f.worker_slots != kWorkerSlots ||
      f.workers_offset != l.workers || f.streams_offset != l.streams ||
      f.clients_offset != l.clients || f.links_offset != l.links || f.status_offset != l.status ||
      f.children_offset != l.children || f.addresses_offset != l.addresses ||
      f.address_words != l.address_words) {
    return Status::fail(Errc::kInvalid,
                        "control region: size or offsets disagree with its table sizes");
  }
  if (mapped_size < f.size)
    return Status::fail(Errc::kInvalid, "control region: mapping shorter than its size");
  return Control(h, Mapping());
}

InstanceId Control::instance() const noexcept {
  return InstanceId{header_->fixed.instance_random, header_->fixed.master_pid,
                    header_->fixed.started_at};
}

SegmentName Control::ring_name(uint32_t slot, uint32_t epoch) const noexcept {
  return segment_name(instance(), slot, epoch);
}

Result<uint32_t> Control::kick_client(uint32_t index, uint32_t incarnation,
                                      const Wakeups& wakeups) noexcept {
  auto owner = clients_.kick(index, incarnation);
  if (!owner.is_ok()) return owner.status();
  workers_.flag_kick(*owner);
  wakeups.wake(*owner);
  return *owner;
}

Result<ReclaimReport> Control::reclaim_worker(uint32_t slot, uint32_t pid,
                                              uint32_t now_mono) noexcept {
  if (slot >= kWorkerSlots)
    return Status::fail(Errc::kInvalid, "reclaim: worker slot out of range");
  const uint32_t slot_pid = workers_.pid(slot);
  if (slot_pid != 0 && slot_pid != pid) {
    return Status::fail(Errc::kInvalid, "reclaim: pid is not the one running in this worker slot");
  }
  workers_.mark_dead(slot);
  ReclaimReport report;
  report.clients_freed = clients_.free_owned_by(uint64_t{1} << slot);
  report.links_freed = links_.free_owned_by(uint64_t{1} << slot);
  const Registry::RepairCount repaired = registry_.repair_owner(slot, now_mono);
  report.streams_lost = repaired.lost;
  report.claims_retracted = repaired.retracted;
  return report;
}

SweepReport Control::sweep(uint32_t now_mono, uint32_t grace_s) noexcept {
  SweepReport report;
  uint64_t not_running = 0;
  for (uint32_t w = 0; w < kWorkerSlots; ++w) {
    if (!workers_.running(w)) not_running |= uint64_t{1} << w;
  }
  report.clients_freed = clients_.free_owned_by(not_running);
  report.links_freed = links_.free_owned_by(not_running);
  uint64_t orphans = 0;  // worker slots that own a stream but are not running
  for (uint32_t i = 0; i < registry_.capacity(); ++i) {
    const uint32_t owner = registry_.owner_of(i);
    if (owner != kNoSlot && ((not_running >> owner) & 1)) orphans |= uint64_t{1} << owner;
  }
  for (uint32_t w = 0; w < kWorkerSlots; ++w) {
    if (((orphans >> w) & 1) == 0) continue;
    registry_.repair_owner(w, now_mono);
    ++report.owners_repaired;
  }
  for (uint32_t i = 0; i < registry_.capacity(); ++i) {
    uint32_t epoch = 0;
    if (!registry_.end_if_expired(i, now_mono, grace_s, &epoch)) continue;
    ++report.streams_ended;
    if (Segment::unlink(ring_name(i, epoch)).is_ok()) ++report.segments_unlinked;
  }
  return report;
}

}  // namespace srs::shm
