// Segmenter decisions and the file operations they produce: keyframe cuts,
// the forced cut before the target duration, pure audio, republish and
// timestamp jumps, sequence continuity, window and deletion timing.
#include "proto/hls/segmenter.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "t/unit/proto/ts/ts_test_util.hpp"

using namespace srs::proto::hls;
using namespace srs::test::ts;

namespace {

// Applies file operations to an in-memory file system, checking their order.
struct Files {
  std::map<std::string, std::vector<uint8_t>> files;
  std::string open_tmp;
  std::vector<std::string> deleted;

  void apply(const Output& out) {
    for (const auto& op : out.ops) {
      switch (op.kind) {
        case FileOpKind::kOpen:
          REQUIRE(open_tmp.empty());
          open_tmp = op.tmp_path;
          files[open_tmp].clear();
          break;
        case FileOpKind::kAppend:
          REQUIRE(!open_tmp.empty());
          files[open_tmp].insert(files[open_tmp].end(), op.bytes.begin(), op.bytes.end());
          break;
        case FileOpKind::kClose:
          REQUIRE(op.tmp_path == open_tmp);
          files[op.path] = std::move(files[open_tmp]);
          files.erase(open_tmp);
          open_tmp.clear();
          break;
        case FileOpKind::kWritePlaylist:
          REQUIRE(op.tmp_path == op.path + ".tmp");
          files[op.path].assign(op.bytes.begin(), op.bytes.end());
          break;
        case FileOpKind::kDelete:
          REQUIRE(files.erase(op.path) == 1);
          deleted.push_back(op.path);
          break;
      }
    }
  }
  std::string text(const std::string& path) {
    auto& f = files[path];
    return std::string(f.begin(), f.end());
  }
};

struct Stream {
  Segmenter seg;
  Files fs;
  Output out;
  std::vector<Event> events;
  uint64_t now = 0;

  explicit Stream(SegmenterConfig cfg, PlaylistState st = {})
      : seg(std::move(cfg), std::move(st)) {}
  void take() {
    fs.apply(out);
    events.insert(events.end(), out.events.begin(), out.events.end());
  }
  void video(uint32_t ts, const std::vector<uint8_t>& body) {
    seg.on_video(ts, body, now, out);
    take();
  }
  void audio(uint32_t ts, const std::vector<uint8_t>& body) {
    seg.on_audio(ts, body, now, out);
    take();
  }
  void headers(bool with_video = true) {
    if (with_video) video(0, avc_sequence_header());
    audio(0, aac_sequence_header());
  }
  // 25 fps video with a keyframe every `gop` frames and 23 ms audio, [from, to).
  void av(uint32_t from, uint32_t to, int gop, uint32_t offset = 0) {
    uint32_t a = from;
    for (uint32_t t = from; t < to; t += 40) {
      for (; a <= t; a += 23) audio(a - from + offset, aac_frame());
      bool key = ((t - from) / 40) % uint32_t(gop) == 0;
      now = t;
      video(t - from + offset, avc_frame(key));
    }
  }
  size_t count(EventKind k) const {
    size_t n = 0;
    for (const auto& e : events) n += e.kind == k;
    return n;
  }
  std::vector<uint32_t> durations() const {
    std::vector<uint32_t> d;
    for (const auto& e : events)
      if (e.kind == EventKind::kSegment) d.push_back(e.duration_ms);
    return d;
  }
};

SegmenterConfig config(uint32_t fragment_ms, uint32_t window_ms = 60000) {
  SegmenterConfig c;
  c.app = "live";
  c.stream = "cam";
  c.fragment_ms = fragment_ms;
  c.window_ms = window_ms;
  return c;
}

bool starts_with_keyframe(const std::vector<uint8_t>& ts) {
  for (const auto& p : ts_pes(ts))
    if (p.pid == 0x100) return p.rai;
  return false;
}

}  // namespace

TEST_CASE("the target duration is ceil(fragment x td_ratio), fixed") {
  CHECK(Segmenter::target_duration_for(config(10000)) == 15);
  CHECK(Segmenter::target_duration_for(config(2000)) == 3);
  auto c = config(4000);
  c.td_ratio = 1.0;
  CHECK(Segmenter::target_duration_for(c) == 4);
  c.fragment_ms = 100;
  CHECK(Segmenter::target_duration_for(c) == 1);
  CHECK(Segmenter::validate(config(2000)).is_ok());
  c = config(2000);
  c.app = "..";
  CHECK_FALSE(Segmenter::validate(c).is_ok());
  c = config(2000);
  c.ts_template = "[app]/x.ts";
  CHECK_FALSE(Segmenter::validate(c).is_ok());
}

TEST_CASE("segments are cut on keyframes once the fragment has passed, and start with one") {
  Stream s(config(3000));
  s.headers();
  s.av(0, 12040, 50);  // keyframes every 2 s: cuts at 4, 8, 12 s
  CHECK(s.durations() == std::vector<uint32_t>{4000, 4000, 4000});
  CHECK(s.count(EventKind::kForcedCut) == 0);
  for (int i = 0; i < 3; ++i) {
    auto& ts = s.fs.files["live/cam-" + std::to_string(i) + ".ts"];
    REQUIRE(ts.size() % 188 == 0);
    CHECK(ts[0] == 0x47);
    CHECK(starts_with_keyframe(ts));
  }
  std::string m3u8 = s.fs.text("live/cam.m3u8");
  CHECK(m3u8.find("#EXT-X-TARGETDURATION:5\n") != std::string::npos);
  CHECK(m3u8.find("#EXTINF:4.000,\ncam-2.ts\n") != std::string::npos);
  CHECK(s.fs.open_tmp == "live/cam-3.ts.tmp");
}

TEST_CASE("frames before the first keyframe are dropped") {
  Stream s(config(2000));
  s.headers();
  s.audio(0, aac_frame());
  s.video(0, avc_frame(false));
  CHECK(s.count(EventKind::kDropped) == 2);
  CHECK(s.fs.open_tmp.empty());
  s.video(40, avc_frame(true));
  CHECK(s.fs.open_tmp == "live/cam-0.ts.tmp");
}

TEST_CASE("without a keyframe in time, a forced cut keeps every EXTINF within the target") {
  Stream s(config(2000));  // target 3 s; keyframes only every 10 s
  s.headers();
  s.av(0, 20000, 250);
  CHECK(Segmenter::target_duration_for(config(2000)) == 3);
  CHECK(s.count(EventKind::kForcedCut) >= 5);
  CHECK(s.seg.stats().forced_cuts == s.count(EventKind::kForcedCut));
  for (uint32_t d : s.durations()) {
    CHECK(d <= 3000);
    CHECK(d >= 2900);  // cut as late as possible
  }
  std::string m3u8 = s.fs.text("live/cam.m3u8");
  CHECK(m3u8.find("#EXT-X-TARGETDURATION:3\n") != std::string::npos);  // never changed
}

TEST_CASE("pure audio is cut every fragment on any frame") {
  Stream s(config(2000));
  s.headers(false);
  for (uint32_t t = 0; t < 7000; t += 23) {
    s.now = t;
    s.audio(t, aac_frame());
  }
  auto d = s.durations();
  REQUIRE(d.size() == 3);
  for (uint32_t x : d) CHECK(std::abs(int(x) - 2000) < 23);
  auto pes = ts_pes(s.fs.files["live/cam-1.ts"]);
  REQUIRE(!pes.empty());
  CHECK(pes[0].pid == 0x101);
  CHECK(pes[0].pcr);
}

TEST_CASE("a republish continues the sequence with a DISCONTINUITY") {
  auto cfg = config(2000, 6000);
  Stream a(cfg);
  a.headers();
  a.av(0, 8040, 50);
  a.seg.on_unpublish(8100, false, a.out);
  a.take();
  CHECK(a.fs.open_tmp.empty());
  CHECK(a.durations().size() == 5);
  PlaylistState saved = a.seg.take_state();
  uint64_t next = saved.next_sequence;
  uint64_t first = saved.media_sequence;

  Stream b(cfg, std::move(saved));
  b.fs = a.fs;
  b.now = 9000;
  b.headers();
  b.av(0, 4040, 50);  // timestamps start again at 0
  CHECK(b.count(EventKind::kDiscontinuity) == 1);
  std::string m3u8 = b.fs.text("live/cam.m3u8");
  std::string disc = "#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\ncam-" + std::to_string(next) + ".ts\n";
  CHECK(m3u8.find(disc) != std::string::npos);
  CHECK(b.seg.state().media_sequence >= first);
}

TEST_CASE("a changed sequence header or a timestamp jump starts a discontinuity") {
  SUBCASE("new codec parameters") {
    Stream s(config(2000));
    s.headers();
    s.av(0, 1000, 50);
    auto hdr = avc_sequence_header();
    hdr.back() ^= 1;  // a different PPS
    s.video(1000, hdr);
    s.video(1000, avc_frame(true));
    CHECK(s.count(EventKind::kDiscontinuity) == 1);
    CHECK(s.durations() == std::vector<uint32_t>{1000});
  }
  SUBCASE("timestamps jump back") {
    Stream s(config(2000));
    s.headers();
    s.av(0, 1000, 50);
    s.video(100, avc_frame(true));
    CHECK(s.count(EventKind::kDiscontinuity) == 1);
  }
  SUBCASE("the same sequence header again is not a discontinuity") {
    Stream s(config(2000));
    s.headers();
    s.av(0, 1000, 50);
    s.headers();
    s.av(1000, 5000, 50, 1000);
    CHECK(s.count(EventKind::kDiscontinuity) == 0);
  }
}

TEST_CASE("old segments are deleted only when due, with deletions on the caller's clock") {
  Stream s(config(2000, 4000));  // target 3 s: the window keeps >= 9 s
  s.headers();
  s.av(0, 30040, 50);
  auto& st = s.seg.state();
  CHECK(st.media_sequence > 0);
  uint64_t total = 0;
  for (const auto& x : st.segments) total += x.duration_ms;
  CHECK(total >= 9000);
  CHECK(total < 9000 + 2000);
  // Segment 0 left when segment 5 closed (t = 12 s): due 2 s (its duration)
  // + 12 s (the playlist before its removal) later, at 26 s; segment 1 at 28 s,
  // segment 2 at 30 s, the last timestamp given.
  CHECK(s.fs.deleted ==
        std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts", "live/cam-2.ts"});
  CHECK(s.fs.files.count("live/cam-" + std::to_string(st.media_sequence - 1) + ".ts") ==
        1);  // not yet due
  s.seg.tick(1000000, s.out);
  s.take();
  CHECK(s.fs.files.count("live/cam-" + std::to_string(st.media_sequence - 1) + ".ts") == 0);
  s.seg.dispose(s.out);
  s.take();
  CHECK(s.fs.files.size() == 0);
}

TEST_CASE("EXT-X-ENDLIST only when asked at unpublish") {
  Stream s(config(2000));
  s.headers();
  s.av(0, 4040, 50);
  s.seg.on_unpublish(5000, true, s.out);
  s.take();
  CHECK(s.fs.text("live/cam.m3u8").ends_with("#EXT-X-ENDLIST\n"));
}

TEST_CASE("a video codec MPEG-TS does not carry here is reported once and audio goes on alone") {
  Stream s(config(2000));
  s.audio(0, aac_sequence_header());
  for (uint32_t t = 0; t < 4600; t += 23) {
    s.audio(t, aac_frame());
    if (t % 46 == 0) s.video(t, {0x14, 0, 1, 2});  // VP6
  }
  CHECK(s.count(EventKind::kMuxError) == 1);
  CHECK(s.seg.stats().mux_errors > 40);
  CHECK(s.durations().size() == 2);  // pure-audio cuts, at the fragment, not at VP6 keyframes
  for (uint32_t d : s.durations()) CHECK(d >= 2000);
}

TEST_CASE("frames before their sequence header open no segment") {
  Stream s(config(2000));
  s.video(0, avc_frame(true));
  s.audio(0, aac_frame());
  CHECK(s.fs.open_tmp.empty());
  CHECK(s.count(EventKind::kMuxError) == 2);
  s.headers();
  s.video(40, avc_frame(true));
  CHECK(s.fs.open_tmp == "live/cam-0.ts.tmp");
}
