// StartPackCache as a stream's players share it: the sticky slots' values
// with their exact lengths and timestamps, copied again only when the
// publisher stored a new value in one of them.
#include "worker/stream/start_pack.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "t/unit/worker/ring_fixture.hpp"

using namespace srs;
using srs::worker::MediaKind;
using srs::worker::StartPack;
using srs::worker::StartPackCache;

TEST_CASE("start pack: the sticky values with their exact lengths and timestamps") {
  test::RingBlock ring;
  auto meta = test::metadata_body(12.5);
  auto avc = test::avc_sequence_header();
  auto aac = test::aac_sequence_header();
  test::put(ring.writer, MediaKind::kMetadata, 7, meta);
  test::put(ring.writer, MediaKind::kVideo, 40, avc);
  test::put(ring.writer, MediaKind::kAudio, 41, aac);
  test::put(ring.writer, MediaKind::kVideo, 80, test::avc_frame(true));

  StartPackCache cache;
  const StartPack& p = cache.get(ring.writer.ring());
  CHECK(p.metadata == meta);
  CHECK(p.video == avc);
  CHECK(p.audio == aac);
  CHECK(p.metadata.size() == meta.size());  // exactly, not the slot's rounded size
  CHECK(p.audio.size() == 4);
  CHECK(p.metadata_ts == 7);
  CHECK(p.video_ts == 40);
  CHECK(p.audio_ts == 41);
  CHECK(cache.rebuilds() == 1);
}

TEST_CASE("start pack: rebuilt only when a sticky slot changed") {
  test::RingBlock ring;
  test::put(ring.writer, MediaKind::kMetadata, 0, test::metadata_body());
  test::put(ring.writer, MediaKind::kVideo, 0, test::avc_sequence_header());
  test::put(ring.writer, MediaKind::kAudio, 0, test::aac_sequence_header());

  StartPackCache cache;
  CHECK(cache.rebuilds() == 0);
  for (int i = 0; i < 1000; ++i) (void)cache.get(ring.writer.ring());  // 1,000 players join
  CHECK(cache.rebuilds() == 1);

  // Media is not sticky: the pack stays.
  for (uint32_t t = 40; t < 400; t += 40) {
    test::put(ring.writer, MediaKind::kVideo, t, test::avc_frame(t == 40));
    test::put(ring.writer, MediaKind::kAudio, t, test::aac_frame());
    (void)cache.get(ring.writer.ring());
  }
  CHECK(cache.rebuilds() == 1);

  // A new video sequence header (the encoder changed resolution).
  std::vector<uint8_t> avc2 = test::avc_sequence_header();
  avc2.push_back(0xee);  // a different configuration record
  test::put(ring.writer, MediaKind::kVideo, 400, avc2);
  const StartPack& p = cache.get(ring.writer.ring());
  CHECK(cache.rebuilds() == 2);
  CHECK(p.video == avc2);
  CHECK(p.video_ts == 400);
  CHECK(p.audio == test::aac_sequence_header());
  for (int i = 0; i < 10; ++i) (void)cache.get(ring.writer.ring());
  CHECK(cache.rebuilds() == 2);
}

TEST_CASE("start pack: an absent slot gives an empty value") {
  test::RingBlock ring;
  StartPackCache cache;
  const StartPack& empty = cache.get(ring.writer.ring());
  CHECK(empty.metadata.empty());
  CHECK(empty.video.empty());
  CHECK(empty.audio.empty());

  // An audio-only stream: no video sequence header, ever.
  test::put(ring.writer, MediaKind::kMetadata, 0, test::metadata_body());
  test::put(ring.writer, MediaKind::kAudio, 3, test::aac_sequence_header());
  const StartPack& p = cache.get(ring.writer.ring());
  CHECK(cache.rebuilds() == 2);
  CHECK(p.video.empty());
  CHECK(p.audio == test::aac_sequence_header());
  CHECK(p.audio_ts == 3);
  CHECK(p.metadata == test::metadata_body());
}
