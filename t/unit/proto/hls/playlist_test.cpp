// The live playlist: text, window, media and discontinuity sequences,
// deletion timing (RFC 8216 4.3, 6.2.2).
#include "proto/hls/playlist.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace srs::proto::hls;

namespace {
SegmentInfo seg(uint64_t seq, uint32_t ms, bool disc = false) {
  SegmentInfo s;
  s.sequence = seq;
  s.duration_ms = ms;
  s.discontinuity = disc;
  s.uri = "s-" + std::to_string(seq) + ".ts";
  s.path = "live/" + s.uri;
  return s;
}
}  // namespace

TEST_CASE("the playlist text: version 3, fixed target, decimal EXTINF, no playlist type") {
  Playlist p(6, 60000);
  p.add(seg(p.allocate_sequence(), 4000), 0);
  p.add(seg(p.allocate_sequence(), 5960, true), 0);
  std::string text;
  p.render(text, false);
  CHECK(text ==
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXTINF:4.000,\ns-0.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:5.960,\ns-1.ts\n");
  p.render(text, true);
  CHECK(text.ends_with("s-1.ts\n#EXT-X-ENDLIST\n"));
  CHECK(text.find("PLAYLIST-TYPE") == std::string::npos);
}

TEST_CASE("the window slides by one per segment, never below 3 target durations") {
  Playlist p(10, 15000);  // the window asks for 15 s, 6.2.2 for 30 s
  for (int i = 0; i < 3; ++i) p.add(seg(p.allocate_sequence(), 10000), 0);
  CHECK(p.state().segments.size() == 3);
  CHECK(p.state().media_sequence == 0);
  p.add(seg(p.allocate_sequence(), 10000), 0);
  CHECK(p.state().segments.size() == 3);
  CHECK(p.state().media_sequence == 1);
  CHECK(p.total_ms() == 30000);
  for (int i = 0; i < 5; ++i) p.add(seg(p.allocate_sequence(), 10000), 0);
  CHECK(p.state().media_sequence == 6);  // exactly one per removed segment
  CHECK(p.state().segments.front().sequence == 6);
}

TEST_CASE("removing a segment that carries a discontinuity bumps DISCONTINUITY-SEQUENCE") {
  Playlist p(2, 6000);
  p.add(seg(p.allocate_sequence(), 2000), 0);
  p.add(seg(p.allocate_sequence(), 2000, true), 0);
  p.add(seg(p.allocate_sequence(), 2000), 0);
  p.add(seg(p.allocate_sequence(), 2000), 0);  // removes 0
  CHECK(p.state().discontinuity_sequence == 0);
  p.add(seg(p.allocate_sequence(), 2000), 0);  // removes 1, the discontinuity
  CHECK(p.state().discontinuity_sequence == 1);
  std::string text;
  p.render(text, false);
  CHECK(text.find("#EXT-X-DISCONTINUITY-SEQUENCE:1\n") != std::string::npos);
  CHECK(text.find("#EXT-X-MEDIA-SEQUENCE:2\n") != std::string::npos);
}

TEST_CASE(
    "a removed segment is deleted only after its duration + the longest playlist that held it") {
  Playlist p(2, 6000);
  for (int i = 0; i < 3; ++i) p.add(seg(p.allocate_sequence(), 2000), 1000);
  p.add(seg(p.allocate_sequence(), 2000), 10000);  // segment 0 leaves at t = 10 s
  REQUIRE(p.state().deletions.size() == 1);
  // Its duration (2 s) + the longest playlist containing it (8 s, just before removal).
  CHECK(p.state().deletions[0].due_ms == 10000 + 2000 + 8000);
  std::vector<PendingDeletion> due;
  p.take_due(19999, due);
  CHECK(due.empty());
  p.take_due(20000, due);
  REQUIRE(due.size() == 1);
  CHECK(due[0].path == "live/s-0.ts");
  CHECK(p.state().deletions.empty());
}

TEST_CASE("a saved state continues the numbers") {
  Playlist p(2, 6000);
  for (int i = 0; i < 5; ++i) p.add(seg(p.allocate_sequence(), 2000), 0);
  PlaylistState saved = p.take_state();
  Playlist q(2, 6000, std::move(saved));
  CHECK(q.state().media_sequence == 2);  // 3 x 2 s kept: the window and 6.2.2 both ask 6 s
  CHECK(q.allocate_sequence() == 5);
  CHECK(q.total_ms() == 6000);
}

TEST_CASE("parse_playlist recovers what render wrote, so numbers continue after a restart") {
  Playlist p(2, 6000);
  for (int i = 0; i < 5; ++i) p.add(seg(p.allocate_sequence(), 2000 + i, i == 3), 0);
  std::string text;
  p.render(text, false);
  auto st = parse_playlist(text, "live/cam.m3u8");
  REQUIRE(st.is_ok());
  const auto& want = p.state();
  CHECK(st->media_sequence == want.media_sequence);
  CHECK(st->discontinuity_sequence == want.discontinuity_sequence);
  CHECK(st->next_sequence == 5);
  REQUIRE(st->segments.size() == want.segments.size());
  for (size_t i = 0; i < want.segments.size(); ++i) {
    CHECK(st->segments[i].sequence == want.segments[i].sequence);
    CHECK(st->segments[i].duration_ms == want.segments[i].duration_ms);
    CHECK(st->segments[i].discontinuity == want.segments[i].discontinuity);
    CHECK(st->segments[i].path == "live/" + want.segments[i].uri);
  }
  Playlist q(2, 6000, std::move(*st));
  std::string again;
  q.render(again, false);
  CHECK(again == text);
}

TEST_CASE("parse_playlist maps URIs to paths and refuses what is not a playlist") {
  auto st = parse_playlist(
      "#EXTM3U\r\n#EXT-X-MEDIA-SEQUENCE:7\r\n#EXTINF:1.5,\r\n/ts/a.ts\r\n#EXTINF:2,\r\nhttp://cdn/"
      "b.ts\r\n",
      "live/cam.m3u8");
  REQUIRE(st.is_ok());
  REQUIRE(st->segments.size() == 2);
  CHECK(st->segments[0].path == "ts/a.ts");
  CHECK(st->segments[0].duration_ms == 1500);
  CHECK(st->segments[1].path.empty());  // never deleted: not ours to map
  CHECK(st->next_sequence == 9);
  CHECK_FALSE(parse_playlist("hello", "x.m3u8").is_ok());
  CHECK_FALSE(parse_playlist("#EXTM3U\na.ts\n", "x.m3u8").is_ok());
}
