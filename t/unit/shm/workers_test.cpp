// WorkerTable: slot life cycle (master and worker sides), counters, kicks.
#include "shm/workers.hpp"

#include <doctest/doctest.h>

#include "t/unit/shm/control_fixture.hpp"

using srs::base::Errc;
using srs::shm::WorkerState;
using srs::shm::WorkerTable;
using srs::test::kNearWrap;

TEST_CASE("a worker slot goes Free -> Starting -> Ready -> Draining -> Dead -> Free") {
  auto c = srs::test::make_control();
  WorkerTable& w = c.workers();
  CHECK(w.find_free() == 0);
  CHECK(w.state(0) == WorkerState::kFree);
  CHECK_FALSE(w.running(0));

  auto gen = w.reserve(0, 1700000000);
  REQUIRE(gen.is_ok());
  CHECK(*gen == kNearWrap + 1);
  CHECK(w.state(0) == WorkerState::kStarting);
  CHECK(w.running(0));
  CHECK(w.find_free() == 1);
  CHECK(w.reserve(0, 1).status().code() == Errc::kRejected);  // in use
  CHECK(w.set_draining(0).code() == Errc::kRejected);         // not Ready yet

  w.set_pid(0, 4242);
  CHECK(w.set_ready(0, 4242).is_ok());
  CHECK(w.set_ready(0, 4242).code() == Errc::kRejected);  // only from Starting
  CHECK(w.state(0) == WorkerState::kReady);
  CHECK(w.set_draining(0).is_ok());
  CHECK(w.state(0) == WorkerState::kDraining);
  CHECK(w.running(0));

  w.mark_dead(0);
  CHECK(w.state(0) == WorkerState::kDead);
  CHECK_FALSE(w.running(0));
  CHECK(w.find_free() == 0);  // a Dead slot can be restarted

  // Restarts in the same slot cross the 2^32 wrap of the generation.
  for (uint32_t expect : {kNearWrap + 2, 0xFFFFFFFFu, 0u, 1u}) {
    auto g = w.reserve(0, 1700000001);
    REQUIRE(g.is_ok());
    CHECK(*g == expect);
    w.mark_dead(0);
  }
  w.release(0);
  CHECK(w.state(0) == WorkerState::kFree);
  CHECK(w.reserve(64, 1).status().code() == Errc::kInvalid);
}

TEST_CASE("worker counters are read by anyone and zeroed at the next start") {
  auto c = srs::test::make_control();
  WorkerTable& w = c.workers();
  REQUIRE(w.reserve(5, 1700000000).is_ok());
  REQUIRE(w.set_ready(5, 77).is_ok());
  auto& k = w.counters(5);
  k.connections_now.fetch_add(3);
  k.connections_total.store(0xFFFFFFFFu);
  k.connections_total.fetch_add(2);  // wraps: compare with seq_diff
  k.bytes_out.add(0x1FFFFFFFFull);
  k.messages_in.add(10);
  k.lapped_players.fetch_add(1);
  w.heartbeat(5, 1234);
  auto info = w.read(5);
  CHECK(info.state == WorkerState::kReady);
  CHECK(info.pid == 77);
  CHECK(info.started_at == 1700000000);
  CHECK(info.heartbeat == 1234);
  CHECK(info.connections_now == 3);
  CHECK(info.connections_total == 1);
  CHECK(srs::shm::seq_diff(info.connections_total, 0xFFFFFFFFu) == 2);
  CHECK(info.bytes_out == 0x1FFFFFFFFull);
  CHECK(info.messages_in == 10);
  CHECK(info.lapped_players == 1);

  w.mark_dead(5);
  REQUIRE(w.reserve(5, 1700000100).is_ok());
  info = w.read(5);
  CHECK(info.pid == 0);
  CHECK(info.connections_now == 0);
  CHECK(info.bytes_out == 0);
  CHECK(info.heartbeat == 0);
}

TEST_CASE("kick flags are taken once") {
  auto c = srs::test::make_control();
  WorkerTable& w = c.workers();
  CHECK_FALSE(w.take_kicks(9));
  w.flag_kick(9);
  w.flag_kick(9);
  CHECK(w.take_kicks(9));
  CHECK_FALSE(w.take_kicks(9));
  CHECK(std::string(srs::shm::worker_state_name(WorkerState::kDraining)) == "draining");
}

TEST_CASE("a publisher's ring time: the first one since the worker looked, taken once") {
  auto c = srs::test::make_control();
  WorkerTable& w = c.workers();
  CHECK(w.take_rung(9) == 0);
  w.note_rung(9, 1000);
  w.note_rung(9, 2000);           // rung again before the worker looked: the first time counts
  CHECK(w.take_rung(9) == 1001);  // never 0, which means "not rung"
  CHECK(w.take_rung(9) == 0);
  w.note_rung(9, 0);
  CHECK(w.take_rung(9) == 1);
  w.note_rung(64, 5);  // out of range: ignored
  CHECK(w.take_rung(64) == 0);
  w.note_rung(9, 77);
  CHECK(w.reserve(9, 0).is_ok());  // a new worker in the slot starts unrung
  CHECK(w.take_rung(9) == 0);
}

TEST_CASE("least_connections looks at the other Ready workers only") {
  auto c = srs::test::make_control();
  WorkerTable& w = c.workers();
  CHECK(w.least_connections(0) == UINT32_MAX);  // nobody else
  for (uint32_t slot : {0u, 1u, 2u, 3u}) {
    REQUIRE(w.reserve(slot, 1).is_ok());
    w.set_pid(slot, 100 + slot);
  }
  for (uint32_t slot : {0u, 1u, 2u}) REQUIRE(w.set_ready(slot, 100 + slot).is_ok());
  w.counters(0).connections_now.store(3);
  w.counters(1).connections_now.store(9);
  w.counters(2).connections_now.store(7);
  w.counters(3).connections_now.store(1);  // still Starting: not counted
  CHECK(w.least_connections(0) == 7);
  CHECK(w.least_connections(1) == 3);
  CHECK(w.least_connections(2) == 3);
  REQUIRE(w.set_draining(0).is_ok());  // a draining worker accepts nothing
  CHECK(w.least_connections(1) == 7);
  w.mark_dead(2);
  CHECK(w.least_connections(1) == UINT32_MAX);
}
