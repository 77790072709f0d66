// fence(): std::atomic_thread_fence, also under ThreadSanitizer.
//
// GCC's TSan pass refuses standalone fences (-Wtsan, an error with -Werror)
// and does not model them. The seqlocks and the ring's tail_intent check need
// them, so under TSan we call the runtime's fence entry point, which issues
// the same hardware fence. TSan then checks the payload through the
// release/acquire pairs on `tail` (which it does model); the fences only
// order atomic words, which it never reports as races anyway.
#pragma once

#include <atomic>

#if defined(__SANITIZE_THREAD__)
#define SRS_SHM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SRS_SHM_TSAN 1
#endif
#endif

#ifdef SRS_SHM_TSAN
extern "C" void __tsan_atomic_thread_fence(int order);
#endif

namespace srs::shm {

inline void fence(std::memory_order order) noexcept {
#ifdef SRS_SHM_TSAN
  __tsan_atomic_thread_fence(static_cast<int>(order));
#else
  std::atomic_thread_fence(order);
#endif
}

}  // namespace srs::shm
