// WriteLoad: the share of wall time spent writing, and the automatic merge
// window it gives (0 below 30%, the ceiling above 80%).
#include "worker/stream/write_load.hpp"

#include <doctest/doctest.h>

#include <cstdint>

namespace srs::worker {
namespace {

constexpr int64_t kMs = 1'000'000;  // ns

// Passes of `pass_ms` every `period_ms`, for `seconds`, from `*now`.
void write_for(WriteLoad* load, int64_t* now, int64_t pass_ms, int64_t period_ms, int seconds) {
  for (int64_t end = *now + seconds * 1000 * kMs; *now < end; *now += period_ms * kMs) {
    load->add_pass(*now, *now + pass_ms * kMs);
  }
}

TEST_CASE("an idle worker sends each frame at once") {
  WriteLoad load;
  CHECK(load.busy(5 * kMs) == 0.0);
  CHECK(load.window_ms(350, 5 * kMs) == 0);
  int64_t now = kMs;
  write_for(&load, &now, 2, 40, 5);  // 2 ms of writing per 40 ms frame: 5%
  CHECK(load.busy(now) == doctest::Approx(0.05).epsilon(0.2));
  CHECK(load.window_ms(350, now) == 0);
}

TEST_CASE("the window grows with the share of time spent writing, up to the ceiling") {
  WriteLoad load;
  int64_t now = kMs;
  write_for(&load, &now, 8, 40, 5);  // 20% of the time: still each frame at once
  CHECK(load.busy(now) == doctest::Approx(0.2).epsilon(0.1));
  CHECK(load.window_ms(350, now) == 0);
  write_for(&load, &now, 22, 40, 5);  // 55%
  CHECK(load.busy(now) == doctest::Approx(0.55).epsilon(0.1));
  int64_t mid = load.window_ms(350, now);
  CHECK(mid > 130);
  CHECK(mid < 220);  // (0.55 - 0.3) / 0.5 of 350 = 175
  CHECK(load.window_ms(100, now) == doctest::Approx(50).epsilon(0.2));
  write_for(&load, &now, 39, 40, 5);  // nearly always writing
  CHECK(load.busy(now) > 0.9);
  CHECK(load.window_ms(350, now) == 350);
}

TEST_CASE("a pass that lost the CPU counts its whole wall time") {
  // A worker capped by its cgroup: each pass spans throttled periods.
  WriteLoad load;
  int64_t now = kMs;
  write_for(&load, &now, 660, 700, 6);
  CHECK(load.window_ms(350, now) == 350);
}

TEST_CASE("a worker that answers its wake-ups late is loaded, however short its passes") {
  // Throttled between passes: 1 ms of writing per 170 ms period, each wake-up
  // answered 160 ms after the publisher rang.
  WriteLoad load;
  int64_t now = kMs;
  for (int i = 0; i < 40; ++i, now += 170 * kMs) {
    load.add_late(now, now + 160 * kMs);
    load.add_pass(now + 160 * kMs, now + 161 * kMs);
  }
  CHECK(load.busy(now) > 0.9);
  CHECK(load.window_ms(350, now) == 350);
  // Answered at once (a few microseconds), the same passes are nothing.
  WriteLoad idle;
  for (int i = 0; i < 40; ++i, now += 170 * kMs) {
    idle.add_late(now, now + kMs / 100);
    idle.add_pass(now + kMs / 100, now + kMs);
  }
  CHECK(idle.window_ms(350, now) == 0);
}

TEST_CASE("the share decays when the writing stops") {
  WriteLoad load;
  int64_t now = kMs;
  write_for(&load, &now, 39, 40, 5);
  CHECK(load.window_ms(350, now) == 350);
  const auto tau = int64_t(WriteLoad::kTimeConstantNs);
  CHECK(load.busy(now + tau) == doctest::Approx(load.busy(now) * 0.3679).epsilon(0.01));
  CHECK(load.window_ms(350, now + 2 * tau) == 0);  // two time constants: under 30%
}

TEST_CASE("overlapping or empty passes are not counted twice") {
  WriteLoad load;
  load.add_pass(100 * kMs, 200 * kMs);
  double once = load.busy(200 * kMs);
  load.add_pass(150 * kMs, 200 * kMs);  // inside the first
  CHECK(load.busy(200 * kMs) == once);
  load.add_pass(300 * kMs, 300 * kMs);  // empty
  CHECK(load.busy(200 * kMs + int64_t(WriteLoad::kTimeConstantNs)) ==
        doctest::Approx(once * 0.3679).epsilon(0.01));
}

}  // namespace
}  // namespace srs::worker
