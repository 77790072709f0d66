// WriteLoad: the share of wall time spent writing, and the automatic merge
// window it gives (0 below a quarter, the ceiling above three quarters).
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
  write_for(&load, &now, 20, 40, 5);  // half the time
  CHECK(load.busy(now) == doctest::Approx(0.5).epsilon(0.05));
  int64_t half = load.window_ms(350, now);
  CHECK(half > 150);
  CHECK(half < 200);  // (0.5 - 0.25) / 0.5 of 350 = 175
  CHECK(load.window_ms(100, now) == doctest::Approx(50).epsilon(0.15));
  write_for(&load, &now, 39, 40, 5);  // nearly always writing
  CHECK(load.busy(now) > 0.9);
  CHECK(load.window_ms(350, now) == 350);
}

TEST_CASE("a pass that lost the CPU counts its whole wall time") {
  // A worker capped by its cgroup: each pass spans throttled periods.
  WriteLoad load;
  int64_t now = kMs;
  write_for(&load, &now, 600, 700, 6);
  CHECK(load.window_ms(350, now) == 350);
}

TEST_CASE("the share decays when the writing stops") {
  WriteLoad load;
  int64_t now = kMs;
  write_for(&load, &now, 39, 40, 5);
  CHECK(load.window_ms(350, now) == 350);
  CHECK(load.busy(now + 1000 * kMs) == doctest::Approx(load.busy(now) * 0.3679).epsilon(0.01));
  CHECK(load.window_ms(350, now + 2000 * kMs) == 0);  // two time constants: under a quarter
}

TEST_CASE("overlapping or empty passes are not counted twice") {
  WriteLoad load;
  load.add_pass(100 * kMs, 200 * kMs);
  double once = load.busy(200 * kMs);
  load.add_pass(150 * kMs, 200 * kMs);  // inside the first
  CHECK(load.busy(200 * kMs) == once);
  load.add_pass(300 * kMs, 300 * kMs);  // empty
  CHECK(load.busy(300 * kMs) == doctest::Approx(once * 0.9048).epsilon(0.01));
}

}  // namespace
}  // namespace srs::worker
