// The restart policy as pure logic: the back-off, the stable period that ends
// a streak, and the crash-loop breaker.
#include "master/restart_policy.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace srs::master;

TEST_CASE("restart policy: the delay doubles from 100 ms and stops at 30 s") {
  RestartPolicy p;
  CHECK(p.delay_ms(0) == 0);
  CHECK(p.delay_ms(1) == 100);
  CHECK(p.delay_ms(2) == 200);
  CHECK(p.delay_ms(4) == 800);
  CHECK(p.delay_ms(9) == 25600);
  CHECK(p.delay_ms(10) == 30000);
  CHECK(p.delay_ms(1000) == 30000);  // no overflow past the cap
}

TEST_CASE("restart policy: quick exits back off, a run that lasted ends the streak") {
  RestartPolicy p;
  RestartHistory h;
  p.started(&h, 1000);
  RestartDecision d = p.exited(&h, 60000);  // lived 59 s: stable
  CHECK_FALSE(d.give_up);
  CHECK(d.delay_ms == 0);
  CHECK(h.quick_exits == 0);
  p.started(&h, 60000);
  CHECK(p.exited(&h, 60500).delay_ms == 100);
  p.started(&h, 60600);
  CHECK(p.exited(&h, 60700).delay_ms == 200);
  p.started(&h, 60900);
  CHECK(p.exited(&h, 60900 + 9999).delay_ms == 400);  // 1 ms short of stable
  CHECK(h.quick_exits == 3);
  p.started(&h, 80000);
  CHECK(p.exited(&h, 90000).delay_ms == 0);  // exactly stable_ms: the streak is over
  CHECK(h.quick_exits == 0);
  CHECK(h.restarts == 5);
}

TEST_CASE("restart policy: workers never give up, they keep backing off") {
  RestartPolicy p = RestartPolicy::worker();
  CHECK(p.give_up_after == 0);
  RestartHistory h;
  int64_t now = 0;
  for (int i = 1; i <= 1000; i++) {
    p.started(&h, now);
    RestartDecision d = p.exited(&h, now + 5);
    REQUIRE_FALSE(d.give_up);
    CHECK(d.delay_ms == p.delay_ms(i));
    now += 5 + d.delay_ms;
  }
  CHECK(h.quick_exits == 1000);
  CHECK(h.restarts == 1000);
}

TEST_CASE("restart policy: the breaker trips after N quick exits in a row, not before") {
  RestartPolicy p = RestartPolicy::give_up_after_quick_exits(3);
  RestartHistory h;
  p.started(&h, 0);
  RestartDecision d = p.exited(&h, 10);
  CHECK_FALSE(d.give_up);
  CHECK(d.delay_ms == 100);
  p.started(&h, 110);
  d = p.exited(&h, 120);
  CHECK_FALSE(d.give_up);
  CHECK(d.delay_ms == 200);
  p.started(&h, 320);
  d = p.exited(&h, 330);
  CHECK(d.give_up);
  CHECK(h.quick_exits == 3);
  CHECK(h.restarts == 2);  // the third exit is not followed by a restart
}

TEST_CASE("restart policy: a stable run between quick exits resets the breaker's count") {
  RestartPolicy p = RestartPolicy::give_up_after_quick_exits(2);
  RestartHistory h;
  p.started(&h, 0);
  CHECK_FALSE(p.exited(&h, 10).give_up);  // 1 quick exit
  p.started(&h, 110);
  CHECK_FALSE(p.exited(&h, 110 + 20000).give_up);  // stable: back to 0
  p.started(&h, 30000);
  CHECK_FALSE(p.exited(&h, 30010).give_up);  // 1 again
  p.started(&h, 30110);
  CHECK(p.exited(&h, 30120).give_up);  // 2 in a row
}

TEST_CASE("restart policy: the periods are the policy's own") {
  RestartPolicy p;
  p.stable_ms = 1000;
  p.first_backoff_ms = 50;
  p.max_backoff_ms = 300;
  RestartHistory h;
  p.started(&h, 0);
  CHECK(p.exited(&h, 999).delay_ms == 50);
  CHECK(p.delay_ms(3) == 200);
  CHECK(p.delay_ms(4) == 300);
  p.started(&h, 2000);
  CHECK(p.exited(&h, 3000).delay_ms == 0);
}

TEST_CASE("restart policy: the ffmpeg breaker goes quiet at 30 s and never gives up") {
  RestartPolicy p = RestartPolicy::ffmpeg();
  RestartHistory h;
  int64_t now = 0;
  std::vector<RestartDecision> d;
  for (int i = 0; i < 7; i++) {
    p.started(&h, now);
    now += 500;
    d.push_back(p.exited(&h, now));
  }
  CHECK(d[0].delay_ms == 1000);
  CHECK(d[3].delay_ms == 8000);
  CHECK_FALSE(d[3].quiet);
  CHECK(d[4].tripped);
  CHECK(d[4].quiet);
  CHECK(d[4].delay_ms == 30000);
  CHECK_FALSE(d[5].tripped);
  CHECK(d[5].quiet);
  CHECK_FALSE(d[6].give_up);
  p.started(&h, now);
  RestartDecision lasted = p.exited(&h, now + 60000);
  CHECK_FALSE(lasted.quiet);
  CHECK(lasted.delay_ms == 0);
}
