// Multi-threaded stress test of the ring (threads stand in for processes; it
// also runs under ThreadSanitizer). One writer, six readers, random record
// sizes, a checksum in every record verified by every reader for every record
// it accepts; slow readers sleep at random, are lapped, are told so, and
// resume at a keyframe; a mid-run publisher change; sleep/wake through the
// sleepers bitmap with lost wake-ups counted. The ring has no end state (in
// production the registry ends a stream): the writer publishes its final tail
// and sequence number and sets the test's own `writer_done` flag, and each
// reader stops once it has read up to that tail, its last record being the
// writer's last. About two seconds.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <semaphore>
#include <thread>
#include <vector>

#include "shm/ring.hpp"
#include "shm/ring_reader.hpp"
#include "shm/ring_writer.hpp"

using namespace srs::shm;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kCapacity = 1u << 20;
constexpr int kReaders = 6;

// FNV-1a over the payload, seeded with the record's sequence number: a record
// whose header and payload come from different writes fails it.
uint32_t checksum(const uint8_t* p, uint32_t n, uint32_t seq) {
  uint32_t h = 2166136261u ^ seq;
  for (uint32_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

uint32_t random_size(std::mt19937& rng) {
  uint32_t r = rng() % 100;
  if (r < 50) return 1 + rng() % 400;         // audio-like
  if (r < 90) return 1000 + rng() % 30000;    // video frames
  if (r < 99) return 50000 + rng() % 100000;  // keyframes
  return kCapacity / 4 - rng() % 64;          // the largest allowed
}

struct Shared {
  void* mem = nullptr;
  std::size_t size = 0;
  // The writer's end, standing in for the registry's Ended: final_tail and
  // final_seq are written before the release store of writer_done.
  uint32_t final_tail = 0;
  uint32_t final_seq = 0;
  std::atomic<bool> writer_done{false};
  std::counting_semaphore<1 << 20> wake[kReaders]{
      std::counting_semaphore<1 << 20>(0), std::counting_semaphore<1 << 20>(0),
      std::counting_semaphore<1 << 20>(0), std::counting_semaphore<1 << 20>(0),
      std::counting_semaphore<1 << 20>(0), std::counting_semaphore<1 << 20>(0)};
};

struct ReaderReport {
  uint64_t accepted = 0, bytes = 0, corrupt = 0, seq_gaps = 0, torn_after_send = 0;
  uint64_t jumps_not_keyframe = 0, discontinuities = 0, sleeps = 0, lost_wakeups = 0;
  uint32_t laps = 0;
  bool reached_end = false;     // read up to the writer's final tail
  bool ended_on_final = false;  // ... and its last record was the writer's last
};

// Writes for `duration`; false on an error. Either way run_writer ends the
// stream, so that no reader waits for ever.
bool write_for(Shared& sh, RingWriter& w, std::chrono::milliseconds duration, uint64_t* written) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(kCapacity / 4);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  auto start = Clock::now();
  auto end = start + duration;
  uint64_t bytes = 0;
  bool resumed = false;
  for (uint32_t batch = 0; Clock::now() < end; ++batch) {
    if (!resumed && Clock::now() > end - duration / 2) {  // a new publisher mid-run
      resumed = true;
      if (!w.resume(sh.mem, sh.size).is_ok()) return false;
    }
    w.begin_batch();
    for (uint32_t i = 0, n = 1 + rng() % 4; i < n; ++i) {
      uint32_t size = random_size(rng);
      uint32_t off = rng() % (buf.size() - size + 1);
      RecordMeta m;
      m.type = size < 400 ? RecordType::kAudio : RecordType::kVideo;
      m.flags = size >= 50000 ? kFlagKeyframe : 0;
      m.timestamp = batch;
      m.cts = static_cast<int32_t>(checksum(buf.data() + off, size, w.next_seq()));
      ConstBytes whole(buf.data() + off, size);
      ConstBytes parts[] = {whole.first(size / 2), whole.subspan(size / 2)};
      if (!w.append(m, parts).is_ok()) return false;
      ++*written;
      bytes += size;
    }
    w.commit().for_each([&](uint32_t slot) { sh.wake[slot].release(); });
    // About 32 MB/s: the fast readers keep up, the sleepers get lapped.
    auto due = start + std::chrono::microseconds(bytes / 32);
    if (due > Clock::now()) std::this_thread::sleep_until(due);
  }
  return true;
}

void run_writer(Shared& sh, RingWriter& w, std::chrono::milliseconds duration, uint64_t* written,
                bool* ok) {
  *ok = write_for(sh, w, duration, written);
  w.commit().for_each([&](uint32_t slot) { sh.wake[slot].release(); });  // a half batch, if any
  sh.final_tail = w.tail();
  sh.final_seq = w.next_seq();
  sh.writer_done.store(true, std::memory_order_release);
  // Everyone, asleep or not: a reader checks writer_done before it sleeps,
  // and one that found it false just before the store finds this count when
  // it waits (a semaphore keeps it).
  for (auto& wake : sh.wake) wake.release();
}

void verify(const RecordView* v, const ReadResult& res, const uint32_t* sums, ReaderReport& rep,
            uint32_t* expected, bool* known) {
  if (res.jumped && v[0].type != RecordType::kDiscontinuity && !(v[0].flags & kFlagKeyframe))
    ++rep.jumps_not_keyframe;
  for (uint32_t i = 0; i < res.count; ++i) {
    if (*known && v[i].seq != *expected) ++rep.seq_gaps;
    *expected = v[i].seq + 1;
    *known = true;
    if (v[i].type == RecordType::kDiscontinuity) {
      ++rep.discontinuities;
      continue;
    }
    if (sums[i] != static_cast<uint32_t>(v[i].cts)) ++rep.corrupt;
    ++rep.accepted;
    rep.bytes += v[i].size;
  }
}

// After a kEmpty read: true once the writer is done and the reader has read
// up to its final tail. Its last record must then be the writer's last.
bool reached_end(const Shared& sh, const RingReader& r, uint32_t expected, bool known,
                 ReaderReport& rep) {
  if (!sh.writer_done.load(std::memory_order_acquire) || !r.caught_up(sh.final_tail)) return false;
  rep.reached_end = true;
  // Unknown only after a lap that found no safe keyframe and jumped to the
  // tail, with nothing written after it: then there is no last record.
  rep.ended_on_final = !known || expected == sh.final_seq;
  return true;
}

// Sleeps until woken (the worker's event loop waiting on its eventfd).
// The writer commits every few milliseconds and wakes everyone when it is
// done, so a sleep that times out is a lost wake-up.
void sleep_until_woken(Shared& sh, RingReader& r, int slot, ReaderReport& rep) {
  uint32_t tail = r.ring().announce_sleep(static_cast<uint32_t>(slot));
  if (!r.caught_up(tail) || sh.writer_done.load(std::memory_order_acquire)) return;
  ++rep.sleeps;
  if (!sh.wake[slot].try_acquire_for(std::chrono::milliseconds(1000))) ++rep.lost_wakeups;
}

void run_reader(Shared& sh, int slot, bool slow, ReaderReport& rep) {
  RingReader r;
  if (!r.attach(sh.mem, sh.size).is_ok()) return;
  std::mt19937 rng(static_cast<uint32_t>(slot));
  RecordView views[32];
  uint32_t sums[32];
  uint32_t expected = 0;
  bool known = false;
  for (;;) {
    ReadResult res = r.read(views, 32, 512 * 1024);
    if (res.jumped) known = false;  // even to the tail, with no record to show for it
    if (res.status == ReadStatus::kEmpty) {
      if (reached_end(sh, r, expected, known, rep)) break;
      sleep_until_woken(sh, r, slot, rep);
      continue;
    }
    {
      SpeculativeReadScope speculative;  // the "send": bytes the writer may be overwriting
      // Slow players stall mid-send now and then, long enough to be lapped
      // even when the writer runs under TSan (about 1 MB behind): the bytes
      // they then copy may be overwritten, and validate() must say so.
      if (slow && rng() % 8 == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
      for (uint32_t i = 0; i < res.count; ++i)
        sums[i] = checksum(views[i].payload, views[i].size, views[i].seq);
    }
    if (!r.validate(res.start)) {  // torn during the send: not accepted; next read() jumps
      ++rep.torn_after_send;
      continue;
    }
    verify(views, res, sums, rep, &expected, &known);
    r.advance_past(views[res.count - 1]);
  }
  rep.laps = r.laps();
}

}  // namespace

TEST_CASE("ring stress: 1 writer, 6 readers, every accepted record intact") {
  struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
  };
  Shared sh;
  sh.size = bytes_for(kCapacity);
  std::unique_ptr<void, FreeDeleter> mem(
      std::aligned_alloc(4096, (sh.size + 4095) & ~std::size_t{4095}));
  std::memset(mem.get(), 0, sh.size);
  sh.mem = mem.get();
  RingWriter w;  // formats before the readers attach
  REQUIRE(w.init(sh.mem, sh.size,
                 {.capacity = kCapacity, .initial_pos = 0xFFF00000u, .initial_seq = 0xFFFFFF00u})
              .is_ok());
  uint64_t written = 0;
  bool writer_ok = false;
  ReaderReport reports[kReaders];
  std::vector<std::thread> threads;
  for (int i = 0; i < kReaders; ++i)
    threads.emplace_back(run_reader, std::ref(sh), i, i >= 3, std::ref(reports[i]));
  std::thread writer(run_writer, std::ref(sh), std::ref(w), std::chrono::milliseconds(2000),
                     &written, &writer_ok);
  writer.join();
  for (auto& t : threads) t.join();

  MESSAGE("written " << written << " records");
  CHECK(writer_ok);
  CHECK(written > 500);
  uint32_t slow_laps = 0;
  for (int i = 0; i < kReaders; ++i) {
    const ReaderReport& r = reports[i];
    INFO("reader " << i << " accepted " << r.accepted << " laps " << r.laps << " torn "
                   << r.torn_after_send << " sleeps " << r.sleeps);
    CHECK(r.corrupt == 0);
    CHECK(r.seq_gaps == 0);
    CHECK(r.jumps_not_keyframe <= r.laps);  // only when no keyframe was safe
    CHECK(r.lost_wakeups == 0);
    CHECK(r.accepted > 100);
    CHECK(r.discontinuities <= 1);
    CHECK(r.reached_end);
    CHECK(r.ended_on_final);
    if (i >= 3) slow_laps += r.laps;
  }
  CHECK(slow_laps > 0);
  CHECK(Ring::attach(sh.mem, sh.size).value().check_invariants().is_ok());
}
