// Counter64: 64-bit values from 32-bit words, across the 2^32 carry, under a racing reader.
#include "shm/counter.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using srs::shm::Counter64;

TEST_CASE("Counter64 adds across the 2^32 carry") {
  Counter64 c;
  CHECK(c.load() == 0);
  c.reset(0xFFFFFFF0ull);
  c.add(0x10);
  CHECK(c.load() == 0x100000000ull);
  c.add(5);
  CHECK(c.load() == 0x100000005ull);
  c.add(0x2FFFFFFFFull);  // a large step crosses several carries at once
  CHECK(c.load() == 0x400000004ull);
  c.reset(7);
  CHECK(c.load() == 7);
}

TEST_CASE("Counter64 readers never see a torn value while the writer carries") {
  Counter64 c;
  c.reset(0xFFFFFF00ull);
  constexpr uint64_t kSteps = 200000;
  std::atomic<bool> done{false};
  uint64_t bad = 0;
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      const uint64_t v = c.load();
      // Values only grow, by at most 3 per step, and stay in range.
      if (v < last || v < 0xFFFFFF00ull || v > 0xFFFFFF00ull + 3 * kSteps) ++bad;
      last = v;
    }
  });
  // The low word crosses 2^32 once, early; the next test carries often.
  for (uint64_t i = 0; i < kSteps; ++i) c.add(3);
  done.store(true, std::memory_order_release);
  reader.join();
  CHECK(bad == 0);
  CHECK(c.load() == 0xFFFFFF00ull + 3 * kSteps);
}

TEST_CASE("Counter64 readers see consistent values across many carries") {
  Counter64 c;
  constexpr uint64_t kStep = 0x20000001ull;  // one add in eight carries
  constexpr uint64_t kSteps = 100000;
  std::atomic<bool> done{false};
  uint64_t bad = 0;
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      const uint64_t v = c.load();
      if (v < last || v % kStep != 0) ++bad;  // a torn value is not a multiple of the step
      last = v;
    }
  });
  for (uint64_t i = 0; i < kSteps; ++i) c.add(kStep);
  done.store(true, std::memory_order_release);
  reader.join();
  CHECK(bad == 0);
  CHECK(c.load() == kStep * kSteps);
}

TEST_CASE("Counter64 readers do not hang on a writer that died in the middle of a carry") {
  // The words are hi_a, lo, hi_b (counter.hpp); a dead writer froze them.
  Counter64 c;
  auto* words = reinterpret_cast<srs::shm::Atomic32*>(&c);
  // Died after storing the new high word only: the value is still the old one.
  words[0].store(1);
  words[1].store(0xFFFFFFF0u);
  words[2].store(0);
  CHECK(c.load() == 0xFFFFFFF0ull);
  // Died after storing the new low word too: the value is the new one.
  words[1].store(0x10);
  CHECK(c.load() == 0x100000010ull);
  // Whoever takes the slot over resets it.
  c.reset(5);
  CHECK(c.load() == 5);
}
