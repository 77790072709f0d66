// Control: the region's header check, and crash reclaim after a worker is SIGKILLed.
#include "shm/control.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "t/unit/shm/control_fixture.hpp"

using srs::base::ContextId;
using srs::base::Errc;
using srs::shm::ClientType;
using srs::shm::Control;
using srs::shm::ControlSizes;
using srs::shm::Owner;
using srs::shm::Segment;
using srs::shm::StreamState;
using srs::shm::WorkerState;

TEST_CASE("the region starts with magic, layout version and size, and attach checks them") {
  auto c = Control::create(ControlSizes{16, 32});
  REQUIRE(c.is_ok());
  auto& h = const_cast<srs::shm::ControlHeader&>(c->header());
  void* base = &h;
  const std::size_t size = Control::required_size(ControlSizes{16, 32});
  CHECK(size % 4096 == 0);
  CHECK(h.fixed.magic == srs::shm::kControlMagic);
  CHECK(h.fixed.layout_version == srs::shm::kControlLayoutVersion);
  CHECK(h.fixed.size == size);
  CHECK(h.fixed.master_pid == static_cast<uint32_t>(getpid()));
  CHECK(c->instance().master_pid == static_cast<uint32_t>(getpid()));
  CHECK(std::string(c->ring_name(3, 7).c_str()).rfind("/srs.", 0) == 0);

  auto ok = Control::attach(base, size);
  REQUIRE(ok.is_ok());
  CHECK(ok->registry().capacity() == 16);
  CHECK(ok->clients().capacity() == 32);
  // The attached view sees what the creator wrote.
  REQUIRE(c->registry().publish("v/live/a", Owner{1, 1}).is_ok());
  CHECK(ok->registry().find("v/live/a").is_ok());

  auto expect_fail = [&](const char* what, Errc code, std::size_t mapped = 0) {
    auto r = Control::attach(base, mapped ? mapped : size);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == code);
    CHECK(std::string(r.status().to_string()).find(what) != std::string::npos);
  };
  h.fixed.magic ^= 1;
  expect_fail("magic", Errc::kInvalid);
  h.fixed.magic ^= 1;
  h.fixed.layout_version += 1;
  expect_fail("layout version", Errc::kUnsupported);
  h.fixed.layout_version -= 1;
  h.fixed.size += 4096;
  expect_fail("size", Errc::kInvalid);
  h.fixed.size -= 4096;
  h.fixed.max_streams += 1;  // the tables no longer match the recorded offsets
  expect_fail("offsets", Errc::kInvalid);
  h.fixed.max_streams -= 1;
  expect_fail("shorter", Errc::kInvalid, size - 4096);
  expect_fail("header", Errc::kInvalid, 16);
  CHECK(Control::attach(base, size).is_ok());

  CHECK(Control::required_size(ControlSizes{0, 32}) == 0);
  CHECK(Control::required_size(ControlSizes{16, srs::shm::kMaxClientsLimit + 1}) == 0);
  CHECK(Control::create(ControlSizes{0, 1}).status().code() == Errc::kInvalid);
}

TEST_CASE("format refuses memory that is too small or misaligned") {
  alignas(128) static unsigned char small[4096];
  const auto id = srs::shm::InstanceId::generate();
  CHECK(Control::format(small, sizeof(small), ControlSizes{16, 32}, id).status().code() ==
        Errc::kTooLarge);
  CHECK(Control::format(small + 8, 1 << 30, ControlSizes{16, 32}, id).status().code() ==
        Errc::kInvalid);
}

namespace {

constexpr uint32_t kDeadSlot = 2;

// The child: a worker in slot 2 that publishes, serves clients, creates a
// ring, and is killed in the middle of claiming one more stream.
[[noreturn]] void run_doomed_worker(Control& c, int ready_fd) {
  if (!c.workers().set_ready(kDeadSlot, static_cast<uint32_t>(getpid())).is_ok()) _exit(2);
  const Owner me{kDeadSlot, static_cast<uint32_t>(getpid())};
  auto a = c.registry().publish("v/live/a", me);
  auto b = c.registry().publish("v/live/b", me);
  if (!a.is_ok() || !b.is_ok()) _exit(3);
  ContextId id;
  for (int i = 0; i < 2; ++i) {
    if (!c.clients().claim(me, ClientType::kFmlePublish, id, "127.0.0.1", 1).is_ok()) _exit(4);
  }
  const uint32_t epoch = c.registry().ring_epoch(b->slot) + 1;
  auto ring = Segment::create(c.ring_name(b->slot, epoch), 1 << 16);
  if (!ring.is_ok() || !c.registry().set_ring_epoch(*b, epoch).is_ok()) _exit(5);
  c.registry().set_claim_hook(
      [](srs::shm::Registry::ClaimPhase phase, uint32_t, void* arg) {
        if (phase != srs::shm::Registry::ClaimPhase::kPending) return;
        const char byte = 'r';
        if (write(*static_cast<int*>(arg), &byte, 1) != 1) _exit(6);
        for (;;) pause();  // SIGKILLed here, mid-claim
      },
      &ready_fd);
  (void)c.registry().publish("v/live/c", me);
  _exit(7);
}

}  // namespace

TEST_CASE(
    "reclaim_worker after a SIGKILL frees clients, keeps streams for a republish, undoes claims") {
  auto c = srs::test::make_control(16, 32);
  REQUIRE(c.workers().reserve(kDeadSlot, 1700000000).is_ok());
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) run_doomed_worker(c, pipe_fds[1]);
  c.workers().set_pid(kDeadSlot, static_cast<uint32_t>(pid));
  char byte = 0;
  REQUIRE(read(pipe_fds[0], &byte, 1) == 1);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  // A player of "a" on worker 3 is watching.
  auto seen = c.registry().find("v/live/a");
  REQUIRE(seen.is_ok());
  c.registry().add_players(seen->slot, 3, 1);
  const uint32_t b_slot = c.registry().find("v/live/b")->slot;
  const auto b_ring = c.ring_name(b_slot, c.registry().ring_epoch(b_slot));
  CHECK(Segment::open(b_ring).is_ok());                 // the dead worker's ring is still there
  REQUIRE(c.workers().reserve(3, 1700000000).is_ok());  // the surviving worker

  kill(pid, SIGKILL);
  CHECK(srs::test::wait_child(pid) == 128 + SIGKILL);
  CHECK(c.reclaim_worker(kDeadSlot, static_cast<uint32_t>(pid) + 1, 100).status().code() ==
        Errc::kInvalid);
  auto report = c.reclaim_worker(kDeadSlot, static_cast<uint32_t>(pid), 100);
  REQUIRE(report.is_ok());
  CHECK(report->clients_freed == 2);
  CHECK(report->streams_lost == 2);
  CHECK(report->claims_retracted == 1);
  CHECK(c.workers().state(kDeadSlot) == WorkerState::kDead);
  int clients = 0;
  c.clients().for_each([&](const srs::shm::ClientInfo&) { ++clients; });
  CHECK(clients == 0);

  // Players wait: the stream is Lost, not gone, and keeps its players.
  auto lost = c.registry().find("v/live/a");
  REQUIRE(lost.is_ok());
  CHECK(lost->state == StreamState::kLost);
  CHECK(lost->players == 1);
  // Nothing is stuck: the half-claimed name can be published, and a
  // publisher on another worker continues "a" in the same slot.
  CHECK(c.registry().publish("v/live/c", Owner{3, 33}).is_ok());
  auto again = c.registry().publish("v/live/a", Owner{3, 33});
  REQUIRE(again.is_ok());
  CHECK(again->slot == seen->slot);
  CHECK(again->generation == seen->generation + 1);

  // The sweep ends "b" once its grace period is over, and frees its ring.
  auto early = c.sweep(100 + 9, 10);
  CHECK(early.streams_ended == 0);
  auto swept = c.sweep(100 + 10, 10);
  CHECK(swept.streams_ended == 1);
  CHECK(swept.segments_unlinked == 1);
  CHECK(c.registry().find("v/live/b").status().code() == Errc::kNotFound);
  CHECK(Segment::open(b_ring).status().code() == Errc::kNotFound);
  CHECK(c.registry().find("v/live/a")->state == StreamState::kLive);  // republished: untouched
}

TEST_CASE("sweep repairs what a worker that is not running still holds") {
  auto c = srs::test::make_control(16, 32);
  // Worker slot 7 never reserved (or its death was never reported).
  auto s = c.registry().publish("v/live/orphan", Owner{7, 70});
  REQUIRE(s.is_ok());
  REQUIRE(c.clients().claim(Owner{7, 70}, ClientType::kRtmpPlay, ContextId{}, "::1", 1).is_ok());
  REQUIRE(c.workers().reserve(8, 1).is_ok());
  REQUIRE(c.clients().claim(Owner{8, 80}, ClientType::kRtmpPlay, ContextId{}, "::1", 1).is_ok());
  auto r = c.sweep(500, 10);
  CHECK(r.owners_repaired == 1);
  CHECK(r.clients_freed == 1);  // worker 8 is running: its client stays
  CHECK(c.registry().state(s->slot) == StreamState::kLost);
}
