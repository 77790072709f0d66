// Wakeups: eventfd doorbells per worker slot, rung across fork().
#include "shm/wakeup.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "t/unit/shm/control_fixture.hpp"

using srs::shm::Wakeups;

namespace {
bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}
}  // namespace

TEST_CASE("wake, drain and wake_mask ring exactly the slots asked") {
  auto w = Wakeups::create();
  REQUIRE(w.is_ok());
  CHECK(w->fd(0) >= 0);
  CHECK(w->fd(63) >= 0);
  CHECK(w->fd(64) == -1);
  CHECK((fcntl(w->fd(5), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((fcntl(w->fd(5), F_GETFL) & O_NONBLOCK) != 0);

  CHECK_FALSE(readable(w->fd(5), 0));
  w->wake(5);
  w->wake(5);  // coalesces
  CHECK(readable(w->fd(5), 0));
  CHECK(w->drain(5) == 2);
  CHECK_FALSE(readable(w->fd(5), 0));
  CHECK(w->drain(5) == 0);  // EAGAIN is "nothing pending"

  w->wake_mask((uint64_t{1} << 63) | (uint64_t{1} << 2));
  CHECK(readable(w->fd(63), 0));
  CHECK(readable(w->fd(2), 0));
  CHECK_FALSE(readable(w->fd(3), 0));
  w->wake(64);  // out of range: ignored
}

TEST_CASE("a child waiting on its inherited eventfd is woken by the parent") {
  auto w = Wakeups::create();
  REQUIRE(w.is_ok());
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (!readable(w->fd(3), 5000)) _exit(2);
    _exit(w->drain(3) == 1 ? 0 : 3);
  }
  usleep(20000);  // let the child block in poll()
  w->wake(3);
  CHECK(srs::test::wait_child(pid) == 0);
}
