// AcceptGate: the share rule, and a pause that disables the listeners and
// ends by itself (worker/accept_gate.hpp).
#include "worker/core/accept_gate.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
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
  CHECK(AcceptGate::over_share(10, 9, 10));  // full, the other is not
  CHECK_FALSE(
      AcceptGate::over_share(10, 10, 10));  // every worker full: refusing is all that is left
  CHECK_FALSE(AcceptGate::over_share(10, UINT32_MAX, 10));
  CHECK_FALSE(AcceptGate::over_share(9, 9, 10));
}

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = port;
  return a;
}

int listening_socket(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in a = loopback(0);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 16) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  *port = a.sin_port;
  return fd;
}

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

int g_accepted = 0;
void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void*) {
  ++g_accepted;
  ::close(fd);
}

// Whether the kernel tells a listener's accept queue (TCP_INFO): Linux does;
// qemu-user, where the boards' unit tests run, answers every TCP option with
// an int's 4 bytes.
bool accept_queue_visible(int listener) {
  tcp_info info{};
  socklen_t len = sizeof info;
  return ::getsockopt(listener, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
         len >= offsetof(tcp_info, tcpi_unacked) + sizeof info.tcpi_unacked;
}

struct TwoWorkers {
  srs::shm::Control c = srs::test::make_control();
  srs::shm::WorkerTable& w = c.workers();
  event_base* base = event_base_new();
  uint16_t port = 0;
  evconnlistener* listener = nullptr;
  TwoWorkers() {
    for (uint32_t slot : {0u, 1u}) {
      REQUIRE(w.reserve(slot, 1).is_ok());
      w.set_pid(slot, 100 + slot);
      REQUIRE(w.set_ready(slot, 100 + slot).is_ok());
    }
    listener = evconnlistener_new(base, on_accept, nullptr, LEV_OPT_CLOSE_ON_FREE, 0,
                                  listening_socket(&port));
    REQUIRE(listener != nullptr);
    g_accepted = 0;
  }
  ~TwoWorkers() {
    evconnlistener_free(listener);
    event_base_free(base);
  }
  void counts(uint32_t mine, uint32_t other) {
    w.counters(0).connections_now.store(mine);
    w.counters(1).connections_now.store(other);
  }
};

}  // namespace

TEST_CASE("over its share, a worker stops accepting until it is back within it") {
  TwoWorkers t;
  AcceptGate gate(t.base, t.w, 0);
  gate.add(t.listener);
  t.counts(5, 4);
  gate.after_accept(1000);
  CHECK(gate.pauses() == 0);  // within the slack
  t.counts(7, 4);
  gate.after_accept(1000);
  CHECK(gate.pauses() == 1);
  gate.after_accept(1000);
  CHECK(gate.pauses() == 1);  // already paused

  int client = connect_to(t.port);
  event_base_loop(t.base, EVLOOP_NONBLOCK);
  CHECK(g_accepted == 0);                // the queue is left to the others
  event_base_loop(t.base, EVLOOP_ONCE);  // the first look: still over its share
  event_base_loop(t.base, EVLOOP_NONBLOCK);
  CHECK(g_accepted == 0);
  t.counts(5, 4);                        // the others took their share
  event_base_loop(t.base, EVLOOP_ONCE);  // the next look resumes
  event_base_loop(t.base, EVLOOP_NONBLOCK);
  CHECK(g_accepted == 1);
  ::close(client);
  gate.remove(t.listener);
}

TEST_CASE("a queue nobody takes is taken after kNoTakerLooks looks") {
  TwoWorkers t;
  if (!accept_queue_visible(evconnlistener_get_fd(t.listener))) {
    MESSAGE("skipped: TCP_INFO on a listener is not available here (qemu-user)");
    return;
  }
  AcceptGate gate(t.base, t.w, 0);
  gate.add(t.listener);
  t.counts(20, 0);  // a peer that takes nothing (hung, stopped)
  gate.after_accept(1000);
  REQUIRE(gate.pauses() == 1);
  int client = connect_to(t.port);
  int looks = 0;
  while (g_accepted == 0 && looks < 2 * AcceptGate::kMaxPauseMs / AcceptGate::kPauseMs) {
    event_base_loop(t.base, EVLOOP_ONCE);
    ++looks;
  }
  CHECK(g_accepted == 1);
  // Seen at the first look, untaken for kNoTakerLooks more, then accepted at once.
  CHECK(looks == AcceptGate::kNoTakerLooks + 2);
  // The gate stays open a while: the next connections are taken at once.
  t.counts(21, 0);
  gate.after_accept(1000);
  CHECK(gate.pauses() == 1);
  ::close(client);
  gate.remove(t.listener);
}

TEST_CASE("a queue the others are taking is left to them; a full worker never takes it") {
  TwoWorkers t;
  AcceptGate gate(t.base, t.w, 0);
  gate.add(t.listener);
  t.counts(20, 0);
  gate.after_accept(1000);
  REQUIRE(gate.pauses() == 1);
  int client = connect_to(t.port);
  for (int look = 0; look < 4; ++look) {
    t.w.counters(1).connections_total.fetch_add(1);  // the other worker is accepting
    event_base_loop(t.base, EVLOOP_ONCE);
    event_base_loop(t.base, EVLOOP_NONBLOCK);
    CHECK(g_accepted == 0);
  }
  // Full, next to a worker with room that accepts nothing: no point in
  // taking a queue it could only refuse.
  t.counts(30, 0);
  gate.after_accept(30);
  for (int look = 0; look < 4; ++look) {
    event_base_loop(t.base, EVLOOP_ONCE);
    event_base_loop(t.base, EVLOOP_NONBLOCK);
    CHECK(g_accepted == 0);
  }
  ::close(client);
  gate.remove(t.listener);
}
