// OutputFeed over a real ring segment, with a sink that records what it is
// given: records in ring order with their kinds and bodies, the end of the
// publish (and not a byte of the republish that continues the ring), and a
// feed lapped by its publisher: the records lost, the gap, then the start
// pack before the keyframe it resumes at.
#include "worker/output/output_feed.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "t/unit/worker/output/recording_sink.hpp"

using namespace srs;
using srs::test::SinkEvent;
using srs::test::SinkLog;
using srs::worker::MediaKind;

namespace {

struct Written {
  MediaKind kind;
  uint32_t ts;
  std::vector<uint8_t> body;
};

// Writes `w` into the ring and remembers it.
void write(shm::RingWriter& writer, std::vector<Written>& log, MediaKind kind, uint32_t ts,
           std::vector<uint8_t> body) {
  test::put(writer, kind, ts, body);
  log.push_back({kind, ts, std::move(body)});
}

// The start of a stream: metadata, sequence headers, a keyframe, audio.
std::vector<Written> write_start(shm::RingWriter& w) {
  std::vector<Written> log;
  write(w, log, MediaKind::kMetadata, 0, test::metadata_body(1));
  write(w, log, MediaKind::kVideo, 0, test::avc_sequence_header());
  write(w, log, MediaKind::kAudio, 0, test::aac_sequence_header());
  write(w, log, MediaKind::kVideo, 0, test::avc_frame(true, 0, 500));
  write(w, log, MediaKind::kAudio, 10, test::aac_frame(40, 1));
  write(w, log, MediaKind::kVideo, 40, test::avc_frame(false, 0, 200));
  return log;
}

void check_records(const std::vector<SinkEvent>& got, const std::vector<Written>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].kind == SinkEvent::kRecord);
    CHECK(got[i].media == want[i].kind);
    CHECK(got[i].timestamp == want[i].ts);
    CHECK(got[i].body == want[i].body);
  }
}

}  // namespace

TEST_CASE("output feed: records reach every sink in ring order, with their kinds and bodies") {
  test::SegmentRing ring;
  auto feed = test::make_feed(ring);
  auto log1 = std::make_shared<SinkLog>(), log2 = std::make_shared<SinkLog>();
  CHECK(feed->empty());
  feed->add(std::make_unique<test::RecordingSink>(log1));
  feed->add(std::make_unique<test::RecordingSink>(log2));
  CHECK_FALSE(feed->empty());

  CHECK(feed->pump(1) == 0);
  CHECK(log1->snapshot().empty());

  std::vector<Written> want = write_start(ring.writer);
  // A data message that is not onMetaData (no metadata flag) is not given.
  std::vector<uint8_t> cue = {0x02, 0x00, 0x0a, 'o', 'n', 'C', 'u', 'e', 'P', 'o', 'i', 'n', 't'};
  REQUIRE(ring.writer.append({shm::RecordType::kData, 0, 45, 0}, shm::ConstBytes(cue)).is_ok());
  (void)ring.writer.commit();
  CHECK(feed->pump(2) == 0);
  check_records(log1->snapshot(), want);
  check_records(log2->snapshot(), want);

  // Nothing new: nothing given; then only what is new.
  CHECK(feed->pump(3) == 0);
  CHECK(log1->snapshot().size() == want.size());
  write(ring.writer, want, MediaKind::kAudio, 50, test::aac_frame(30, 2));
  write(ring.writer, want, MediaKind::kVideo, 80, test::avc_frame(false, 0, 300));
  CHECK(feed->pump(4) == 0);
  check_records(log1->snapshot(), want);
  CHECK(log1->count(SinkEvent::kFinish) == 0);
}

TEST_CASE("output feed: more than a batch (64 records, 1 MiB) at once all arrive in order") {
  test::SegmentRing ring(1u << 22);
  auto feed = test::make_feed(ring);
  auto log = std::make_shared<SinkLog>();
  feed->add(std::make_unique<test::RecordingSink>(log));
  std::vector<Written> want = write_start(ring.writer);
  for (uint32_t i = 0; i < 300; ++i) {
    write(ring.writer, want, MediaKind::kVideo, 80 + 40 * i,
          test::avc_frame(i % 25 == 0, 0, 5000 + i));
  }
  CHECK(feed->pump(1) == 0);
  check_records(log->snapshot(), want);
}

TEST_CASE("output feed: finish() reads to the publish's end, not into the republish after it") {
  test::SegmentRing ring;
  void* mem = ring.seg.data();
  size_t size = ring.seg.size();
  auto feed = test::make_feed(ring);
  auto log = std::make_shared<SinkLog>();
  feed->add(std::make_unique<test::RecordingSink>(log));

  std::vector<Written> want = write_start(ring.writer);
  CHECK(feed->pump(1) == 0);
  write(ring.writer, want, MediaKind::kAudio, 60, test::aac_frame(30, 3));  // not pumped yet
  uint32_t end = ring.writer.tail();

  // The encoder reconnects within the grace period: a new publisher
  // continues the ring (a discontinuity record, then its own stream).
  shm::RingWriter again;
  REQUIRE(again.resume(mem, size).is_ok());
  std::vector<Written> republish = write_start(again);

  CHECK(feed->finish(end, 2) == 0);
  auto got = log->snapshot();
  REQUIRE(got.size() == want.size() + 1);
  check_records({got.begin(), got.end() - 1}, want);
  CHECK(got.back().kind == SinkEvent::kFinish);
  CHECK(log->count(SinkEvent::kFinish) == 1);
}

TEST_CASE(
    "output feed: a republish continuing the ring is not given to the ended publish's sinks") {
  // The publisher left and a new one continued the ring before the output
  // thread handled the finish command (it was busy: a slow disk). A pump in
  // between must stop where the old publish's records end.
  test::SegmentRing ring;
  void* mem = ring.seg.data();
  size_t size = ring.seg.size();
  auto feed = test::make_feed(ring);
  auto log = std::make_shared<SinkLog>();
  feed->add(std::make_unique<test::RecordingSink>(log));

  std::vector<Written> want = write_start(ring.writer);
  uint32_t end = ring.writer.tail();
  shm::RingWriter again;
  REQUIRE(again.resume(mem, size).is_ok());
  (void)write_start(again);

  CHECK(feed->pump(1) == 0);
  check_records(log->snapshot(), want);
  CHECK(feed->finish(end, 2) == 0);
  auto got = log->snapshot();
  REQUIRE(got.size() == want.size() + 1);
  CHECK(got.back().kind == SinkEvent::kFinish);
}

TEST_CASE("output feed: a publish that wrote nothing gives nothing, even with a republish after") {
  test::SegmentRing ring;
  void* mem = ring.seg.data();
  size_t size = ring.seg.size();
  auto feed = test::make_feed(ring);
  auto log = std::make_shared<SinkLog>();
  feed->add(std::make_unique<test::RecordingSink>(log));
  uint32_t end = ring.writer.tail();
  shm::RingWriter again;
  REQUIRE(again.resume(mem, size).is_ok());
  (void)write_start(again);
  CHECK(feed->pump(1) == 0);
  CHECK(feed->finish(end, 2) == 0);
  auto got = log->snapshot();
  REQUIRE(got.size() == 1);
  CHECK(got[0].kind == SinkEvent::kFinish);
}

TEST_CASE("output feed: lapped, it reports the records lost, the gap, then the start pack") {
  // 64 KiB of ring, 1 KiB frames: 200 of them lap a feed that is not pumped.
  test::SegmentRing ring(1u << 16);
  auto feed = test::make_feed(ring);
  auto log = std::make_shared<SinkLog>();
  feed->add(std::make_unique<test::RecordingSink>(log));

  std::vector<Written> first = write_start(ring.writer);
  CHECK(feed->pump(1) == 0);
  check_records(log->snapshot(), first);
  const uint32_t last_ts = first.back().ts;  // 40

  // A new audio sequence header while the feed is stalled: the start pack
  // after the gap must have it, not the one the feed saw.
  std::vector<uint8_t> aac2 = {0xaf, 0x00, 0x11, 0x90};  // AAC-LC 48 kHz stereo
  uint32_t written = 0;
  std::vector<Written> all;
  for (uint32_t i = 0; i < 200; ++i) {
    uint32_t ts = 80 + 40 * i;
    if (i == 100) {
      write(ring.writer, all, MediaKind::kAudio, ts, aac2);
      written++;
    }
    write(ring.writer, all, MediaKind::kVideo, ts, test::avc_frame(i % 10 == 0, 0, 1000));
    written++;
  }

  uint32_t lost = feed->pump(2);
  auto got = log->snapshot();
  got.erase(got.begin(), got.begin() + long(first.size()));
  REQUIRE(got.size() >= 5);
  // The gap, with the media time lost: from the last record given to the keyframe resumed at.
  CHECK(got[0].kind == SinkEvent::kGap);
  const uint32_t resumed_ts = got[4].timestamp;
  CHECK(got[0].lost_ms == resumed_ts - last_ts);
  // Then the start pack, as it is now.
  CHECK(got[1].media == MediaKind::kMetadata);
  CHECK(got[1].body == test::metadata_body(1));
  CHECK(got[2].media == MediaKind::kVideo);
  CHECK(got[2].body == test::avc_sequence_header());
  CHECK(got[3].media == MediaKind::kAudio);
  CHECK(got[3].body == aac2);
  // Then a keyframe, and everything after it in order.
  CHECK(got[4].media == MediaKind::kVideo);
  CHECK((test::meta_of(MediaKind::kVideo, 0, got[4].body).flags & shm::kFlagKeyframe) != 0);
  size_t resumed = 0;
  while (resumed < all.size() && all[resumed].ts != resumed_ts) resumed++;
  REQUIRE(resumed < all.size());
  std::vector<Written> rest(all.begin() + long(resumed), all.end());
  check_records({got.begin() + 4, got.end()}, rest);
  // Every record written is either lost or given.
  CHECK(lost == written - rest.size());
  CHECK(lost > 0);
  CHECK(log->count(SinkEvent::kGap) == 1);

  // Then it goes on as usual.
  write(ring.writer, all, MediaKind::kAudio, 9000, test::aac_frame(10));
  CHECK(feed->pump(3) == 0);
  CHECK(log->records().back().timestamp == 9000);
  CHECK(log->count(SinkEvent::kGap) == 1);
}

TEST_CASE("output feed: idle sinks get nothing; a feed of idle sinks reads nothing") {
  test::SegmentRing ring(1u << 16);
  auto feed = test::make_feed(ring);
  auto log = std::make_shared<SinkLog>();
  auto idle = std::make_shared<bool>(true);
  feed->add(std::make_unique<test::RecordingSink>(log, idle));
  std::vector<Written> first = write_start(ring.writer);
  // Far more than the ring holds: a feed that read would be lapped and say so.
  for (uint32_t i = 0; i < 200; ++i)
    test::put(ring.writer, MediaKind::kVideo, 80 + 40 * i, test::avc_frame(i % 10 == 0, 0, 1000));
  CHECK(feed->pump(1) == 0);
  feed->tick(2);
  CHECK(log->snapshot().empty());

  // Woken: the start pack, then from the newest keyframe on, nothing counted lost.
  *idle = false;
  feed->tick(3);
  CHECK(log->snapshot().empty());  // a dormant feed gives the start pack when it reads again
  CHECK(feed->pump(4) == 0);
  auto got = log->snapshot();
  REQUIRE(got.size() >= 4);
  CHECK(log->count(SinkEvent::kGap) == 0);
  CHECK(got[0].media == MediaKind::kMetadata);
  CHECK(got[1].body == test::avc_sequence_header());
  CHECK(got[2].body == test::aac_sequence_header());
  CHECK((test::meta_of(MediaKind::kVideo, 0, got[3].body).flags & shm::kFlagKeyframe) != 0);
  CHECK(got[3].timestamp == 80 + 40 * 190);  // the newest keyframe
  CHECK(got.size() == 3 + 10);               // it and the 9 frames after it
  feed->finish(ring.writer.tail(), 5);
  CHECK(log->count(SinkEvent::kFinish) == 1);
}

TEST_CASE("output feed: a sink that wakes beside a busy one gets the start pack, then what comes") {
  test::SegmentRing ring;
  auto feed = test::make_feed(ring);
  auto busy = std::make_shared<SinkLog>(), late = std::make_shared<SinkLog>();
  auto idle = std::make_shared<bool>(true);
  feed->add(std::make_unique<test::RecordingSink>(busy));
  feed->add(std::make_unique<test::RecordingSink>(late, idle));
  std::vector<Written> want = write_start(ring.writer);
  CHECK(feed->pump(1) == 0);
  check_records(busy->snapshot(), want);
  CHECK(late->snapshot().empty());

  *idle = false;
  feed->tick(2);
  auto got = late->snapshot();
  REQUIRE(got.size() == 3);  // the start pack, to the late sink only
  CHECK(got[0].media == MediaKind::kMetadata);
  CHECK(got[1].body == test::avc_sequence_header());
  CHECK(got[2].body == test::aac_sequence_header());
  CHECK(busy->snapshot().size() == want.size());
  write(ring.writer, want, MediaKind::kVideo, 80, test::avc_frame(true, 0, 300));
  CHECK(feed->pump(3) == 0);
  CHECK(late->snapshot().size() == 4);
  CHECK(late->snapshot()[3].timestamp == 80);
  check_records(busy->snapshot(), want);

  // Asleep again: nothing more for it; the busy one goes on.
  *idle = true;
  feed->tick(4);
  write(ring.writer, want, MediaKind::kVideo, 120, test::avc_frame(false, 0, 300));
  CHECK(feed->pump(5) == 0);
  CHECK(late->snapshot().size() == 4);
  check_records(busy->snapshot(), want);
}
