// The worker table: slots, generations, and respawns with the workers' policy.
#include "master/worker_table.hpp"

#include <doctest/doctest.h>

using namespace srs::master;

TEST_CASE("a worker that lived long is respawned at once, quick exits back off") {
  WorkerTable t;
  t.mark_started(2, 100, 1, 0);
  CHECK(t.find_pid(100) == 2);
  CHECK(t.schedule_respawn(2, 50000) == 0);  // lived 50 s: stable
  CHECK(t.at(2).state == SlotState::kWaiting);
  CHECK(t.find_pid(100) == -1);
  CHECK(t.next_respawn_ms() == 50000);
  t.mark_started(2, 101, 1, 50000);
  CHECK(t.schedule_respawn(2, 50500) == 100);
  t.mark_started(2, 102, 1, 50600);
  CHECK(t.schedule_respawn(2, 50700) == 200);
  t.mark_started(2, 103, 1, 50900);
  CHECK(t.schedule_respawn(2, 70900) == 0);  // lived 20 s: the streak is over
  CHECK(t.at(2).history.restarts == 4);
}

TEST_CASE("a worker slot never gives up: a hundred quick exits still respawn, 30 s apart") {
  WorkerTable t;
  int64_t now = 1000;
  int64_t delay = 0;
  for (int i = 0; i < 100; i++) {
    t.mark_started(0, 100 + i, 1, now);
    delay = t.schedule_respawn(0, now + 1);
    CHECK(t.at(0).state == SlotState::kWaiting);
    now += 1 + delay;
  }
  CHECK(delay == 30000);
  CHECK(t.at(0).history.quick_exits == 100);
  CHECK(t.at(0).history.restarts == 100);
}

TEST_CASE("a slot taken by a new generation starts a fresh streak") {
  WorkerTable t;
  t.mark_started(0, 10, 1, 0);
  CHECK(t.schedule_respawn(0, 10) == 100);
  t.mark_started(0, 11, 1, 200);
  CHECK(t.schedule_respawn(0, 210) == 200);
  t.release(0);
  t.mark_started(0, 12, 2, 300);
  CHECK(t.at(0).history.restarts == 0);
  CHECK(t.schedule_respawn(0, 310) == 100);
}

TEST_CASE("free slots are taken lowest first, and only when enough are free") {
  WorkerTable t;
  for (int i = 0; i < kMaxWorkerSlots - 2; i++) t.mark_started(i, 1000 + i, 1, 0);
  CHECK(t.take_free(3).empty());
  auto two = t.take_free(2);
  REQUIRE(two.size() == 2);
  CHECK(two[0] == kMaxWorkerSlots - 2);
  t.release(5);
  CHECK(t.take_free(3) == std::vector<int>{5, kMaxWorkerSlots - 2, kMaxWorkerSlots - 1});
}

TEST_CASE("generations are counted per state") {
  WorkerTable t;
  t.mark_started(0, 10, 1, 0);
  t.mark_started(1, 11, 1, 0);
  t.mark_started(2, 12, 2, 0);
  t.at(0).state = SlotState::kReady;
  CHECK(t.count(1, SlotState::kReady) == 1);
  CHECK(t.count(1, SlotState::kStarting) == 1);
  CHECK(t.of_generation(1) == std::vector<int>{0, 1});
  CHECK(t.of_generation(2) == std::vector<int>{2});
  CHECK(t.live_count() == 3);
  t.at(1).state = SlotState::kDraining;
  CHECK(t.live_count() == 3);
  (void)t.schedule_respawn(2, 100);
  CHECK(t.live_count() == 2);
}
