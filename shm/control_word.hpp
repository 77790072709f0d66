// The words of the control region: StateWord, and text stored in 32-bit words.
//
// StateWord: the one 32-bit word that says who holds a shared slot.
//
// Stream slots and client entries are claimed, handed over and released by
// compare-and-swap on a single Atomic32 that packs three things, so that one
// CAS moves the state and the owner together and cannot be fooled by ABA:
//
//   bits  0..3   kind   (each table defines its own values; 0 is always "free")
//   bits  4..11  owner  worker slot + 1 (0: no owner, so an all-zero word is
//                       "free, nobody's": fresh shared memory is valid)
//   bits 12..31  tag    +1 on every transition (20 bits, wraps; only equality
//                       is ever asked of it)
//
// The master's crash reclaim matches on the owner field: it knows the dead
// worker's slot, and no new worker runs in that slot until reclaim is done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shm/atomics.hpp"
#include "shm/ring_fence.hpp"

namespace srs::shm {

struct StateWord {
  static constexpr uint32_t kNoOwner = 0xFFFFFFFFu;  // same value as kNoSlot
  static constexpr uint32_t kTagBits = 20;
  static constexpr uint32_t kTagMask = (1u << kTagBits) - 1;

  uint32_t kind = 0;
  uint32_t owner = kNoOwner;
  uint32_t tag = 0;

  static constexpr StateWord unpack(uint32_t w) noexcept {
    const uint32_t o = (w >> 4) & 0xFFu;
    return StateWord{w & 0xFu, o == 0 ? kNoOwner : o - 1, w >> 12};
  }
  constexpr uint32_t pack() const noexcept {
    const uint32_t o = owner == kNoOwner ? 0 : owner + 1;
    return (kind & 0xFu) | ((o & 0xFFu) << 4) | ((tag & kTagMask) << 12);
  }
  // The word for the next transition: a new kind and owner, tag + 1.
  constexpr uint32_t next(uint32_t new_kind, uint32_t new_owner = kNoOwner) const noexcept {
    return StateWord{new_kind, new_owner, (tag + 1) & kTagMask}.pack();
  }
  constexpr bool owned_by(uint32_t worker_slot) const noexcept { return owner == worker_slot; }
};

static_assert(StateWord::unpack(StateWord{3, 63, StateWord::kTagMask}.pack()).tag ==
              StateWord::kTagMask);
static_assert(StateWord::unpack(StateWord{3, 63, StateWord::kTagMask}.next(4, 7)).tag == 0,
              "the tag wraps within its 20 bits");
static_assert(StateWord::unpack(0).owner == StateWord::kNoOwner, "zeroed memory has no owner");
static_assert(StateWord::unpack(StateWord{2, 0, 5}.pack()).owner == 0);

// The writer's side of a seqlock word (client and link entries): odd while
// the fields it guards are written, so a reader that saw it odd, or saw it
// change across its copy, copies again.
inline void seqlock_write_begin(Atomic32& seq) noexcept {
  seq.store(seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  fence(std::memory_order_release);
}
inline void seqlock_write_end(Atomic32& seq) noexcept {
  seq.store(seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

// Text in shared memory is kept in Atomic32 words (4 bytes each, little-endian
// within a word) and copied with relaxed loads and stores, so that a reader
// racing a writer reads stale or mixed bytes, never undefined behaviour; the
// seqlock or state word around the copy says whether to trust it.
// Stores min(text.size(), 4 * nwords - 1) bytes and a NUL; returns the length stored.
inline uint32_t store_text(Atomic32* words, std::size_t nwords, std::string_view text) noexcept {
  const std::size_t len = text.size() < 4 * nwords - 1 ? text.size() : 4 * nwords - 1;
  for (std::size_t j = 0; j < nwords; ++j) {
    uint32_t w = 0;
    for (std::size_t b = 0; b < 4 && 4 * j + b < len; ++b) {
      w |= uint32_t{static_cast<unsigned char>(text[4 * j + b])} << (8 * b);
    }
    words[j].store(w, std::memory_order_relaxed);
    if (4 * j + 4 > len) break;  // this word held the NUL
  }
  return static_cast<uint32_t>(len);
}
// Copies up to 4 * nwords - 1 bytes until a NUL into `out` (4 * nwords bytes), NUL-terminated.
inline void load_text(const Atomic32* words, std::size_t nwords, char* out) noexcept {
  for (std::size_t j = 0; j < nwords; ++j) {
    const uint32_t w = words[j].load(std::memory_order_relaxed);
    for (std::size_t b = 0; b < 4; ++b) out[4 * j + b] = static_cast<char>(w >> (8 * b));
  }
  out[4 * nwords - 1] = '\0';
}

}  // namespace srs::shm
