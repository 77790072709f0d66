// Sticky per-stream state: the latest onMetaData, video sequence header and
// audio sequence header of a stream, kept outside the ring's data area so
// that a player joining late gets them even after the ring wrapped past the
// in-band copies (DESIGN.md requirement 3).
//
// One slot per kind, each a seqlock (Linux seqcount; Boehm, HPL-2012-68):
//   writer: lock = s+1 (odd), release fence, data words (relaxed), lock = s+2 (release)
//   reader: s0 = lock (acquire), data words (relaxed), acquire fence, s1 = lock;
//           accept when s0 == s1 and s0 is even, else retry (bounded).
// The value is stored as 32-bit relaxed atomic words, not plain bytes: the
// slots are small and rarely written, so the price is nothing, and it keeps
// the racing copy-out defined behaviour (and ThreadSanitizer-clean).
// A writer that dies mid-update leaves the lock odd: readers then fail with
// kTimeout instead of spinning forever, and the next writer's store() repairs it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"
#include "shm/atomics.hpp"

namespace srs::shm {

using ConstBytes = std::span<const uint8_t>;

enum class StickyKind : uint8_t { kMetadata = 0, kVideoHeader = 1, kAudioHeader = 2 };
inline constexpr uint32_t kStickyKinds = 3;

// Bounded sizes: onMetaData and video decoder configurations (AVC/HEVC/AV1,
// with many parameter sets) up to 64 KiB, audio configurations up to 4 KiB.
constexpr uint32_t sticky_max_bytes(StickyKind kind) noexcept {
  return kind == StickyKind::kAudioHeader ? 4096u : 65536u;
}

struct StickySlotHeader {
  Atomic32 lock;       // seqlock, odd while being written
  uint32_t max_bytes;  // constant after init
  Atomic32 length;
  Atomic32 generation;  // publisher generation that sent it; 0 = never set
  Atomic32 timestamp;
  Atomic32 pos;  // ring position of the in-band copy
  uint32_t reserved[2];
  // followed by Atomic32 words[max_bytes / 4]
};
static_assert(sizeof(StickySlotHeader) == 32);

constexpr uint32_t sticky_slot_bytes(StickyKind kind) noexcept {
  return (static_cast<uint32_t>(sizeof(StickySlotHeader)) + sticky_max_bytes(kind) + kCacheLine -
          1) &
         ~static_cast<uint32_t>(kCacheLine - 1);
}
constexpr uint32_t sticky_slot_offset(StickyKind kind) noexcept {
  uint32_t off = 0;
  for (uint32_t k = 0; k < static_cast<uint32_t>(kind); ++k)
    off += sticky_slot_bytes(StickyKind(k));
  return off;
}
constexpr uint32_t sticky_block_bytes() noexcept {
  return sticky_slot_offset(StickyKind(kStickyKinds - 1)) +
         sticky_slot_bytes(StickyKind(kStickyKinds - 1));
}

struct StickyInfo {
  uint32_t length = 0;
  uint32_t generation = 0;
  uint32_t timestamp = 0;
  uint32_t pos = 0;
  bool present() const noexcept { return generation != 0; }
};

// A view on one slot in shared memory (the memory is not owned).
class StickySlot {
 public:
  StickySlot() noexcept = default;
  explicit StickySlot(void* memory) noexcept : hdr_(static_cast<StickySlotHeader*>(memory)) {}

  // Lays out an empty slot holding up to max_bytes (a multiple of 4).
  static StickySlot init(void* memory, uint32_t max_bytes) noexcept;

  // Writer: replaces the value with the concatenation of `parts`.
  [[nodiscard]] base::Status store(std::span<const ConstBytes> parts, uint32_t generation,
                                   uint32_t timestamp, uint32_t pos) noexcept;
  [[nodiscard]] base::Status store(ConstBytes value, uint32_t generation, uint32_t timestamp,
                                   uint32_t pos) noexcept {
    return store(std::span<const ConstBytes>(&value, 1), generation, timestamp, pos);
  }

  // Reader: a consistent copy into out[0, out_size). kTooLarge when out is
  // too small (info->length says how much is needed), kTimeout when the
  // writer kept the slot busy (or died in the middle of an update).
  [[nodiscard]] base::Status load(uint8_t* out, std::size_t out_size,
                                  StickyInfo* info) const noexcept;

  // Reader: only the description (no bytes); not present() when the writer
  // kept the slot busy.
  StickyInfo info() const noexcept;
  // The seqlock word: it changes with every store(), so a reader that kept a
  // copy knows whether it is still current (odd: a store is under way).
  uint32_t version() const noexcept { return hdr_->lock.load(std::memory_order_acquire); }

  uint32_t max_bytes() const noexcept { return hdr_->max_bytes; }
  bool valid() const noexcept { return hdr_ != nullptr; }

 private:
  Atomic32* words() const noexcept;
  bool try_load(uint8_t* out, std::size_t out_size, StickyInfo* info,
                bool* too_small) const noexcept;

  StickySlotHeader* hdr_ = nullptr;
};

}  // namespace srs::shm
