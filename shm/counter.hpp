// Counter64: a 64-bit counter in shared memory built from 32-bit atomics.
//
// 32-bit MIPS and ARM have no lock-free 64-bit atomics (atomics.hpp), yet byte
// counters pass 2^32 in minutes. A Counter64 has ONE writer (the worker that
// owns the slot it lives in) and any number of readers in any process.
//
// Layout and protocol (the "hi-lo-hi" read of a split counter, as Linux reads
// jiffies_64 on 32-bit machines, with two copies of the high word):
//
//   word   hi_a   lo   hi_b        writer (one):   hi_a = H' ; lo = L' ; hi_b = H'
//                                   (hi words are stored only when H changes)
//   reader: b = hi_b (acquire); l = lo (acquire); a = hi_a (relaxed)
//           a == b  -> the value is b:l      a != b -> a carry is in flight, retry
//
// Why it is right: hi_a is written before lo, and lo before hi_b (release).
// A reader that sees a new lo (after a carry) therefore also sees the new
// hi_a; if it saw the old hi_b, a != b and it retries. A reader never retries
// except across a carry, i.e. once every 4 GiB.
//
// A writer preempted (or killed) between hi_a and hi_b leaves a != b for a
// while (or forever). Readers retry kSpinRetries times, then yield the CPU
// between tries, and after kMaxRetries decide without it: a = the new high
// word, b = the old one, and an add of less than 2^31 that carried leaves a
// low word below 2^31 if it was stored, at or above 2^31 if not. So the
// answer is exact for every add below 2 GiB (one socket write is far less),
// and whoever takes a dead writer's slot over calls reset().
#pragma once

#include <sched.h>

#include <cstdint>

#include "shm/atomics.hpp"

namespace srs::shm {

class Counter64 {
 public:
  static constexpr int kSpinRetries = 64;
  static constexpr int kMaxRetries = 4096;

  // Writer only. n < 2^31 keeps a reader exact even while the writer is stuck.
  void add(uint64_t n) noexcept {
    const uint32_t lo = lo_.load(std::memory_order_relaxed);
    const uint32_t hi = hi_b_.load(std::memory_order_relaxed);
    const uint64_t next = ((uint64_t{hi} << 32) | lo) + n;
    store(next, static_cast<uint32_t>(next >> 32) != hi);
  }
  // Writer only (or the master, for a slot whose writer is gone).
  void reset(uint64_t value = 0) noexcept { store(value, true); }

  // Any process, any time.
  uint64_t load() const noexcept {
    for (int i = 0;; ++i) {
      const uint32_t b = hi_b_.load(std::memory_order_acquire);
      const uint32_t l = lo_.load(std::memory_order_acquire);
      const uint32_t a = hi_a_.load(std::memory_order_relaxed);
      if (a == b) return (uint64_t{b} << 32) | l;
      if (i >= kMaxRetries) return (uint64_t{l < 0x80000000u ? a : b} << 32) | l;
      if (i >= kSpinRetries) sched_yield();
    }
  }

 private:
  void store(uint64_t value, bool high_changed) noexcept {
    const auto hi = static_cast<uint32_t>(value >> 32);
    if (high_changed) hi_a_.store(hi, std::memory_order_relaxed);
    lo_.store(static_cast<uint32_t>(value), std::memory_order_release);
    if (high_changed) hi_b_.store(hi, std::memory_order_release);
  }

  Atomic32 hi_a_{0};
  Atomic32 lo_{0};
  Atomic32 hi_b_{0};
};

static_assert(sizeof(Counter64) == 12, "Counter64 is part of the shared ABI");
static_assert(alignof(Counter64) == 4, "Counter64 needs only 4-byte alignment");

}  // namespace srs::shm
