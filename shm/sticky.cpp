// Sticky per-stream state: seqlock slots (see sticky.hpp).
#include "shm/sticky.hpp"

#include "shm/ring_fence.hpp"

#include <sched.h>

#include <cstring>
#include <new>

namespace srs::shm {

using base::Errc;
using base::Status;

namespace {

constexpr int kLoadAttempts = 4096;

// Packs the bytes of `parts` into relaxed 32-bit word stores (native order:
// load() unpacks with the same order, so only the byte sequence matters).
void store_words(Atomic32* words, std::span<const ConstBytes> parts) noexcept {
  uint8_t buf[4];
  uint32_t fill = 0;
  uint32_t w = 0;
  for (ConstBytes part : parts) {
    for (uint8_t b : part) {
      buf[fill++] = b;
      if (fill < 4) continue;
      uint32_t v;
      std::memcpy(&v, buf, 4);
      words[w++].store(v, std::memory_order_relaxed);
      fill = 0;
    }
  }
  if (fill == 0) return;
  std::memset(buf + fill, 0, 4 - fill);
  uint32_t v;
  std::memcpy(&v, buf, 4);
  words[w].store(v, std::memory_order_relaxed);
}

}  // namespace

StickySlot StickySlot::init(void* memory, uint32_t max_bytes) noexcept {
  auto* hdr = new (memory) StickySlotHeader{};
  hdr->max_bytes = max_bytes;
  auto* w = new (hdr + 1) Atomic32[max_bytes / 4];
  for (uint32_t i = 0; i < max_bytes / 4; ++i) w[i].store(0, std::memory_order_relaxed);
  return StickySlot(memory);
}

Atomic32* StickySlot::words() const noexcept {
  return reinterpret_cast<Atomic32*>(hdr_ + 1);
}

Status StickySlot::store(std::span<const ConstBytes> parts, uint32_t generation, uint32_t timestamp,
                         uint32_t pos) noexcept {
  std::size_t total = 0;
  for (ConstBytes p : parts) total += p.size();
  if (total > hdr_->max_bytes)
    return Status::fail(Errc::kTooLarge, "sticky value larger than its slot");

  // An odd lock left by a dead writer is repaired here: make it even first.
  uint32_t s = hdr_->lock.load(std::memory_order_relaxed) | 1u;
  hdr_->lock.store(s, std::memory_order_relaxed);
  fence(std::memory_order_release);  // lock odd before any data store
  store_words(words(), parts);
  hdr_->length.store(static_cast<uint32_t>(total), std::memory_order_relaxed);
  hdr_->generation.store(generation, std::memory_order_relaxed);
  hdr_->timestamp.store(timestamp, std::memory_order_relaxed);
  hdr_->pos.store(pos, std::memory_order_relaxed);
  hdr_->lock.store(s + 1, std::memory_order_release);  // data before lock even
  return Status::ok();
}

bool StickySlot::try_load(uint8_t* out, std::size_t out_size, StickyInfo* info,
                          bool* too_small) const noexcept {
  uint32_t s0 = hdr_->lock.load(std::memory_order_acquire);
  if (s0 & 1u) return false;
  StickyInfo got;
  got.length = hdr_->length.load(std::memory_order_relaxed);
  got.generation = hdr_->generation.load(std::memory_order_relaxed);
  got.timestamp = hdr_->timestamp.load(std::memory_order_relaxed);
  got.pos = hdr_->pos.load(std::memory_order_relaxed);
  *too_small = got.length > out_size;
  if (got.length <= hdr_->max_bytes && !*too_small) {
    const Atomic32* w = words();
    for (uint32_t i = 0; i * 4 < got.length; ++i) {
      uint32_t v = w[i].load(std::memory_order_relaxed);
      std::memcpy(out + i * 4, &v, got.length - i * 4 < 4 ? got.length - i * 4 : 4);
    }
  }
  fence(std::memory_order_acquire);  // data loads before the re-check
  if (hdr_->lock.load(std::memory_order_relaxed) != s0) return false;
  if (got.length > hdr_->max_bytes) return false;
  *info = got;
  return true;
}

Status StickySlot::load(uint8_t* out, std::size_t out_size, StickyInfo* info) const noexcept {
  for (int i = 0; i < kLoadAttempts; ++i) {
    bool too_small = false;
    if (try_load(out, out_size, info, &too_small)) {
      if (too_small) return Status::fail(Errc::kTooLarge, "sticky value larger than the buffer");
      return Status::ok();
    }
    if (i > 16) sched_yield();
  }
  return Status::fail(Errc::kTimeout, "sticky slot busy (writer stuck or dead mid-update)");
}

StickyInfo StickySlot::info() const noexcept {
  StickyInfo info;
  bool too_small = false;
  for (int i = 0; i < kLoadAttempts; ++i) {
    if (try_load(nullptr, 0, &info, &too_small)) return info;
  }
  return StickyInfo{};
}

}  // namespace srs::shm
