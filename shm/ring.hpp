// Ring: a non-owning view on one stream's media ring in shared memory (layout
// in ring_layout.hpp), with what both sides need: attach with validation,
// invariant checks, stats and the sleepers bitmap. RingWriter
// (ring_writer.hpp) appends, RingReader (ring_reader.hpp) plays. A ring has no
// end state: the registry (registry.hpp) says whether its stream is live,
// lost or ended.
//
// Sleep and wake without lost wake-ups (Dekker's pattern). A worker whose
// readers of this ring have all caught up calls announce_sleep(slot):
//     sleepers[w].fetch_or(bit, seq_cst);  t = tail.load(seq_cst)
// and sleeps only if t is still the position its readers reached. The writer,
// after publishing a batch:
//     tail.store(new_tail, release);  atomic_thread_fence(seq_cst);
//     mask = sleepers[w].load(seq_cst) ? sleepers[w].exchange(0, seq_cst) : 0
// Proof: the reader's fetch_or and load and the writer's fence and load are all
// in the single total order S of seq_cst operations, consistent with program
// order. If the reader's tail load comes after the writer's fence in S, it sees
// new_tail ([atomics.order]: a seq_cst load after a seq_cst fence that follows
// a store sees that store or a later one): the worker does not sleep. Otherwise
// fetch_or < tail load < fence < writer's sleepers load in S, so that load
// sees the bit (it is coherence-ordered after the fetch_or): the writer wakes
// the worker. Either way no worker sleeps past new data. A bit left set when
// the worker decided not to sleep only costs one spurious wake-up.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.hpp"
#include "shm/ring_layout.hpp"
#include "shm/sticky.hpp"

namespace srs::shm {

inline constexpr uint32_t kMaxWorkerSlots = 64;

// The worker slots a commit must wake (write 1 to each one's eventfd).
struct WakeSet {
  uint32_t words[2] = {0, 0};
  bool empty() const noexcept { return (words[0] | words[1]) == 0; }
  bool contains(uint32_t slot) const noexcept { return (words[slot / 32] >> (slot % 32)) & 1u; }
  // Calls fn(slot) for each slot in the set.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (uint32_t w = 0; w < 2; ++w)
      for (uint32_t bits = words[w]; bits != 0; bits &= bits - 1)
        fn(w * 32 + static_cast<uint32_t>(__builtin_ctz(bits)));
  }
};

struct RingStats {
  uint32_t records = 0;  // records written (wraps at 2^32)
  uint64_t bytes = 0;    // payload bytes written
  uint32_t last_timestamp = 0;
  uint32_t generation = 0;
};

class Ring {
 public:
  Ring() noexcept = default;

  // Checks that `memory` (of `size` bytes) holds an initialised ring of this
  // layout version: magic, version, size and capacity. For readers.
  [[nodiscard]] static base::Result<Ring> attach(void* memory, std::size_t size) noexcept;
  // Lays out an empty ring over `memory`. For RingWriter::init.
  [[nodiscard]] static base::Result<Ring> format(void* memory, std::size_t size, uint32_t capacity,
                                                 uint32_t initial_pos,
                                                 uint32_t generation) noexcept;

  // Structural checks a test (or a paranoid master) can run at any time:
  // constants sane, tail <= tail_intent <= tail + capacity, latest < tail,
  // keyframe entries committed, sticky slot locks sane. Returns what is wrong.
  [[nodiscard]] base::Status check_invariants() const noexcept;

  // Worker side of the sleep protocol (see the top of this file). Returns the
  // tail observed after the bit is set: sleep only if every reader of this
  // ring in the worker has reached it.
  uint32_t announce_sleep(uint32_t worker_slot) noexcept;
  // Writer side: after a commit, the slots to wake (and clears them).
  WakeSet take_sleepers() noexcept;

  RingStats stats() const noexcept;
  StickySlot sticky(StickyKind kind) const noexcept;

  RingHeader* header() const noexcept { return hdr_; }
  uint8_t* data() const noexcept { return data_; }
  uint32_t capacity() const noexcept { return mask_ + 1; }
  uint32_t mask() const noexcept { return mask_; }
  uint32_t max_payload() const noexcept { return (mask_ + 1) / 4; }
  bool valid() const noexcept { return hdr_ != nullptr; }

 private:
  Ring(RingHeader* hdr, uint32_t capacity) noexcept;

  RingHeader* hdr_ = nullptr;
  uint8_t* data_ = nullptr;
  uint32_t mask_ = 0;
};

}  // namespace srs::shm
