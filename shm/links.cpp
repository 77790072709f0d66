// LinkTable: the server-wide table of outbound links; see links.hpp.
#include "shm/links.hpp"

#include "shm/control_word.hpp"
#include "shm/ring_fence.hpp"  // fence(): a thread fence that also builds under TSan

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr auto kAcqRel = std::memory_order_acq_rel;
constexpr int kReadRetries = 16;

constexpr uint32_t raw(LinkSlotState s) noexcept {
  return static_cast<uint32_t>(s);
}

}  // namespace

const char* link_kind_name(LinkKind kind) noexcept {
  switch (kind) {
    case LinkKind::kForward:
      return "forward";
    case LinkKind::kEdgePull:
      return "edge-pull";
  }
  return "unknown";
}

const char* link_state_name(LinkKind kind, LinkState state) noexcept {
  switch (state) {
    case LinkState::kConnecting:
      return "connecting";
    case LinkState::kLive:
      return kind == LinkKind::kEdgePull ? "playing" : "publishing";
    case LinkState::kRetrying:
      return "retrying";
  }
  return "unknown";
}

void LinkTable::write_begin(LinkEntry& e) noexcept {
  seqlock_write_begin(e.ctl.seq);
}

void LinkTable::write_end(LinkEntry& e) noexcept {
  seqlock_write_end(e.ctl.seq);
}

Result<LinkRef> LinkTable::claim(Owner owner, LinkKind kind, const base::ContextId& id,
                                 std::string_view url, uint32_t stream_slot,
                                 uint32_t stream_generation, uint32_t now_wall) noexcept {
  if (owner.worker_slot >= kWorkerSlots)
    return Status::fail(Errc::kInvalid, "owner worker slot out of range");
  const uint32_t start =
      static_cast<uint32_t>((uint64_t{owner.worker_slot} * count_) / kWorkerSlots);
  for (uint32_t d = 0; d < count_; ++d) {
    const uint32_t i = (start + d) % count_;
    LinkEntry& e = entries_[i];
    uint32_t w = e.ctl.state.load(kRelaxed);
    if (StateWord::unpack(w).kind != raw(LinkSlotState::kFree)) continue;
    const StateWord claiming = StateWord::unpack(
        StateWord::unpack(w).next(raw(LinkSlotState::kClaiming), owner.worker_slot));
    if (!e.ctl.state.compare_exchange_strong(w, claiming.pack(), kAcqRel)) continue;
    write_begin(e);
    e.info.owner_pid.store(owner.pid, kRelaxed);
    e.info.kind.store(static_cast<uint32_t>(kind), kRelaxed);
    e.info.link_state.store(static_cast<uint32_t>(LinkState::kConnecting), kRelaxed);
    e.info.reconnects.store(0, kRelaxed);
    e.info.started_at.store(now_wall, kRelaxed);
    e.info.changed_at.store(now_wall, kRelaxed);
    e.info.stream_slot.store(stream_slot, kRelaxed);
    e.info.stream_generation.store(stream_generation, kRelaxed);
    store_text(e.info.id, kIdWords, id.c_str());
    store_text(e.info.peer_id, kIdWords, "");
    store_text(e.url.words, kUrlWords, url);
    e.bytes.in.reset();
    e.bytes.out.reset();
    write_end(e);
    const uint32_t active = claiming.next(raw(LinkSlotState::kActive), owner.worker_slot);
    e.ctl.state.store(active, kRelease);
    return LinkRef{i, active};
  }
  return Status::fail(Errc::kTooLarge, "link table is full (shm.max_streams x 4)");
}

bool LinkTable::owns(const LinkRef& ref) const noexcept {
  return ref.index < count_ && entries_[ref.index].ctl.state.load(kAcquire) == ref.word;
}

void LinkTable::set_state(const LinkRef& ref, LinkState state, std::string_view peer_id,
                          uint32_t now_wall) noexcept {
  if (!owns(ref)) return;
  LinkEntry& e = entries_[ref.index];
  write_begin(e);
  e.info.link_state.store(static_cast<uint32_t>(state), kRelaxed);
  e.info.changed_at.store(now_wall, kRelaxed);
  store_text(e.info.peer_id, kIdWords, peer_id);
  write_end(e);
}

void LinkTable::count_reconnect(const LinkRef& ref) noexcept {
  if (!owns(ref)) return;
  LinkEntry& e = entries_[ref.index];
  write_begin(e);
  e.info.reconnects.store(e.info.reconnects.load(kRelaxed) + 1, kRelaxed);
  write_end(e);
}

void LinkTable::set_url(const LinkRef& ref, std::string_view url) noexcept {
  if (!owns(ref)) return;
  LinkEntry& e = entries_[ref.index];
  write_begin(e);
  store_text(e.url.words, kUrlWords, url);
  write_end(e);
}

Status LinkTable::release(const LinkRef& ref) noexcept {
  if (ref.index >= count_) return Status::fail(Errc::kInvalid, "link index out of range");
  uint32_t w = ref.word;
  const uint32_t freed = StateWord::unpack(w).next(raw(LinkSlotState::kFree));
  if (!entries_[ref.index].ctl.state.compare_exchange_strong(w, freed, kAcqRel))
    return Status::fail(Errc::kRejected, "link entry is not this link's");
  return Status::ok();
}

bool LinkTable::read(uint32_t index, LinkInfo* out) const noexcept {
  if (index >= count_) return false;
  const LinkEntry& e = entries_[index];
  for (int attempt = 0; attempt < kReadRetries; ++attempt) {
    const uint32_t w0 = e.ctl.state.load(kAcquire);
    const StateWord sw = StateWord::unpack(w0);
    if (sw.kind != raw(LinkSlotState::kActive)) return false;
    const uint32_t q0 = e.ctl.seq.load(kAcquire);
    if (q0 & 1) continue;
    LinkInfo& l = *out;
    l.index = index;
    l.owner_slot = sw.owner;
    l.owner_pid = e.info.owner_pid.load(kRelaxed);
    l.kind = static_cast<LinkKind>(e.info.kind.load(kRelaxed));
    l.state = static_cast<LinkState>(e.info.link_state.load(kRelaxed));
    l.reconnects = e.info.reconnects.load(kRelaxed);
    l.started_at = e.info.started_at.load(kRelaxed);
    l.changed_at = e.info.changed_at.load(kRelaxed);
    l.stream_slot = e.info.stream_slot.load(kRelaxed);
    l.stream_generation = e.info.stream_generation.load(kRelaxed);
    load_text(e.info.id, kIdWords, l.id);
    load_text(e.info.peer_id, kIdWords, l.peer_id);
    load_text(e.url.words, kUrlWords, l.url);
    l.bytes_in = e.bytes.in.load();
    l.bytes_out = e.bytes.out.load();
    fence(kAcquire);
    if (e.ctl.seq.load(kRelaxed) == q0 && e.ctl.state.load(kRelaxed) == w0) return true;
  }
  return false;
}

uint32_t LinkTable::free_owned_by(uint64_t worker_mask) noexcept {
  uint32_t freed = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    LinkEntry& e = entries_[i];
    uint32_t w = e.ctl.state.load(kAcquire);
    const StateWord sw = StateWord::unpack(w);
    if (sw.kind == raw(LinkSlotState::kFree) || sw.owner >= kWorkerSlots) continue;
    if (((worker_mask >> sw.owner) & 1) == 0) continue;
    if (e.ctl.state.compare_exchange_strong(w, sw.next(raw(LinkSlotState::kFree)), kAcqRel)) {
      ++freed;
    }
  }
  return freed;
}

}  // namespace srs::shm
