// Unit tests of the media ring: layout, append/read, padding, batches,
// keyframe attach, laps, guard, validate-after-send, generations, sleepers,
// draining after the writer stopped, positions and sequences crossing 2^32.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "shm/ring.hpp"
#include "shm/ring_reader.hpp"
#include "shm/ring_writer.hpp"

using namespace srs::shm;
using srs::base::Errc;
using srs::base::Status;

namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// A heap block standing in for a MAP_SHARED mapping.
struct Block {
  explicit Block(uint32_t capacity) : size(bytes_for(capacity)) {
    mem.reset(std::aligned_alloc(4096, (size + 4095) & ~std::size_t{4095}));
    std::memset(mem.get(), 0, size);
  }
  std::unique_ptr<void, FreeDeleter> mem;
  std::size_t size;
};

std::vector<uint8_t> pattern(uint32_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

RecordMeta meta_of(RecordType type, uint8_t flags = 0, uint32_t ts = 0) {
  RecordMeta m;
  m.type = type;
  m.flags = flags;
  m.timestamp = ts;
  return m;
}

void put(RingWriter& w, RecordType type, uint32_t n, uint8_t seed, uint8_t flags = 0,
         uint32_t ts = 0) {
  auto p = pattern(n, seed);
  REQUIRE(w.append(meta_of(type, flags, ts), ConstBytes(p)).is_ok());
  (void)w.commit();
}

bool same(const RecordView& v, uint32_t n, uint8_t seed) {
  auto p = pattern(n, seed);
  return v.size == n && std::memcmp(v.payload, p.data(), n) == 0;
}

// Reads everything available, advancing past it.
std::vector<RecordView> drain(RingReader& r, ReadResult* last = nullptr) {
  std::vector<RecordView> out;
  RecordView views[16];
  for (;;) {
    ReadResult res = r.read(views, 16, 1u << 30);
    if (last) *last = res;
    if (res.status != ReadStatus::kRecords) return out;
    for (uint32_t i = 0; i < res.count; ++i) out.push_back(views[i]);
    REQUIRE(r.validate(res.start));
    r.advance_past(views[res.count - 1]);
  }
}

}  // namespace

TEST_CASE("ring: bytes_for accepts only powers of two in [4 KiB, 1 GiB]") {
  CHECK(bytes_for(4096) == ring_data_offset() + 4096);
  CHECK(bytes_for(1u << 30) == std::size_t{ring_data_offset()} + (1u << 30));
  CHECK(bytes_for(4095) == 0);
  CHECK(bytes_for(6000) == 0);
  CHECK(bytes_for(2048) == 0);
  CHECK(bytes_for(1u << 31) == 0);
  CHECK(ring_data_offset() % kCacheLine == 0);
}

TEST_CASE("ring: attach checks magic, version and size") {
  Block b(4096);
  RingWriter w;
  CHECK(w.init(b.mem.get(), b.size - 1, {.capacity = 4096}).code() == Errc::kInvalid);
  CHECK(w.init(b.mem.get(), b.size, {.capacity = 5000}).code() == Errc::kInvalid);
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096}).is_ok());
  CHECK(Ring::attach(b.mem.get(), b.size).is_ok());
  CHECK(Ring::attach(b.mem.get(), b.size - 1).status().code() == Errc::kInvalid);
  CHECK(Ring::attach(b.mem.get(), 16).status().code() == Errc::kInvalid);
  auto* h = static_cast<RingHeader*>(b.mem.get());
  h->layout_version = kRingLayoutVersion + 1;
  CHECK(Ring::attach(b.mem.get(), b.size).status().code() == Errc::kUnsupported);
  h->layout_version = 1;  // a binary that still kept a ring state at offset 144
  CHECK(Ring::attach(b.mem.get(), b.size).status().code() == Errc::kUnsupported);
  h->layout_version = kRingLayoutVersion;
  h->magic.store(0x12345678);
  RingReader r;
  Status st = r.attach(b.mem.get(), b.size);
  CHECK(st.code() == Errc::kInvalid);
  CHECK(std::string(st.what()).find("magic") != std::string::npos);
}

TEST_CASE("ring: appended records read back in place, with every field") {
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());

  RecordMeta m = meta_of(RecordType::kVideo, kFlagKeyframe, 1234);
  m.cts = -40;
  auto a = pattern(10, 1), c = pattern(300, 2);
  ConstBytes parts[] = {ConstBytes(a), ConstBytes(), ConstBytes(c)};  // reassembly buffer in pieces
  REQUIRE(w.append(m, parts).is_ok());

  RecordView v[4];
  CHECK(r.read(v, 4, 1u << 20).status == ReadStatus::kEmpty);  // not committed yet
  (void)w.commit();
  put(w, RecordType::kAudio, 1, 3, 0, 1240);
  put(w, RecordType::kData, 0, 4);

  ReadResult res = r.read(v, 4, 1u << 20);
  REQUIRE(res.status == ReadStatus::kRecords);
  REQUIRE(res.count == 3);
  CHECK(v[0].type == RecordType::kVideo);
  CHECK(v[0].flags == kFlagKeyframe);
  CHECK(v[0].timestamp == 1234);
  CHECK(v[0].cts == -40);
  CHECK(v[0].generation == 1);
  REQUIRE(v[0].size == 310);
  CHECK(std::memcmp(v[0].payload, a.data(), 10) == 0);
  CHECK(std::memcmp(v[0].payload + 10, c.data(), 300) == 0);
  CHECK(v[1].type == RecordType::kAudio);
  CHECK(same(v[1], 1, 3));
  CHECK(v[1].seq == v[0].seq + 1);
  CHECK(v[2].type == RecordType::kData);
  CHECK(v[2].size == 0);
  CHECK(res.bytes == 311);
  CHECK(r.validate(res.start));
  r.advance_past(v[2]);
  CHECK(r.read(v, 4, 1u << 20).status == ReadStatus::kEmpty);
  CHECK(w.ring().check_invariants().is_ok());

  RingStats s = w.ring().stats();
  CHECK(s.records == 3);
  CHECK(s.bytes == 311);
  CHECK(s.last_timestamp == 0);
  CHECK(s.generation == 1);
}

TEST_CASE("ring: a record that does not fit at the end is preceded by padding, never split") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  put(w, RecordType::kVideo, 1000, 1);  // 1024 bytes
  put(w, RecordType::kVideo, 1000, 2);
  put(w, RecordType::kVideo, 1000, 3);  // ends at 3072
  auto got = drain(r);
  REQUIRE(got.size() == 3);
  // Sizes 1024 (fits exactly to the end), 928, 1024, 1024, 1024 (ends at
  // index 4000), then 224 with only 96 bytes left: padding, then index 0.
  const uint32_t sizes[] = {1000, 900, 1000, 1000, 1000, 200};
  got.clear();
  for (uint8_t i = 0; i < 6; ++i) {
    put(w, RecordType::kVideo, sizes[i], static_cast<uint8_t>(4 + i));
    for (auto& v : drain(r)) got.push_back(v);
  }
  REQUIRE(got.size() == 6);
  CHECK(same(got[5], 200, 9));
  CHECK((got[5].pos & 4095) == 0);
  CHECK(got[5].pos == 8192);
  for (auto& v : got) CHECK(v.type == RecordType::kVideo);
  CHECK(w.ring().check_invariants().is_ok());
}

TEST_CASE("ring: positions and sequence numbers cross 2^32") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size,
                 {.capacity = 4096, .initial_pos = 0xFFFFFC00u, .initial_seq = 0xFFFFFFF8u})
              .is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  CHECK(r.cursor() == 0xFFFFFC00u);
  uint32_t expect_seq = 0xFFFFFFF8u;
  for (int round = 0; round < 40; ++round) {
    put(w, RecordType::kAudio, 100 + round * 3, static_cast<uint8_t>(round), 0,
        0xFFFFFF00u + round * 23);
    auto got = drain(r);
    REQUIRE(got.size() == 1);
    CHECK(got[0].seq == expect_seq++);
    CHECK(same(got[0], 100 + round * 3, static_cast<uint8_t>(round)));
    CHECK(w.ring().check_invariants().is_ok());
  }
  CHECK(r.cursor() < 0x10000u);  // wrapped
  CHECK(expect_seq < 0x100u);
}

TEST_CASE("ring: payloads above capacity/4 are rejected and nothing is written") {
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  auto big = pattern((1u << 14) + 1, 0);
  Status st = w.append(meta_of(RecordType::kVideo), ConstBytes(big));
  CHECK(st.code() == Errc::kTooLarge);
  CHECK(std::string(st.what()).find("capacity/4") != std::string::npos);
  (void)w.commit();
  CHECK(w.ring().header()->tail.load() == 0);
  CHECK(w.ring().header()->tail_intent.load() == 0);
  big.resize(1u << 14);
  CHECK(w.append(meta_of(RecordType::kVideo), ConstBytes(big)).is_ok());
  RecordMeta pad = meta_of(RecordType::kPadding);
  CHECK(w.append(pad, ConstBytes()).code() == Errc::kInvalid);
}

TEST_CASE("ring: a batch becomes visible at commit, and commit wakes sleepers once") {
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  uint32_t seen = w.ring().announce_sleep(3);
  CHECK(r.caught_up(seen));
  (void)w.ring().announce_sleep(40);
  w.begin_batch();
  auto p = pattern(50, 1);
  for (int i = 0; i < 5; ++i) REQUIRE(w.append(meta_of(RecordType::kAudio), ConstBytes(p)).is_ok());
  RecordView v[8];
  CHECK(r.read(v, 8, 1u << 20).status == ReadStatus::kEmpty);
  WakeSet wake = w.commit();
  CHECK(wake.contains(3));
  CHECK(wake.contains(40));
  CHECK_FALSE(wake.contains(4));
  std::vector<uint32_t> slots;
  wake.for_each([&](uint32_t s) { slots.push_back(s); });
  CHECK(slots == std::vector<uint32_t>{3, 40});
  CHECK(r.read(v, 8, 1u << 20).count == 5);
  CHECK(w.commit().empty());  // bits were cleared: nobody asleep any more

  // A worker that announces sleep after the data arrived sees the new tail
  // and does not sleep (the other half of Dekker's pattern).
  CHECK_FALSE(r.caught_up(w.ring().announce_sleep(7)));
}

TEST_CASE("ring: a batch larger than capacity/4 is published early, its wake-ups kept for commit") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  (void)w.ring().announce_sleep(5);
  w.begin_batch();
  auto p = pattern(488, 1);  // 512-byte records
  for (int i = 0; i < 2; ++i) REQUIRE(w.append(meta_of(RecordType::kVideo), ConstBytes(p)).is_ok());
  RecordView v[8];
  CHECK(r.read(v, 8, 1u << 20).status == ReadStatus::kEmpty);  // 1024: not yet
  REQUIRE(w.append(meta_of(RecordType::kVideo), ConstBytes(p)).is_ok());
  CHECK(r.read(v, 8, 1u << 20).count == 3);  // 1536 > 1024: published
  WakeSet wake = w.commit();
  CHECK(wake.contains(5));
  CHECK(w.ring().check_invariants().is_ok());
}

TEST_CASE("ring: read honours the record and byte limits and resumes inside a record") {
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  for (int i = 0; i < 6; ++i) put(w, RecordType::kVideo, 1000, static_cast<uint8_t>(i));
  RecordView v[8];
  CHECK(r.read(v, 2, 1u << 20).count == 2);
  CHECK(r.read(v, 8, 2500).count == 2);
  CHECK(r.read(v, 8, 10).count == 1);  // always at least one record
  ReadResult res = r.read(v, 8, 1u << 20);
  REQUIRE(res.count == 6);
  // writev sent record 0, record 1 and 300 bytes of record 2.
  r.advance_past(v[1]);
  r.advance_into(v[2], 300);
  res = r.read(v, 8, 1u << 20);
  REQUIRE(res.count == 4);
  CHECK(v[0].offset == 300);
  CHECK(v[0].size == 700);
  CHECK(v[0].payload_len == 1000);
  auto p2 = pattern(1000, 2);
  CHECK(std::memcmp(v[0].payload, p2.data() + 300, 700) == 0);
  CHECK(res.bytes == 700 + 3000);
}

TEST_CASE("ring: a new reader attaches at the newest keyframe (GOP cache)") {
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  RingReader none;
  REQUIRE(none.attach(b.mem.get(), b.size).is_ok());  // no keyframe yet: live edge
  CHECK(none.cursor() == 0);
  put(w, RecordType::kAudio, 100, 1);
  put(w, RecordType::kVideo, 2000, 2, kFlagKeyframe, 0);
  put(w, RecordType::kVideo, 500, 3, 0, 40);
  put(w, RecordType::kVideo, 2000, 4, kFlagKeyframe, 80);
  put(w, RecordType::kAudio, 100, 5, 0, 81);
  put(w, RecordType::kVideo, 500, 6, 0, 120);
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size).is_ok());
  auto got = drain(r);
  REQUIRE(got.size() == 3);
  CHECK((got[0].flags & kFlagKeyframe) != 0);
  CHECK(got[0].timestamp == 80);
  CHECK(same(got[0], 2000, 4));
  CHECK(got[2].timestamp == 120);
  CHECK(r.laps() == 0);
  CHECK(w.ring().check_invariants().is_ok());
}

TEST_CASE(
    "ring: a codec change after the newest keyframe moves the attach point to the new header") {
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  put(w, RecordType::kVideo, 40, 1, kFlagSequenceHeader, 0);  // H1
  put(w, RecordType::kVideo, 2000, 2, kFlagKeyframe, 0);      // K1
  put(w, RecordType::kVideo, 500, 3, 0, 40);
  put(w, RecordType::kVideo, 44, 4, kFlagSequenceHeader,
      80);  // H2: K1's header is gone from the slot
  put(w, RecordType::kVideo, 500, 5, 0, 80);
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size).is_ok());
  auto got = drain(r);
  REQUIRE(got.size() == 2);
  CHECK(got[0].flags == kFlagSequenceHeader);
  CHECK(same(got[0], 44, 4));

  put(w, RecordType::kVideo, 2000, 6, kFlagKeyframe, 120);  // K2: back to the keyframe rule
  RingReader r2;
  REQUIRE(r2.attach(b.mem.get(), b.size).is_ok());
  got = drain(r2);
  REQUIRE(got.size() == 1);
  CHECK(same(got[0], 2000, 6));
}

TEST_CASE("ring: a lapped reader learns it before getting bytes and jumps to a keyframe") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096, .initial_pos = 0xFFFFF000u}).is_ok());
  RingReader jump, report;
  REQUIRE(jump.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  REQUIRE(report
              .attach(b.mem.get(), b.size,
                      {.attach_at = AttachAt::kLiveEdge, .on_lap = LapPolicy::kReport})
              .is_ok());
  for (int i = 0; i < 12; ++i)
    put(w, RecordType::kVideo, 488, static_cast<uint8_t>(i), i % 4 == 0 ? kFlagKeyframe : 0,
        i * 40u);
  // 12 * 512 = 6 KiB written into a 4 KiB ring: both readers were lapped.
  RecordView v[16];
  ReadResult res = report.read(v, 16, 1u << 20);
  CHECK(res.status == ReadStatus::kLapped);
  CHECK(res.count == 0);
  CHECK(report.cursor() == 0xFFFFF000u);  // the caller decides
  CHECK(report.jump_to_keyframe());

  res = jump.read(v, 16, 1u << 20);
  REQUIRE(res.status == ReadStatus::kRecords);
  CHECK(res.jumped);
  CHECK(jump.laps() == 1);
  CHECK((v[0].flags & kFlagKeyframe) != 0);
  CHECK(v[0].timestamp == 320);  // keyframe 8: 8, 9, 10, 11 follow
  CHECK(same(v[0], 488, 8));
  CHECK(res.count == 4);
  CHECK(jump.records_skipped() == 0);  // live-edge attach knew no sequence yet
  CHECK(report.cursor() == v[0].pos);
}

TEST_CASE("ring: the guard hands nothing out that is close to being overwritten") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size,
                   {.attach_at = AttachAt::kLiveEdge, .on_lap = LapPolicy::kReport, .guard = 1024})
              .is_ok());
  for (int i = 0; i < 6; ++i)
    put(w, RecordType::kVideo, 488, static_cast<uint8_t>(i));  // 3072 bytes
  RecordView v[16];
  ReadResult res = r.read(v, 16, 1u << 20);
  CHECK(res.status == ReadStatus::kRecords);  // 3072 <= 4096 - 1024
  put(w, RecordType::kVideo, 488, 6);         // 3584 > 3072: inside the guard
  res = r.read(v, 16, 1u << 20);
  CHECK(res.status == ReadStatus::kLapped);
  CHECK(r.validate(r.cursor()));  // not overwritten yet: the guard is a margin
}

TEST_CASE("ring: validate after the send detects bytes overwritten during it") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096, .initial_pos = 0xFFFFF000u}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  put(w, RecordType::kVideo, 488, 1);
  RecordView v[4];
  ReadResult res = r.read(v, 4, 1u << 20);
  REQUIRE(res.count == 1);
  CHECK(r.validate(res.start));
  // The "send" is slow: meanwhile the writer goes round the ring.
  for (int i = 0; i < 7; ++i) put(w, RecordType::kVideo, 488, 2);
  CHECK(r.validate(res.start));  // 8 * 512 = capacity exactly: still intact
  CHECK(same(v[0], 488, 1));
  put(w, RecordType::kVideo, 488, 3);
  CHECK_FALSE(r.validate(res.start));
  CHECK_FALSE(same(v[0], 488, 1));  // indeed overwritten
}

TEST_CASE("ring: a new publisher continues the ring behind a discontinuity") {
  Block b(1u << 16);
  RingWriter w1;
  REQUIRE(w1.init(b.mem.get(), b.size, {.capacity = 1u << 16, .initial_seq = 0xFFFFFFFEu}).is_ok());
  RingReader r;
  REQUIRE(r.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  put(w1, RecordType::kVideo, 100, 1, kFlagKeyframe);
  // The first writer dies in the middle of an append: intent moved, tail did not.
  auto p = pattern(700, 9);
  REQUIRE(w1.append(meta_of(RecordType::kVideo), ConstBytes(p)).is_ok());
  uint32_t intent = w1.ring().header()->tail_intent.load();

  RingWriter w2;
  REQUIRE(w2.resume(b.mem.get(), b.size).is_ok());
  CHECK(w2.generation() == 2);
  CHECK(w2.ring().header()->tail_intent.load() == intent);  // never moves back
  put(w2, RecordType::kVideo, 200, 2, kFlagKeyframe);
  CHECK(w2.ring().check_invariants().is_ok());

  auto got = drain(r);
  REQUIRE(got.size() == 3);
  CHECK(got[0].generation == 1);
  CHECK(got[1].type == RecordType::kDiscontinuity);
  CHECK(got[1].generation == 2);
  CHECK(got[2].generation == 2);
  CHECK(same(got[2], 200, 2));
  CHECK(got[1].seq == got[0].seq + 1);  // sequences continue across publishers (and 2^32)
  CHECK(got[2].seq == 0);
}

TEST_CASE("ring: a reader drains what was committed before the writer stopped, then stays empty") {
  // A ring has no end state (the registry says when a stream ended): when its
  // writer stops, even killed in the middle of a batch, a reader still gets
  // every committed record, nothing of the half-written batch, and then kEmpty.
  Block b(1u << 16);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 1u << 16}).is_ok());
  RingReader early;
  REQUIRE(early.attach(b.mem.get(), b.size, {.attach_at = AttachAt::kLiveEdge}).is_ok());
  put(w, RecordType::kVideo, 1000, 1, kFlagKeyframe, 0);
  put(w, RecordType::kAudio, 10, 2, 0, 10);
  auto p = pattern(500, 3);
  REQUIRE(w.append(meta_of(RecordType::kVideo, 0, 20), ConstBytes(p)).is_ok());  // never committed
  const uint32_t tail = w.ring().header()->tail.load();
  CHECK(w.ring().header()->tail_intent.load() != tail);

  ReadResult last;
  auto got = drain(early, &last);
  REQUIRE(got.size() == 2);
  CHECK(same(got[0], 1000, 1));
  CHECK(same(got[1], 10, 2));
  CHECK(got[1].end == tail);
  CHECK(last.status == ReadStatus::kEmpty);
  CHECK(early.caught_up(tail));
  RecordView v[4];
  CHECK(early.read(v, 4, 1u << 20).status == ReadStatus::kEmpty);  // and stays so

  RingReader late;  // a player arriving after the stop starts at the keyframe
  REQUIRE(late.attach(b.mem.get(), b.size).is_ok());
  got = drain(late, &last);
  REQUIRE(got.size() == 2);
  CHECK(same(got[0], 1000, 1));
  CHECK(last.status == ReadStatus::kEmpty);
  CHECK(late.caught_up(tail));
  CHECK(w.ring().check_invariants().is_ok());
  CHECK(w.ring().header()->reserved1_ == 0);  // layout version 1's state word: unused
}

TEST_CASE("ring: sequence headers and metadata are sticky and survive the wrap") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096}).is_ok());
  put(w, RecordType::kData, 300, 1, kFlagMetadata, 0);
  put(w, RecordType::kVideo, 40, 2, kFlagSequenceHeader, 0);
  put(w, RecordType::kAudio, 2, 3, kFlagSequenceHeader, 0);
  for (int i = 0; i < 20; ++i) put(w, RecordType::kVideo, 488, 4, 0, 40u * i);  // wraps twice
  uint8_t buf[65536];
  StickyInfo info;
  REQUIRE(w.ring().sticky(StickyKind::kVideoHeader).load(buf, sizeof buf, &info).is_ok());
  CHECK(info.length == 40);
  CHECK(info.generation == 1);
  CHECK(std::memcmp(buf, pattern(40, 2).data(), 40) == 0);
  REQUIRE(w.ring().sticky(StickyKind::kAudioHeader).load(buf, sizeof buf, &info).is_ok());
  CHECK(info.length == 2);
  REQUIRE(w.ring().sticky(StickyKind::kMetadata).load(buf, sizeof buf, &info).is_ok());
  CHECK(info.length == 300);
  CHECK(std::memcmp(buf, pattern(300, 1).data(), 300) == 0);

  auto huge = pattern(4096, 0);     // the largest audio configuration a slot holds
  auto too_big = pattern(4097, 0);  // fits the ring, not the slot
  Block big(1u << 16);
  RingWriter w2;
  REQUIRE(w2.init(big.mem.get(), big.size, {.capacity = 1u << 16}).is_ok());
  CHECK(w2.append(meta_of(RecordType::kAudio, kFlagSequenceHeader), ConstBytes(too_big)).code() ==
        Errc::kTooLarge);
  CHECK(w2.append(meta_of(RecordType::kAudio, kFlagSequenceHeader), ConstBytes(huge)).is_ok());
}

TEST_CASE("ring: check_invariants reports a damaged header") {
  Block b(4096);
  RingWriter w;
  REQUIRE(w.init(b.mem.get(), b.size, {.capacity = 4096, .initial_pos = 0xFFFFFFF0u}).is_ok());
  put(w, RecordType::kVideo, 100, 1, kFlagKeyframe);
  RingHeader* h = w.ring().header();
  REQUIRE(w.ring().check_invariants().is_ok());
  uint32_t tail = h->tail.load();
  h->tail_intent.store(tail - 8);  // intent behind tail
  CHECK(w.ring().check_invariants().code() == Errc::kInvalid);
  h->tail_intent.store(tail);
  h->latest.store(tail + 8);  // latest after tail
  CHECK(w.ring().check_invariants().code() == Errc::kInvalid);
  h->latest.store(tail - 128);
  h->kf[0].pos.store(tail);  // a keyframe that is not committed
  CHECK(w.ring().check_invariants().code() == Errc::kInvalid);
}
