// Wakeups: one eventfd per worker slot; see wakeup.hpp.
#include "shm/wakeup.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace srs::shm {

using base::Result;
using base::Status;

Result<Wakeups> Wakeups::create() {
  Wakeups w;
  for (auto& fd : w.fds_) {
    fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!fd.valid()) return Status::sys("eventfd(EFD_NONBLOCK|EFD_CLOEXEC)");
  }
  return w;
}

void Wakeups::wake(uint32_t slot) const noexcept {
  const int f = fd(slot);
  if (f < 0) return;
  const uint64_t one = 1;
  // EAGAIN: the counter is saturated, the worker is due to wake anyway.
  ssize_t n;
  do {
    n = write(f, &one, sizeof(one));
  } while (n < 0 && errno == EINTR);
}

void Wakeups::wake_mask(uint64_t mask) const noexcept {
  for (uint32_t slot = 0; mask != 0; ++slot, mask >>= 1) {
    if (mask & 1) wake(slot);
  }
}

uint64_t Wakeups::drain(uint32_t slot) const noexcept {
  const int f = fd(slot);
  if (f < 0) return 0;
  uint64_t count = 0;
  ssize_t n;
  do {
    n = read(f, &count, sizeof(count));
  } while (n < 0 && errno == EINTR);
  return n == sizeof(count) ? count : 0;
}

int Wakeups::fd(uint32_t slot) const noexcept {
  return slot < fds_.size() ? fds_[slot].get() : -1;
}

}  // namespace srs::shm
