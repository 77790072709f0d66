// ring-stress: the media ring across real processes.
//
// The parent plays the master: it creates the control region (the stream
// registry) and maps MAP_SHARED|MAP_ANONYMOUS memory for a ring, formats the
// ring, forks N readers (some of them slow, so that they are lapped) and one
// writer, which publishes the stream in the registry from its worker slot.
// After a while it SIGKILLs the writer at a random moment (nearly always in
// the middle of an append), reaps it, and ends the stream the way the master
// does: reclaim_worker() (Live -> Lost), then sweep() once the grace period
// is over (Lost -> Ended; 0 s here, nobody republishes). The ring itself has
// no end state. Every record carries a checksum of its payload and sequence
// number; every reader verifies every record it accepts (after validate()),
// and once the registry says Ended must drain to the tail and end cleanly.
// Prints a summary; exits non-zero on any corruption, sequence gap, crash or
// hang.
//
//   ring-stress [--seconds 5] [--capacity-mib 64] [--readers 8] [--slow 3]
//               [--max-record 1048576] [--rate-mbs 100] [--seed N]
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "shm/control.hpp"
#include "shm/ring.hpp"
#include "shm/ring_reader.hpp"
#include "shm/ring_writer.hpp"

using namespace srs::shm;

namespace {

constexpr char kStreamKey[] = "__defaultVhost__/live/ring-stress";
constexpr uint32_t kWriterSlot = 0;  // the writer's worker slot
constexpr uint32_t kGraceSeconds = 0;
constexpr int kFindTimeoutMs = 5000;

uint32_t mono_seconds() {
  return static_cast<uint32_t>(srs::base::mono_ms() / 1000);
}

struct Options {
  double seconds = 5;
  uint32_t capacity_mib = 64;
  int readers = 8;
  int slow = 3;
  uint32_t max_record = 1u << 20;
  uint32_t rate_mbs = 100;
  uint32_t seed = 0;
};

// Per-process results, in a second shared mapping: each is written by one
// process and read by the parent after waitpid(), so plain fields suffice.
struct Report {
  uint64_t records, bytes, corrupt, seq_gaps, torn_after_send, laps, bad_jumps;
  uint32_t done;
  uint32_t
      in_append;  // writer: set around append..commit (atomic_ref), so the kill lands mid-write
};

// A word-at-a-time FNV-style hash of the payload, seeded with the sequence
// number, so that a header and a payload from different writes disagree.
uint32_t checksum(const uint8_t* p, uint32_t n, uint32_t seq) {
  uint64_t h = 14695981039346656037ull ^ seq;
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return static_cast<uint32_t>(h ^ (h >> 32));
}

uint32_t record_size_for(std::mt19937& rng, uint32_t max) {
  uint32_t r = rng() % 100;
  uint32_t s = r < 45   ? 1 + rng() % 400
               : r < 90 ? 5000 + rng() % 45000
               : r < 98 ? 100000 + rng() % 200000
                        : 1 + rng() % max;
  return s < max ? s : max;
}

[[noreturn]] void writer_main(RingWriter& w, Control& control, const Options& o, Report& rep) {
  // A publisher's worker: ready in its slot, then the stream is Live.
  if (!control.workers().set_ready(kWriterSlot, static_cast<uint32_t>(getpid())).is_ok()) _exit(5);
  if (!control.registry()
           .publish(kStreamKey, {kWriterSlot, static_cast<uint32_t>(getpid())})
           .is_ok())
    _exit(5);
  std::mt19937 rng(o.seed * 7 + 1);
  std::vector<uint8_t> src(2 * o.max_record);
  for (auto& b : src) b = static_cast<uint8_t>(rng());
  int64_t start = srs::base::mono_ns();
  uint64_t bytes = 0;
  for (uint32_t batch = 0;; ++batch) {
    w.begin_batch();
    for (uint32_t i = 0, n = 1 + rng() % 3; i < n; ++i) {
      uint32_t size = record_size_for(rng, o.max_record);
      const uint8_t* p = src.data() + rng() % (src.size() - size);
      RecordMeta m;
      m.type = size < 400 ? RecordType::kAudio : RecordType::kVideo;
      m.flags =
          (size >= 100000 || batch % 30 == 0) && m.type == RecordType::kVideo ? kFlagKeyframe : 0;
      m.timestamp = static_cast<uint32_t>((srs::base::mono_ns() - start) / 1000000);
      m.cts = static_cast<int32_t>(checksum(p, size, w.next_seq()));
      ConstBytes whole(p, size);
      ConstBytes parts[] = {whole.first(size / 3), whole.subspan(size / 3)};
      std::atomic_ref<uint32_t>(rep.in_append).store(1, std::memory_order_relaxed);
      if (!w.append(m, parts).is_ok()) _exit(3);
      bytes += size;
      rep.records += 1;
      rep.bytes += size;
    }
    (void)w.commit();  // readers poll here: no eventfds in this tool
    std::atomic_ref<uint32_t>(rep.in_append).store(0, std::memory_order_relaxed);
    int64_t due = start + static_cast<int64_t>(bytes * 1000 / o.rate_mbs);
    int64_t now = srs::base::mono_ns();
    if (due > now) {
      timespec ts{time_t((due - now) / 1000000000), long((due - now) % 1000000000)};
      nanosleep(&ts, nullptr);
    }
  }
}

void verify(const RecordView* v, const ReadResult& res, Report& rep, uint32_t* expected,
            bool* known, const uint32_t* sums) {
  if (res.jumped) {
    *known = false;
    if (v[0].type != RecordType::kDiscontinuity && !(v[0].flags & kFlagKeyframe))
      rep.bad_jumps += 1;
  }
  for (uint32_t i = 0; i < res.count; ++i) {
    if (*known && v[i].seq != *expected) rep.seq_gaps += 1;
    *expected = v[i].seq + 1;
    *known = true;
    if (sums[i] != static_cast<uint32_t>(v[i].cts)) rep.corrupt += 1;
    rep.records += 1;
    rep.bytes += v[i].size;
  }
}

// A player that arrived before the publisher: waits until the registry has
// the stream (a worker sleeps on add_waiter() and its eventfd; this polls).
// Returns the stream slot, with the registry epoch read before the lookup.
uint32_t wait_for_stream(const Registry& reg, uint32_t* epoch) {
  for (int64_t deadline = srs::base::mono_ms() + kFindTimeoutMs; srs::base::mono_ms() < deadline;) {
    *epoch = reg.epoch();
    auto info = reg.find(kStreamKey);
    if (info.is_ok()) return info->slot;
    usleep(1000);
  }
  _exit(6);
}

// Whether the stream ended, as a player learns it: from the registry, never
// from the ring. Only when the registry epoch moved is the slot looked at
// again. Lost (the publisher's worker died) means wait for a republish;
// Ended means no more data will come to this ring.
bool stream_ended(const Registry& reg, uint32_t slot, uint32_t* seen_epoch) {
  uint32_t e = reg.epoch();
  if (e == *seen_epoch) return false;
  *seen_epoch = e;
  return reg.state(slot) == StreamState::kEnded;
}

[[noreturn]] void reader_main(void* mem, std::size_t size, const Registry& reg, int index,
                              bool slow, const Options& o, Report& rep) {
  RingReader r;
  if (!r.attach(mem, size).is_ok()) _exit(4);
  uint32_t epoch = 0;
  uint32_t slot = wait_for_stream(reg, &epoch);
  std::mt19937 rng(o.seed * 131 + static_cast<uint32_t>(index));
  RecordView views[64];
  uint32_t sums[64];
  uint32_t expected = 0;
  bool known = false;
  for (;;) {
    ReadResult res = r.read(views, 64, 4u << 20);
    if (res.status != ReadStatus::kRecords) {
      // Ended, so the writer is gone and the tail final: done once it is reached.
      if (stream_ended(reg, slot, &epoch) &&
          r.caught_up(r.ring().header()->tail.load(std::memory_order_acquire)))
        break;
      timespec ts{0, 200000};
      nanosleep(&ts, nullptr);
      continue;
    }
    // The "send": a slow player's stalls before the copy is done, so the
    // writer may overwrite the bytes it copies; validate() must catch that.
    if (slow && rng() % 32 == 0) usleep(200000 + rng() % 700000);
    for (uint32_t i = 0; i < res.count; ++i)
      sums[i] = checksum(views[i].payload, views[i].size, views[i].seq);
    if (!r.validate(res.start)) {
      rep.torn_after_send += 1;
      continue;
    }
    verify(views, res, rep, &expected, &known, sums);
    r.advance_past(views[res.count - 1]);
  }
  rep.laps = r.laps();
  rep.done = 1;
  _exit(rep.corrupt == 0 && rep.seq_gaps == 0 ? 0 : 1);
}

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    double v = std::atof(argv[i + 1]);
    if (k == "--seconds")
      o->seconds = v;
    else if (k == "--capacity-mib")
      o->capacity_mib = static_cast<uint32_t>(v);
    else if (k == "--readers")
      o->readers = static_cast<int>(v);
    else if (k == "--slow")
      o->slow = static_cast<int>(v);
    else if (k == "--max-record")
      o->max_record = static_cast<uint32_t>(v);
    else if (k == "--rate-mbs")
      o->rate_mbs = static_cast<uint32_t>(v);
    else if (k == "--seed")
      o->seed = static_cast<uint32_t>(v);
    else
      return false;
  }
  return (argc % 2) == 1 && o->readers >= 1 && o->readers <= 64 && o->rate_mbs > 0 &&
         o->seconds > 0;
}

// Waits for `pid` up to `ms`; returns its wait status, or -1 on timeout (then kills it).
int wait_bounded(pid_t pid, int ms) {
  for (int waited = 0; waited < ms; waited += 10) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) return st;
    usleep(10000);
  }
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
  return -1;
}

// Kills the writer at a random moment late in the run, in the middle of an
// append when it gets there within 100 ms; reaps it.
bool kill_writer(pid_t writer, Ring& ring, const Options& o, Report& rep) {
  std::mt19937 rng(o.seed);
  double kill_at = o.seconds * (0.8 + 0.2 * (rng() % 1000) / 1000.0);
  usleep(static_cast<useconds_t>(kill_at * 1e6));
  for (int spin = 0; spin < 100000; ++spin) {
    if (std::atomic_ref<uint32_t>(rep.in_append).load(std::memory_order_relaxed)) break;
    usleep(1);
  }
  kill(writer, SIGKILL);
  int wst = 0;
  waitpid(writer, &wst, 0);
  uint32_t intent = ring.header()->tail_intent.load(), tail = ring.header()->tail.load();
  bool killed = WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL;
  std::printf(
      "writer: killed after %.2f s (%s), %llu records, %llu MB, left %d bytes announced but "
      "uncommitted\n",
      kill_at, killed ? "SIGKILL" : "exited early", static_cast<unsigned long long>(rep.records),
      static_cast<unsigned long long>(rep.bytes >> 20), seq_diff(intent, tail));
  return killed;
}

// What the master does after waitpid() and on its periodic timer: the dead
// worker's stream goes Lost (players wait for a republish), then Ended once
// the grace period is over. Returns whether exactly that happened.
bool end_stream_as_master(Control& control, pid_t writer) {
  uint32_t now = mono_seconds();
  auto reclaim = control.reclaim_worker(kWriterSlot, static_cast<uint32_t>(writer), now);
  if (!reclaim.is_ok()) {
    std::printf("master: reclaim_worker failed: %s\n", reclaim.status().to_string().c_str());
    return false;
  }
  SweepReport swept = control.sweep(now + kGraceSeconds, kGraceSeconds);  // the timer, later
  std::printf("master: reclaim_worker: %u stream(s) lost; sweep after %u s of grace: %u ended\n",
              reclaim->streams_lost, kGraceSeconds, swept.streams_ended);
  return reclaim->streams_lost == 1 && swept.streams_ended == 1;
}

// Reaps reader `i` (bounded) and prints its line; returns whether it ended cleanly.
bool reap_reader(pid_t pid, int i, const Options& o, const Report& r) {
  int st = wait_bounded(pid, 10000);
  bool ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && r.done && r.records > 0;
  std::printf(
      "reader %d%s: %s, %llu records (%llu MB) verified, %llu laps, %llu torn after send "
      "(discarded), "
      "%llu corrupt, %llu sequence gaps, %llu jumps not to a keyframe\n",
      i, i < o.slow ? " (slow)" : "",
      st == -1 ? "HUNG"
      : ok     ? "ended cleanly"
               : "FAILED",
      static_cast<unsigned long long>(r.records), static_cast<unsigned long long>(r.bytes >> 20),
      static_cast<unsigned long long>(r.laps), static_cast<unsigned long long>(r.torn_after_send),
      static_cast<unsigned long long>(r.corrupt), static_cast<unsigned long long>(r.seq_gaps),
      static_cast<unsigned long long>(r.bad_jumps));
  return ok;
}

void* map_shared(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("ring-stress: mmap(MAP_SHARED|MAP_ANONYMOUS)");
    std::exit(2);
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s [--seconds 5] [--capacity-mib 64] [--readers 8] [--slow 3] "
                 "[--max-record 1048576] [--rate-mbs 100] [--seed N]\n",
                 argv[0]);
    return 2;
  }
  if (o.seed == 0) o.seed = static_cast<uint32_t>(time(nullptr));
  uint32_t capacity = o.capacity_mib << 20;
  std::size_t size = bytes_for(capacity);
  if (size == 0 || o.max_record > capacity / 4 || o.max_record == 0) {
    std::fprintf(
        stderr,
        "ring-stress: capacity must be a power of two MiB <= 1024, max record <= capacity/4\n");
    return 2;
  }
  // Before any fork, as the master creates it: every child inherits it.
  auto control = Control::create({.max_streams = 16, .max_clients = 16});
  if (!control.is_ok() ||
      !control->workers()
           .reserve(kWriterSlot, static_cast<uint32_t>(srs::base::wall_ms() / 1000))
           .is_ok()) {
    std::fprintf(stderr, "ring-stress: cannot create the control region: %s\n",
                 control.is_ok() ? "worker slot busy" : control.status().to_string().c_str());
    return 2;
  }
  void* mem = map_shared(size);
  auto* reports = new (map_shared(sizeof(Report) * static_cast<std::size_t>(o.readers + 1)))
      Report[o.readers + 1]();
  RingWriter w;
  // Positions start 16 MiB before 2^32: every run crosses the wrap.
  if (srs::base::Status st =
          w.init(mem, size,
                 {.capacity = capacity, .initial_pos = 0xFF000000u, .initial_seq = 0xFFFFF000u});
      !st.is_ok()) {
    std::fprintf(stderr, "ring-stress: %s\n", st.to_string().c_str());
    return 2;
  }
  std::printf(
      "ring-stress: seed %u, capacity %u MiB, %d readers (%d slow), records 1..%u bytes, %u MB/s, "
      "%.1f s\n",
      o.seed, o.capacity_mib, o.readers, o.slow, o.max_record, o.rate_mbs, o.seconds);
  std::fflush(stdout);

  std::vector<pid_t> readers;
  for (int i = 0; i < o.readers; ++i) {
    pid_t pid = fork();
    if (pid == 0) reader_main(mem, size, control->registry(), i, i < o.slow, o, reports[i + 1]);
    readers.push_back(pid);
  }
  pid_t writer = fork();
  if (writer == 0) writer_main(w, *control, o, reports[0]);
  control->workers().set_pid(kWriterSlot, static_cast<uint32_t>(writer));

  Ring ring = Ring::attach(mem, size).value();
  int failures = kill_writer(writer, ring, o, reports[0]) ? 0 : 1;
  if (!end_stream_as_master(*control, writer)) ++failures;
  uint64_t verified = 0, corrupt = 0;
  for (int i = 0; i < o.readers; ++i) {
    if (!reap_reader(readers[i], i, o, reports[i + 1])) ++failures;
    verified += reports[i + 1].records;
    corrupt += reports[i + 1].corrupt + reports[i + 1].seq_gaps;
  }
  srs::base::Status inv = ring.check_invariants();
  if (!inv.is_ok()) {
    std::printf("ring invariants: %s\n", inv.to_string().c_str());
    ++failures;
  }
  std::printf("ring-stress: %s: %llu records verified by %d readers, %llu corrupt, %d failures\n",
              failures == 0 && corrupt == 0 ? "OK" : "FAIL",
              static_cast<unsigned long long>(verified), o.readers,
              static_cast<unsigned long long>(corrupt), failures);
  return failures == 0 && corrupt == 0 ? 0 : 1;
}
