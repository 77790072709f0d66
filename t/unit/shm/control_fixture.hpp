// Test support for the control region: a small region in anonymous shared
// memory (so forked children share it), every 32-bit counter in it started
// just below 2^32 (state-word tags just below 2^20) so that tests cross the
// wrap, and a few process helpers.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "shm/control.hpp"
#include "shm/control_word.hpp"

namespace srs::test {

inline constexpr uint32_t kNearWrap = 0xFFFFFFFFu - 3;  // crosses 2^32 after 4 increments
inline constexpr uint32_t kTagNearWrap = shm::StateWord::kTagMask - 2;

inline shm::StreamSlot* stream_slots(shm::Control& c) {
  auto* base = reinterpret_cast<unsigned char*>(const_cast<shm::ControlHeader*>(&c.header()));
  return static_cast<shm::StreamSlot*>(static_cast<void*>(base + c.header().fixed.streams_offset));
}
inline shm::ClientEntry* client_entries(shm::Control& c) {
  auto* base = reinterpret_cast<unsigned char*>(const_cast<shm::ControlHeader*>(&c.header()));
  return static_cast<shm::ClientEntry*>(static_cast<void*>(base + c.header().fixed.clients_offset));
}
inline shm::WorkerSlot* worker_slots(shm::Control& c) {
  auto* base = reinterpret_cast<unsigned char*>(const_cast<shm::ControlHeader*>(&c.header()));
  return static_cast<shm::WorkerSlot*>(static_cast<void*>(base + c.header().fixed.workers_offset));
}

// Every wrapping counter of a fresh region set just below its wrap.
inline void seed_near_wrap(shm::Control& c) {
  constexpr auto r = std::memory_order_relaxed;
  const uint32_t free_word = shm::StateWord{0, shm::StateWord::kNoOwner, kTagNearWrap}.pack();
  auto& shared = const_cast<shm::ControlHeader&>(c.header()).shared.registry;
  shared.epoch.store(kNearWrap, r);
  for (uint32_t i = 0; i < c.registry().capacity(); ++i) {
    shm::StreamSlot& s = stream_slots(c)[i];
    s.id.state.store(free_word, r);
    s.id.generation.store(kNearWrap, r);
    s.id.ring_epoch.store(kNearWrap, r);
  }
  for (uint32_t i = 0; i < c.clients().capacity(); ++i) {
    shm::ClientEntry& e = client_entries(c)[i];
    e.ctl.state.store(free_word, r);
    e.ctl.incarnation.store(kNearWrap, r);
    e.ctl.seq.store(kNearWrap, r);  // even: the seqlock is stable
  }
  for (uint32_t i = 0; i < shm::kWorkerSlots; ++i)
    worker_slots(c)[i].id.generation.store(kNearWrap, r);
}

// A small region, seeded near the wrap.
inline shm::Control make_control(uint32_t max_streams = 16, uint32_t max_clients = 32) {
  auto c = shm::Control::create(shm::ControlSizes{max_streams, max_clients});
  REQUIRE(c.is_ok());
  seed_near_wrap(*c);
  return std::move(c).value();
}

// Waits for `pid` at most `ms` milliseconds; its exit status, or -1 (then it is killed).
inline int wait_child(pid_t pid, int ms = 10000) {
  for (int waited = 0; waited < ms; waited += 5) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    usleep(5000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace srs::test
