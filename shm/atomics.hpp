// Rules for every atomic that lives in shared memory.
//
// 1. Lock-free on every target (x86-64, armhf, arm64, mipsel). 32-bit MIPS and
//    some ARM have no 64-bit atomics: GCC then calls libatomic, whose locks are
//    private to one process and silently break across processes. So shared
//    atomics are at most 32 bits wide, and SHM_ASSERT_LOCK_FREE proves it at
//    compile time on each target (GNUmakefile.cross compiles shm/ for all).
// 2. 32-bit counters wrap. Compare them only with seq_before()/seq_diff(),
//    which are correct while the two values are less than 2^31 apart.
#pragma once

#include <atomic>
#include <cstdint>

#define SHM_ASSERT_LOCK_FREE(T) \
  static_assert(std::atomic<T>::is_always_lock_free, "shared atomic must be lock-free: " #T)

namespace srs::shm {

using Atomic32 = std::atomic<uint32_t>;
SHM_ASSERT_LOCK_FREE(uint32_t);
static_assert(sizeof(Atomic32) == 4, "Atomic32 must be a plain 32-bit word");

// a - b as a signed distance, correct across the 2^32 wrap.
constexpr int32_t seq_diff(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a - b);
}
// True when a comes strictly before b (modulo 2^32).
constexpr bool seq_before(uint32_t a, uint32_t b) noexcept {
  return seq_diff(a, b) < 0;
}
constexpr bool seq_before_eq(uint32_t a, uint32_t b) noexcept {
  return seq_diff(a, b) <= 0;
}

// Cache line size used to separate writer-owned and reader-owned fields.
// 128 covers adjacent-line prefetch on x86 and the 128-byte lines of some ARM.
inline constexpr std::size_t kCacheLine = 128;

}  // namespace srs::shm
