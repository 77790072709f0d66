// ring-bench: write and read throughput of the media ring, next to plain
// memcpy measured in the same run (the floor: the writer copies each byte
// once, each reader's kernel copies it once more).
//
// For typical message sizes (audio ~300 B, video 5-50 KB, keyframes ~200 KB)
// and 0..4 reader threads, one writer appends as fast as it can; each reader
// copies every record it gets into a private buffer (standing in for the
// kernel's copy into a socket) and validates after the copy, as a player does.
//
//   ring-bench [--seconds 0.2] (per case) [--capacity-mib 64]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "shm/ring.hpp"
#include "shm/ring_reader.hpp"
#include "shm/ring_writer.hpp"

using namespace srs::shm;
using Clock = std::chrono::steady_clock;

namespace {

struct Profile {
  const char* name;
  uint32_t min, max;
  RecordType type;
};

constexpr Profile kProfiles[] = {
    {"audio", 250, 350, RecordType::kAudio},
    {"video", 5000, 50000, RecordType::kVideo},
    {"keyframe", 180000, 220000, RecordType::kVideo},
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The floor for a profile: the same message sizes copied from the same
// source into a destination as large as the ring, one after the other.
double memcpy_gbs(const Profile& p, uint32_t capacity, double seconds) {
  std::vector<uint8_t> src(p.max + 4096, 0x5a), dst(capacity, 0);
  std::mt19937 rng(1);
  uint64_t bytes = 0;
  std::size_t off = 0;
  auto t0 = Clock::now();
  while (seconds_since(t0) < seconds) {
    for (int i = 0; i < 64; ++i) {
      uint32_t n = p.min + rng() % (p.max - p.min + 1);
      if (off + n > dst.size()) off = 0;
      std::memcpy(dst.data() + off, src.data() + rng() % 4096, n);
      off += (n + 31) & ~31u;
      bytes += n;
    }
  }
  volatile uint8_t sink = dst[off % dst.size()];
  (void)sink;
  return static_cast<double>(bytes) / seconds_since(t0) / 1e9;
}

struct ReaderResult {
  uint64_t bytes = 0, records = 0;
  uint32_t laps = 0, torn = 0;
};

void reader_loop(void* mem, std::size_t size, const std::atomic<bool>& stop, ReaderResult* out) {
  RingReader r;
  if (!r.attach(mem, size, {.attach_at = AttachAt::kLiveEdge}).is_ok()) return;
  std::vector<uint8_t> sink(1u << 20);
  RecordView v[64];
  while (!stop.load(std::memory_order_relaxed)) {
    ReadResult res = r.read(v, 64, 1u << 20);
    if (res.status != ReadStatus::kRecords) {
      std::this_thread::yield();
      continue;
    }
    std::size_t off = 0;
    {
      SpeculativeReadScope speculative;
      for (uint32_t i = 0; i < res.count; ++i) {
        if (off + v[i].size > sink.size()) off = 0;
        std::memcpy(sink.data() + off, v[i].payload, v[i].size);
        off += v[i].size;
      }
    }
    if (!r.validate(res.start)) {
      ++out->torn;
      continue;
    }
    out->bytes += res.bytes;
    out->records += res.count;
    r.advance_past(v[res.count - 1]);
  }
  out->laps = r.laps();
}

struct CaseResult {
  double write_gbs, write_mrecs, read_gbs;
  uint32_t laps, torn;
};

CaseResult run_case(const Profile& p, int readers, uint32_t capacity, double seconds) {
  std::size_t size = bytes_for(capacity);
  void* mem = std::aligned_alloc(4096, (size + 4095) & ~std::size_t{4095});
  std::memset(mem, 0, size);
  RingWriter w;
  if (!w.init(mem, size, {.capacity = capacity}).is_ok()) std::abort();
  std::atomic<bool> stop{false};
  std::vector<ReaderResult> results(static_cast<std::size_t>(readers));
  std::vector<std::thread> threads;
  for (int i = 0; i < readers; ++i)
    threads.emplace_back(reader_loop, mem, size, std::cref(stop), &results[i]);

  std::mt19937 rng(1);
  std::vector<uint8_t> src(p.max + 4096, 0x5a);
  uint64_t bytes = 0, records = 0;
  auto t0 = Clock::now();
  while (seconds_since(t0) < seconds) {
    w.begin_batch();
    for (int i = 0; i < 4; ++i) {
      uint32_t n = p.min + rng() % (p.max - p.min + 1);
      RecordMeta m;
      m.type = p.type;
      m.flags = p.type == RecordType::kVideo && records % 50 == 0 ? kFlagKeyframe : 0;
      if (!w.append(m, ConstBytes(src.data() + rng() % 4096, n)).is_ok()) std::abort();
      bytes += n;
      ++records;
    }
    (void)w.commit();
  }
  double elapsed = seconds_since(t0);
  stop = true;
  for (auto& t : threads) t.join();
  CaseResult r{static_cast<double>(bytes) / elapsed / 1e9,
               static_cast<double>(records) / elapsed / 1e6, 0, 0, 0};
  for (auto& x : results) {
    r.read_gbs += static_cast<double>(x.bytes) / elapsed / 1e9 / readers;
    r.laps += x.laps;
    r.torn += x.torn;
  }
  std::free(mem);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0.2;
  uint32_t capacity_mib = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (k == "--capacity-mib")
      capacity_mib = static_cast<uint32_t>(std::atoi(argv[i + 1]));
  }
  if (argc % 2 == 0 || seconds <= 0 || bytes_for(capacity_mib << 20) == 0) {
    std::fprintf(stderr, "usage: %s [--seconds 0.2] [--capacity-mib 64 (power of two)]\n", argv[0]);
    return 2;
  }
  std::printf(
      "ring-bench: capacity %u MiB, %.2f s per case; memcpy = the same sizes copied into a buffer\n"
      "as large as the ring, measured in this run; /memcpy = ring write GB/s / memcpy GB/s\n",
      capacity_mib, seconds);
  std::printf("%-9s %-16s %7s %11s %10s %12s %8s %16s %5s %5s\n", "profile", "sizes", "readers",
              "memcpy GB/s", "write GB/s", "write Mrec/s", "/memcpy", "read GB/s/reader", "laps",
              "torn");
  for (const Profile& p : kProfiles) {
    double floor = memcpy_gbs(p, capacity_mib << 20, seconds);
    for (int readers : {0, 1, 2, 4}) {
      CaseResult r = run_case(p, readers, capacity_mib << 20, seconds);
      char sizes[32];
      std::snprintf(sizes, sizeof sizes, "%u-%u B", p.min, p.max);
      std::printf("%-9s %-16s %7d %11.2f %10.2f %12.3f %8.2f %16.2f %5u %5u\n", p.name, sizes,
                  readers, floor, r.write_gbs, r.write_mrecs, r.write_gbs / floor, r.read_gbs,
                  r.laps, r.torn);
      std::fflush(stdout);
    }
  }
  return 0;
}
