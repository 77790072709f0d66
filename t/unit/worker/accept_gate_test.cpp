// AcceptGate: the share rule, and a pause that disables the listeners and
// ends by itself (worker/accept_gate.hpp).
#include "worker/accept_gate.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "t/unit/shm/control_fixture.hpp"

using srs::worker::AcceptGate;

TEST_CASE("a worker is over its share past the least loaded one plus a slack") {
  constexpr uint32_t kMax = 1000;
  CHECK_FALSE(AcceptGate::over_share(999, UINT32_MAX, kMax));  // alone: everything is its share
  CHECK_FALSE(AcceptGate::over_share(0, 0, kMax));
  CHECK_FALSE(AcceptGate::over_share(2, 0, kMax));
  CHECK(AcceptGate::over_share(3, 0, kMax));
  CHECK_FALSE(AcceptGate::over_share(108, 100, kMax));  // 100 + 2 + 6
  CHECK(AcceptGate::over_share(109, 100, kMax));
  CHECK_FALSE(AcceptGate::over_share(50, 100, kMax));
}

TEST_CASE("a full worker leaves new connections to one with room") {
  CHECK(AcceptGate::over_share(10, 9, 10));        // full, the other is not
  CHECK_FALSE(AcceptGate::over_share(10, 10, 10));  // every worker full: refusing is all that is left
  CHECK_FALSE(AcceptGate::over_share(10, UINT32_MAX, 10));
  CHECK_FALSE(AcceptGate::over_share(9, 9, 10));
}

namespace {

int listening_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 16) == 0);
  return fd;
}

void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void*) { ::close(fd); }

}  // namespace

TEST_CASE("over its share, a worker pauses its listeners for a moment") {
  auto c = srs::test::make_control();
  srs::shm::WorkerTable& w = c.workers();
  for (uint32_t slot : {0u, 1u}) {
    REQUIRE(w.reserve(slot, 1).is_ok());
    w.set_pid(slot, 100 + slot);
    REQUIRE(w.set_ready(slot, 100 + slot).is_ok());
  }
  event_base* base = event_base_new();
  evconnlistener* l = evconnlistener_new(base, on_accept, nullptr, LEV_OPT_CLOSE_ON_FREE, 0,
                                         listening_socket());
  REQUIRE(l != nullptr);
  {
    AcceptGate gate(base, w, 0);
    gate.add(l);
    w.counters(0).connections_now.store(5);
    w.counters(1).connections_now.store(4);
    gate.after_accept(1000);
    CHECK(gate.pauses() == 0);  // within the slack
    w.counters(0).connections_now.store(7);
    gate.after_accept(1000);
    CHECK(gate.pauses() == 1);
    gate.after_accept(1000);
    CHECK(gate.pauses() == 1);  // already paused
    // The pause ends on its own, and the next accept over the share pauses again.
    event_base_loop(base, EVLOOP_ONCE);
    gate.after_accept(1000);
    CHECK(gate.pauses() == 2);
    gate.remove(l);
  }
  evconnlistener_free(l);
  event_base_free(base);
}
