// Ring: attach/format, invariants, sleepers and stats (see ring.hpp).
#include "shm/ring.hpp"

#include "shm/ring_fence.hpp"

#include <cstring>
#include <new>

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr int kStatsAttempts = 64;

Status check_constants(const RingHeader* h, std::size_t size) noexcept {
  if (h->magic.load(std::memory_order_acquire) != kRingMagic)
    return Status::fail(Errc::kInvalid, "ring: bad magic (not a ring, or not initialised yet)");
  if (h->layout_version != kRingLayoutVersion)
    return Status::fail(Errc::kUnsupported, "ring: layout version mismatch (old or new binary)");
  if (bytes_for(h->capacity) == 0) return Status::fail(Errc::kInvalid, "ring: bad capacity");
  if (h->size != bytes_for(h->capacity) || h->size > size)
    return Status::fail(Errc::kInvalid, "ring: size mismatch between header and mapping");
  if (h->data_offset != ring_data_offset() || h->max_payload != h->capacity / 4)
    return Status::fail(Errc::kInvalid, "ring: bad data offset or payload limit");
  for (uint32_t k = 0; k < kStickyKinds; ++k) {
    if (h->sticky_offset[k] != kRingStickyOffset + sticky_slot_offset(StickyKind(k)))
      return Status::fail(Errc::kInvalid, "ring: bad sticky slot offset");
  }
  return Status::ok();
}

}  // namespace

Ring::Ring(RingHeader* hdr, uint32_t capacity) noexcept
    : hdr_(hdr), data_(reinterpret_cast<uint8_t*>(hdr) + hdr->data_offset), mask_(capacity - 1) {}

Result<Ring> Ring::attach(void* memory, std::size_t size) noexcept {
  if (memory == nullptr || size < sizeof(RingHeader))
    return Status::fail(Errc::kInvalid, "ring: mapping smaller than a ring header");
  auto* h = static_cast<RingHeader*>(memory);
  Status st = check_constants(h, size);
  if (!st.is_ok()) return st;
  return Ring(h, h->capacity);
}

Result<Ring> Ring::format(void* memory, std::size_t size, uint32_t capacity, uint32_t initial_pos,
                          uint32_t generation) noexcept {
  std::size_t need = bytes_for(capacity);
  if (need == 0)
    return Status::fail(Errc::kInvalid, "ring: capacity must be a power of two in [4 KiB, 1 GiB]");
  if (memory == nullptr || size < need)
    return Status::fail(Errc::kInvalid, "ring: mapping too small for capacity");
  if (initial_pos % kRecordAlign != 0)
    return Status::fail(Errc::kInvalid, "ring: initial position not aligned");
  if (generation == 0) return Status::fail(Errc::kInvalid, "ring: generation 0 is reserved");

  auto* h = new (memory) RingHeader{};
  h->layout_version = kRingLayoutVersion;
  h->size = static_cast<uint32_t>(need);
  h->capacity = capacity;
  h->data_offset = ring_data_offset();
  h->max_payload = capacity / 4;
  for (uint32_t k = 0; k < kStickyKinds; ++k) {
    h->sticky_offset[k] = kRingStickyOffset + sticky_slot_offset(StickyKind(k));
    StickySlot::init(static_cast<uint8_t*>(memory) + h->sticky_offset[k],
                     sticky_max_bytes(StickyKind(k)));
  }
  h->tail_intent.store(initial_pos, std::memory_order_relaxed);
  h->tail.store(initial_pos, std::memory_order_relaxed);
  h->latest.store(initial_pos, std::memory_order_relaxed);
  h->generation.store(generation, std::memory_order_relaxed);
  h->magic.store(kRingMagic, std::memory_order_release);  // last: attach() acquires it
  return Ring(h, capacity);
}

Status Ring::check_invariants() const noexcept {
  Status st = check_constants(hdr_, hdr_->size);
  if (!st.is_ok()) return st;
  uint32_t t = hdr_->tail.load(std::memory_order_acquire);
  uint32_t intent = hdr_->tail_intent.load(std::memory_order_acquire);
  uint32_t latest = hdr_->latest.load(std::memory_order_relaxed);
  if ((t | intent | latest) % kRecordAlign != 0)
    return Status::fail(Errc::kInvalid, "ring: unaligned position");
  int32_t ahead = seq_diff(intent, t);
  if (ahead < 0 || static_cast<uint32_t>(ahead) > capacity())
    return Status::fail(Errc::kInvalid, "ring: tail_intent not within [tail, tail + capacity]");
  if (seq_diff(t, latest) < 0) return Status::fail(Errc::kInvalid, "ring: latest after tail");
  if (t != latest && seq_diff(t, latest) < static_cast<int32_t>(kRecordHeaderSize))
    return Status::fail(Errc::kInvalid, "ring: latest record shorter than a header");
  uint32_t count = hdr_->kf_count.load(std::memory_order_acquire);
  for (uint32_t i = 0; i < count && i < kKeyframeIndexSize; ++i) {
    uint32_t pos =
        hdr_->kf[(count - 1 - i) % kKeyframeIndexSize].pos.load(std::memory_order_relaxed);
    if (pos % kRecordAlign != 0 || seq_diff(t, pos) <= 0)
      return Status::fail(Errc::kInvalid, "ring: keyframe index entry not a committed record");
  }
  if (hdr_->kf_lock.load(std::memory_order_relaxed) & 1u)
    return Status::fail(Errc::kInvalid, "ring: keyframe index lock left odd");
  return Status::ok();
}

uint32_t Ring::announce_sleep(uint32_t worker_slot) noexcept {
  uint32_t slot = worker_slot % kMaxWorkerSlots;
  hdr_->sleepers[slot / 32].fetch_or(1u << (slot % 32), std::memory_order_seq_cst);
  return hdr_->tail.load(std::memory_order_seq_cst);
}

WakeSet Ring::take_sleepers() noexcept {
  // The caller stored tail (release) before: the fence orders that store
  // before the loads below in S (proof at the top of ring.hpp).
  fence(std::memory_order_seq_cst);
  WakeSet set;
  for (uint32_t w = 0; w < 2; ++w) {
    // Load first: most commits find nobody asleep and need no RMW (no line bounce).
    if (hdr_->sleepers[w].load(std::memory_order_seq_cst) == 0) continue;
    set.words[w] = hdr_->sleepers[w].exchange(0, std::memory_order_seq_cst);
  }
  return set;
}

RingStats Ring::stats() const noexcept {
  RingStats s;
  for (int i = 0; i < kStatsAttempts; ++i) {
    uint32_t s0 = hdr_->stats_lock.load(std::memory_order_acquire);
    s.records = hdr_->records.load(std::memory_order_relaxed);
    uint32_t lo = hdr_->bytes_lo.load(std::memory_order_relaxed);
    uint32_t hi = hdr_->bytes_hi.load(std::memory_order_relaxed);
    s.last_timestamp = hdr_->last_timestamp.load(std::memory_order_relaxed);
    fence(std::memory_order_acquire);
    s.bytes = (uint64_t{hi} << 32) | lo;
    if ((s0 & 1u) == 0 && hdr_->stats_lock.load(std::memory_order_relaxed) == s0) break;
  }
  s.generation = hdr_->generation.load(std::memory_order_acquire);
  return s;
}

StickySlot Ring::sticky(StickyKind kind) const noexcept {
  return StickySlot(reinterpret_cast<uint8_t*>(hdr_) +
                    hdr_->sticky_offset[static_cast<uint32_t>(kind)]);
}

}  // namespace srs::shm
