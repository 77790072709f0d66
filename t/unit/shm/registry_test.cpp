// Registry: publish, find, release, republish, takeover, end, waiters, and
// two publishers racing for one name (threads and real processes).
#include "shm/registry.hpp"

#include <doctest/doctest.h>
#include <sys/mman.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "t/unit/shm/control_fixture.hpp"

using srs::base::Errc;
using srs::shm::Owner;
using srs::shm::Registry;
using srs::shm::StreamInfo;
using srs::shm::StreamRef;
using srs::shm::StreamState;
using srs::shm::validate_stream_key;
using srs::test::kNearWrap;
using srs::test::make_control;

TEST_CASE("stream keys are validated") {
  CHECK(validate_stream_key("__defaultVhost__/live/livestream").is_ok());
  CHECK(validate_stream_key("v/app/sub/stream").is_ok());  // multi-level app
  CHECK(validate_stream_key("v/a/s").is_ok());
  CHECK(validate_stream_key("").code() == Errc::kInvalid);
  CHECK(validate_stream_key("live/stream").code() == Errc::kInvalid);
  CHECK(validate_stream_key("/live/stream").code() == Errc::kInvalid);
  CHECK(validate_stream_key("v/live/").code() == Errc::kInvalid);
  CHECK(validate_stream_key("v//stream").code() == Errc::kInvalid);
  CHECK(validate_stream_key("v/live/a b").code() == Errc::kInvalid);
  CHECK(validate_stream_key(std::string_view("v/live/a\0b", 10)).code() == Errc::kInvalid);
  const std::string max = "v/a/" + std::string(251, 's');
  CHECK(max.size() == 255);
  CHECK(validate_stream_key(max).is_ok());
  CHECK(validate_stream_key(max + "s").code() == Errc::kTooLarge);
}

TEST_CASE("publish, find, release, republish and end, across the counters' wrap") {
  auto c = make_control();
  Registry& r = c.registry();
  const uint32_t epoch0 = r.epoch();
  CHECK(epoch0 == kNearWrap);

  auto a = r.publish("v/live/cam", Owner{1, 111});
  REQUIRE(a.is_ok());
  CHECK(a->worker_slot == 1);
  CHECK(a->generation == kNearWrap + 1);
  CHECK(r.is_owner(*a));
  CHECK(srs::shm::seq_before(epoch0, r.epoch()));

  // The full key, at the maximum length, round-trips through shared memory.
  const std::string long_key = "v/a/" + std::string(251, 'x');
  auto l = r.publish(long_key, Owner{2, 222});
  REQUIRE(l.is_ok());
  StreamInfo li;
  REQUIRE(r.read(l->slot, &li));
  CHECK(std::string(li.key) == long_key);

  auto f = r.find("v/live/cam");
  REQUIRE(f.is_ok());
  CHECK(f->slot == a->slot);
  CHECK(f->state == StreamState::kLive);
  CHECK(f->owner_slot == 1);
  CHECK(f->owner_pid == 111);
  CHECK(std::string(f->key) == "v/live/cam");
  CHECK(r.find("v/live/other").status().code() == Errc::kNotFound);
  CHECK(r.find("bad").status().code() == Errc::kInvalid);

  // A second publisher of a Live name is refused.
  CHECK(r.publish("v/live/cam", Owner{2, 222}).status().code() == Errc::kExists);

  // The publisher leaves: players wait; a publisher on another worker continues the slot.
  CHECK(r.release(*a, 1000).is_ok());
  CHECK_FALSE(r.is_owner(*a));
  CHECK(r.release(*a, 1000).code() == Errc::kRejected);
  f = r.find("v/live/cam");
  REQUIRE(f.is_ok());
  CHECK(f->state == StreamState::kLost);
  CHECK(f->owner_slot == srs::shm::kNoSlot);
  CHECK(f->lost_since == 1000);

  auto b = r.publish("v/live/cam", Owner{5, 555});
  REQUIRE(b.is_ok());
  CHECK(b->slot == a->slot);
  CHECK(b->generation == kNearWrap + 2);
  CHECK(b->generation == 0xFFFFFFFEu);
  CHECK(r.find("v/live/cam")->owner_slot == 5);

  // Across 2^32: two more publishes wrap the generation to 0 and beyond.
  REQUIRE(r.release(*b, 1001).is_ok());
  auto c2 = r.publish("v/live/cam", Owner{5, 555});
  REQUIRE(c2.is_ok());
  CHECK(c2->generation == 0xFFFFFFFFu);
  REQUIRE(r.release(*c2, 1002).is_ok());
  auto c3 = r.publish("v/live/cam", Owner{6, 666});
  REQUIRE(c3.is_ok());
  CHECK(c3->generation == 0u);
  CHECK(r.is_owner(*c3));
  CHECK_FALSE(r.is_owner(*c2));

  // end(): a tombstone; players find nothing; the name can be published again.
  CHECK(r.end(*c3).is_ok());
  CHECK(r.state(c3->slot) == StreamState::kEnded);
  CHECK(r.find("v/live/cam").status().code() == Errc::kNotFound);
  auto d = r.publish("v/live/cam", Owner{7, 777});
  REQUIRE(d.is_ok());
  CHECK(d->generation == 1u);
}

TEST_CASE("takeover moves a Live stream only if nothing changed since the decision") {
  auto c = make_control();
  Registry& r = c.registry();
  auto a = r.publish("v/live/t", Owner{1, 10});
  REQUIRE(a.is_ok());
  auto seen = r.find("v/live/t");
  REQUIRE(seen.is_ok());
  uint32_t previous = 99;
  auto b = r.takeover(seen->slot, seen->generation, Owner{2, 20}, &previous);
  REQUIRE(b.is_ok());
  CHECK(previous == 1);
  CHECK(b->slot == a->slot);
  CHECK(r.is_owner(*b));
  CHECK_FALSE(r.is_owner(*a));
  CHECK(r.release(*a, 5).code() == Errc::kRejected);  // the old owner can no longer touch it
  // A second takeover decided on the old generation loses.
  CHECK(r.takeover(seen->slot, seen->generation, Owner{3, 30}).status().code() == Errc::kRejected);
  CHECK(r.find("v/live/t")->owner_slot == 2);
}

TEST_CASE("ring epoch, stats and players") {
  auto c = make_control();
  Registry& r = c.registry();
  auto a = r.publish("v/live/e", Owner{1, 10});
  REQUIRE(a.is_ok());
  const uint32_t e = r.ring_epoch(a->slot);
  CHECK(e == kNearWrap);
  CHECK(r.set_ring_epoch(*a, e + 5).is_ok());  // crosses 2^32
  CHECK(r.ring_epoch(a->slot) == 1u);
  CHECK(r.set_ring_epoch(StreamRef{a->slot, a->generation, 2}, 9).code() == Errc::kRejected);
  r.stats(a->slot).bytes_in.add(0x100000005ull);
  r.stats(a->slot).messages.add(3);
  r.stats(a->slot).bitrate_kbps.store(2500);
  r.add_players(a->slot, 0, +1);
  r.add_players(a->slot, 63, +2);
  r.add_players(a->slot, 63, -1);
  StreamInfo info;
  REQUIRE(r.read(a->slot, &info));
  CHECK(info.ring_epoch == 1u);
  CHECK(info.bytes_in == 0x100000005ull);
  CHECK(info.messages == 3);
  CHECK(info.bitrate_kbps == 2500);
  CHECK(info.players == 2);
}

TEST_CASE("waiters: a player that registers before the publish is in the wake set") {
  auto c = make_control();
  Registry& r = c.registry();
  CHECK(r.take_waiters() == 0);
  r.add_waiter(3);
  r.add_waiter(40);
  r.add_waiter(64);  // out of range: ignored
  const uint32_t before = r.epoch();
  REQUIRE(r.publish("v/live/w", Owner{1, 10}).is_ok());
  CHECK(r.epoch() != before);
  CHECK(r.take_waiters() == ((uint64_t{1} << 40) | (uint64_t{1} << 3)));
  CHECK(r.take_waiters() == 0);
}

TEST_CASE("a full registry refuses; ended slots are reused for new names") {
  auto c = make_control(4, 8);
  Registry& r = c.registry();
  std::vector<StreamRef> refs;
  for (int i = 0; i < 4; ++i) {
    auto ref = r.publish("v/live/s" + std::to_string(i), Owner{1, 10});
    REQUIRE(ref.is_ok());
    refs.push_back(*ref);
  }
  CHECK(r.publish("v/live/s4", Owner{1, 10}).status().code() == Errc::kTooLarge);
  // Every stream stays findable whatever its probe distance.
  for (int i = 0; i < 4; ++i) CHECK(r.find("v/live/s" + std::to_string(i)).is_ok());
  REQUIRE(r.end(refs[2]).is_ok());
  auto n = r.publish("v/live/s4", Owner{1, 10});
  REQUIRE(n.is_ok());
  CHECK(n->slot == refs[2].slot);
  for (int i : {0, 1, 3, 4}) CHECK(r.find("v/live/s" + std::to_string(i)).is_ok());
  CHECK(r.find("v/live/s2").status().code() == Errc::kNotFound);
}

TEST_CASE("repair_owner and end_if_expired") {
  auto c = make_control();
  Registry& r = c.registry();
  auto a = r.publish("v/live/x", Owner{4, 40});
  auto b = r.publish("v/live/y", Owner{5, 50});
  REQUIRE((a.is_ok() && b.is_ok()));
  r.add_players(b->slot, 4, 3);
  const auto rep = r.repair_owner(4, 0xFFFFFFF0u);
  CHECK(rep.lost == 1);
  CHECK(rep.retracted == 0);
  CHECK(r.state(a->slot) == StreamState::kLost);
  CHECK(r.state(b->slot) == StreamState::kLive);
  StreamInfo info;
  REQUIRE(r.read(b->slot, &info));
  CHECK(info.players == 0);  // worker 4's players are gone with it
  uint32_t epoch = 0;
  // The grace period is measured across the monotonic clock's 2^32 wrap.
  CHECK_FALSE(r.end_if_expired(a->slot, 0xFFFFFFF0u + 9, 10, &epoch));
  CHECK(r.end_if_expired(a->slot, 0xFFFFFFF0u + 10, 10, &epoch));
  CHECK(epoch == r.ring_epoch(a->slot));
  CHECK(r.state(a->slot) == StreamState::kEnded);
  CHECK_FALSE(r.end_if_expired(b->slot, 0xFFFFFFF0u + 100, 10, &epoch));  // Live: not ended
}

// ---------------------------------------------------------------------------
// Races, interleaved deterministically through the claim hook: a racer is
// paused at a chosen point of its claim while another one runs.

namespace {

using Phase = Registry::ClaimPhase;
using srs::shm::StateWord;

uint32_t state_word(srs::shm::StreamSlot& s) {
  return s.id.state.load();
}
void set_state(srs::shm::StreamSlot& s, StreamState kind, uint32_t owner) {
  s.id.state.store(StateWord::unpack(state_word(s)).next(static_cast<uint32_t>(kind), owner));
}
// Makes slot `to` hold the key of slot `from` (as a racer that wrote it would).
void copy_key(srs::shm::StreamSlot& to, srs::shm::StreamSlot& from) {
  to.id.hash.store(from.id.hash.load());
  to.id.key_len.store(from.id.key_len.load());
  for (uint32_t j = 0; j < srs::shm::kKeyWords; ++j)
    to.key.words[j].store(from.key.words[j].load());
}
// The home slot of `key` in an empty table: where its first publish lands.
uint32_t home_of(srs::shm::Control& c, const char* key) {
  auto ref = c.registry().publish(key, Owner{9, 9});
  REQUIRE(ref.is_ok());
  const uint32_t slot = ref->slot;
  REQUIRE(c.registry().end(*ref).is_ok());
  return slot;
}
int live_count(Registry& r) {
  int n = 0;
  for (uint32_t i = 0; i < r.capacity(); ++i) n += r.state(i) == StreamState::kLive;
  return n;
}

struct HookCtx {
  srs::shm::Control* c = nullptr;
  Phase when = Phase::kKeyWritten;
  bool fired = false;
  uint32_t forge_at = 0;
  srs::base::Result<StreamRef> nested = srs::base::Status::fail(Errc::kNotFound, "not run");
  std::thread resolver;
  std::atomic<StreamState> mine_when_resolved{StreamState::kFree};
};

}  // namespace

TEST_CASE(
    "race: a racer that sees the other's claim only after it finished wins; the other loses") {
  // B runs entirely while A's slot is still Claiming (A has not published yet),
  // so B cannot see A: B wins at the next slot, and A, verifying after its
  // Pending store, must see B Live and retract.
  auto c = make_control(8, 8);
  HookCtx ctx{&c, Phase::kKeyWritten};
  c.registry().set_claim_hook(
      [](Phase phase, uint32_t, void* arg) {
        auto* x = static_cast<HookCtx*>(arg);
        if (phase != x->when || x->fired) return;
        x->fired = true;
        x->nested = x->c->registry().publish("v/live/r", Owner{2, 22});
      },
      &ctx);
  auto a = c.registry().publish("v/live/r", Owner{1, 11});
  REQUIRE(ctx.fired);
  REQUIRE(ctx.nested.is_ok());
  CHECK(a.status().code() == Errc::kExists);
  CHECK(live_count(c.registry()) == 1);
  CHECK(c.registry().find("v/live/r")->owner_slot == 2);
}

TEST_CASE("race: a claimer that never finishes makes racers time out, not hang") {
  auto c = make_control(8, 8);
  HookCtx ctx{&c, Phase::kPending};
  c.registry().set_claim_hook(
      [](Phase phase, uint32_t, void* arg) {
        auto* x = static_cast<HookCtx*>(arg);
        if (phase != x->when || x->fired) return;
        x->fired = true;
        x->nested = x->c->registry().publish("v/live/r", Owner{2, 22});  // A is frozen meanwhile
      },
      &ctx);
  const int64_t t0 = srs::base::mono_ms();
  auto a = c.registry().publish("v/live/r", Owner{1, 11});
  CHECK(ctx.nested.status().code() == Errc::kTimeout);
  CHECK(srs::base::mono_ms() - t0 >= srs::shm::kRaceWaitMs);
  REQUIRE(a.is_ok());
  CHECK(live_count(c.registry()) == 1);
}

TEST_CASE("race: a Pending racer EARLIER on the probe path wins; the later one retracts") {
  auto c = make_control(8, 8);
  const uint32_t home = home_of(c, "v/live/r");
  auto* slots = srs::test::stream_slots(c);
  // Occupy the home slot with another stream so that A claims home + 1.
  slots[home].id.key_len.store(1);
  set_state(slots[home], StreamState::kLive, 9);
  HookCtx ctx{&c, Phase::kPending};
  ctx.forge_at = home;
  c.registry().set_claim_hook(
      [](Phase phase, uint32_t mine, void* arg) {
        auto* x = static_cast<HookCtx*>(arg);
        if (phase != x->when || x->fired) return;
        x->fired = true;
        auto* s = srs::test::stream_slots(*x->c);
        // Racer B reused the home slot for the same key and is Pending there...
        copy_key(s[x->forge_at], s[mine]);
        set_state(s[x->forge_at], StreamState::kPending, 9);
        // ...and completes a little later. By then A has already retracted:
        // it does not wait for a racer earlier on the path.
        x->resolver = std::thread([x, s, mine, at = x->forge_at] {
          usleep(20000);
          x->mine_when_resolved = x->c->registry().state(mine);
          set_state(s[at], StreamState::kLive, 9);
        });
      },
      &ctx);
  auto a = c.registry().publish("v/live/r", Owner{1, 11});
  ctx.resolver.join();
  CHECK(a.status().code() == Errc::kExists);
  CHECK(ctx.mine_when_resolved.load() == StreamState::kEnded);
  CHECK(c.registry().state((home + 1) % 8) == StreamState::kEnded);  // A retracted
  CHECK(live_count(c.registry()) == 1);                              // B only
  CHECK(c.registry().find("v/live/r")->slot == home);
}

TEST_CASE("race: a Pending racer LATER on the probe path is waited for, then loses") {
  auto c = make_control(8, 8);
  const uint32_t home = home_of(c, "v/live/r");
  HookCtx ctx{&c, Phase::kPending};
  ctx.forge_at = (home + 1) % 8;
  c.registry().set_claim_hook(
      [](Phase phase, uint32_t mine, void* arg) {
        auto* x = static_cast<HookCtx*>(arg);
        if (phase != x->when || x->fired) return;
        x->fired = true;
        auto* s = srs::test::stream_slots(*x->c);
        copy_key(s[x->forge_at], s[mine]);
        set_state(s[x->forge_at], StreamState::kPending, 9);
        // B sees A earlier on the path and retracts, a little later. A is
        // still Pending then: it waits for a racer later on the path.
        x->resolver = std::thread([x, s, mine, at = x->forge_at] {
          usleep(20000);
          x->mine_when_resolved = x->c->registry().state(mine);
          set_state(s[at], StreamState::kEnded, StateWord::kNoOwner);
        });
      },
      &ctx);
  const int64_t t0 = srs::base::mono_ms();
  auto a = c.registry().publish("v/live/r", Owner{1, 11});
  ctx.resolver.join();
  REQUIRE(a.is_ok());
  CHECK(a->slot == home);
  CHECK(ctx.mine_when_resolved.load() == StreamState::kPending);
  CHECK(srs::base::mono_ms() - t0 >= 15);  // it waited for B
  CHECK(live_count(c.registry()) == 1);
}

// ---------------------------------------------------------------------------
// Races between real threads and processes, released together

namespace {

constexpr int kRaceThreads = 3;
constexpr int kRaceRounds = 2000;

// A reusable barrier in shared memory for processes (generation counting).
// Spinning (not sleeping), then every racer waits for the same start time
// set by the last one to arrive, so that they leave together: a futex
// wake-up staggers threads by microseconds, longer than a whole publish.
struct ShmBarrier {
  srs::shm::Atomic32 arrived{0};
  srs::shm::Atomic32 generation{0};
  // Written before the release of `generation`, read after its acquire: the
  // barrier orders it, no 64-bit atomic needed (MIPS32 has none lock-free).
  int64_t start_ns = 0;
  void wait(uint32_t n) {
    const uint32_t gen = generation.load(std::memory_order_acquire);
    if (arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
      arrived.store(0, std::memory_order_relaxed);
      start_ns = srs::base::mono_ns() + 20000;
      generation.store(gen + 1, std::memory_order_release);
    } else {
      for (int spin = 1; generation.load(std::memory_order_acquire) == gen; ++spin) {
        if (spin % 64 == 0) sched_yield();  // more racers than cores
      }
    }
    const int64_t start = start_ns;
    while (srs::base::mono_ns() < start) {
    }
  }
};

// One round: every racer publishes `key`; the outcome per racer.
enum Outcome : uint32_t { kNone = 0, kWon, kExists, kOther };

Outcome race_once(Registry& r, const std::string& key, uint32_t worker, StreamRef* ref) {
  auto res = r.publish(key, Owner{worker, 1000 + worker});
  if (res.is_ok()) {
    *ref = *res;
    return kWon;
  }
  return res.status().code() == Errc::kExists ? kExists : kOther;
}

// How the round's winner leaves: ended (a new key insert next time), or lost
// (the next round races for a republish of the same slot).
void finish_round(Registry& r, const StreamRef& ref, int round) {
  const bool lose = round % 3 == 1;
  REQUIRE((lose ? r.release(ref, 7) : r.end(ref)).is_ok());
}

std::string race_key(int round) {
  return "v/live/race" + std::to_string((round / 3) % 11);
}

}  // namespace

TEST_CASE("two or more publishers racing for one name in threads: exactly one wins") {
  // 8 slots for 11 names: collisions, long probe paths and tombstone reuse.
  auto c = make_control(8, 8);
  Registry& r = c.registry();
  std::vector<Outcome> outcome(kRaceThreads);
  std::vector<StreamRef> refs(kRaceThreads);
  ShmBarrier sync;
  std::atomic<int> bad_rounds{0};
  auto racer = [&](int t) {
    for (int round = 0; round < kRaceRounds; ++round) {
      outcome[t] = race_once(r, race_key(round), static_cast<uint32_t>(t), &refs[t]);
      sync.wait(kRaceThreads);
      if (t == 0) {
        int won = 0, exists = 0;
        for (int i = 0; i < kRaceThreads; ++i)
          won += outcome[i] == kWon, exists += outcome[i] == kExists;
        if (won != 1 || exists != kRaceThreads - 1) bad_rounds.fetch_add(1);

        for (int i = 0; i < kRaceThreads; ++i) {
          if (outcome[i] == kWon) finish_round(r, refs[i], round);
        }
      }
      sync.wait(kRaceThreads);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kRaceThreads; ++t) threads.emplace_back(racer, t);
  for (auto& th : threads) th.join();
  CHECK(bad_rounds.load() == 0);
}

namespace {

struct RaceBoard {
  ShmBarrier barrier;
  srs::shm::Atomic32 outcome[kRaceRounds][kRaceThreads];
};

}  // namespace

TEST_CASE("publishers racing for one name in separate processes: exactly one wins") {
  auto c = make_control(8, 8);
  void* mem =
      mmap(nullptr, sizeof(RaceBoard), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mem != MAP_FAILED);
  auto* board = new (mem) RaceBoard{};
  constexpr int kProcs = 3;
  constexpr int kRounds = 1000;
  pid_t pids[kProcs];
  for (int p = 0; p < kProcs; ++p) {
    pids[p] = fork();
    REQUIRE(pids[p] >= 0);
    if (pids[p] != 0) continue;
    Registry& r = c.registry();
    for (int round = 0; round < kRounds; ++round) {
      StreamRef ref;
      const Outcome o = race_once(r, race_key(round), static_cast<uint32_t>(p), &ref);
      board->outcome[round][p].store(o);
      board->barrier.wait(kProcs);
      const bool lose = round % 3 == 1;
      if (o == kWon && !(lose ? r.release(ref, 7) : r.end(ref)).is_ok()) _exit(3);
      board->barrier.wait(kProcs);
    }
    _exit(0);
  }
  for (int p = 0; p < kProcs; ++p) CHECK(srs::test::wait_child(pids[p], 60000) == 0);
  int bad_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    int won = 0, exists = 0;
    for (int p = 0; p < kProcs; ++p) {
      won += board->outcome[round][p].load() == kWon;
      exists += board->outcome[round][p].load() == kExists;
    }
    if (won != 1 || exists != kProcs - 1) ++bad_rounds;
  }
  CHECK(bad_rounds == 0);
  munmap(mem, sizeof(RaceBoard));
}
