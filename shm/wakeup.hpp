// Wakeups: one eventfd per worker slot, the doorbell between processes.
//
// The master creates all of them before it forks (EFD_NONBLOCK|EFD_CLOEXEC),
// so every worker inherits every fd, and a worker restarted in a slot gets
// the same doorbell as the one it replaces. A worker registers fd(its slot)
// in its libevent loop (EV_READ|EV_PERSIST) and calls drain() in the
// callback; anyone calls wake(slot) to ring it. Wake-ups coalesce: the
// eventfd is a counter, and one read empties it, so ring at most once per
// worker per loop iteration (see Registry::take_waiters, Control::kick_client).
//
// Not in shared memory (these are fds), but the fd numbers are the same in
// every process because they are inherited, not passed.
#pragma once

#include <array>
#include <cstdint>

#include "base/fd.hpp"
#include "base/status.hpp"
#include "shm/workers.hpp"

namespace srs::shm {

class Wakeups {
 public:
  Wakeups() noexcept = default;

  // One eventfd for each of the kWorkerSlots slots.
  [[nodiscard]] static base::Result<Wakeups> create();

  // write(fd, 1); EAGAIN (the counter is full, so the worker will wake
  // anyway) is not an error, and neither is a slot out of range.
  void wake(uint32_t slot) const noexcept;
  // wake() every slot whose bit is set in `mask` (bit i = slot i).
  void wake_mask(uint64_t mask) const noexcept;
  // Reads the counter to zero; returns how many wakes were pending (0: none).
  uint64_t drain(uint32_t slot) const noexcept;
  // The fd to watch for readability; -1 for a slot out of range.
  int fd(uint32_t slot) const noexcept;

 private:
  std::array<base::Fd, kWorkerSlots> fds_;
};

}  // namespace srs::shm
