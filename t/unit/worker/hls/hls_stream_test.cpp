// HlsStream carrying out its segmenter's file operations under a real
// folder: TS segments written as .tmp and renamed, the playlist, the on_hls
// note per closed segment, disposal, and a folder it cannot write.
#include "worker/hls/hls_stream.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "t/unit/worker/hls/hls_test_util.hpp"

using namespace srs;
using srs::worker::HlsStream;

namespace {

proto::hls::SegmenterConfig seg_config(uint32_t fragment_ms = 1000) {
  proto::hls::SegmenterConfig c;
  c.app = "live";
  c.stream = "cam";
  c.fragment_ms = fragment_ms;
  return c;
}

void feed(HlsStream& s, uint32_t ms, uint64_t now0) {
  auto avc = test::avc_sequence_header(), aac = test::aac_sequence_header();
  s.on_video(0, avc, now0);
  s.on_audio(0, aac, now0);
  uint32_t a = 0;
  for (uint32_t t = 0; t < ms; t += 40) {
    for (; a <= t; a += 23) s.on_audio(a, test::aac_frame(), now0 + a);
    s.on_video(t, test::avc_frame(t % 1000 == 0, 0, 400), now0 + t);
  }
}

}  // namespace

TEST_CASE("hls stream: segments are renamed when complete, with the playlist beside them") {
  test::TempDir root;
  test::NoteBox mb;
  HlsStream s("__defaultVhost__/live/cam", root.path, seg_config(), {}, mb);
  worker::HookInfo src;
  src.client_id = "pub00001";
  uint64_t token = s.publish(src, nullptr, "live/cam.m3u8");
  CHECK(s.owned_by(token));
  CHECK(s.live());
  feed(s, 2500, 1000);
  // Keyframes every second: two segments closed, the third still being written.
  CHECK(test::files_in(root.path) == std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts",
                                                              "live/cam-2.ts.tmp",
                                                              "live/cam.m3u8"});
  for (const char* name : {"live/cam-0.ts", "live/cam-1.ts"}) {
    CAPTURE(name);
    auto ts = test::read_bytes(root.path + "/" + name);
    REQUIRE(ts.size() % 188 == 0);
    REQUIRE_FALSE(ts.empty());
    CHECK(ts[0] == 0x47);
    auto pes = test::ts::ts_pes(ts);
    bool video_key = false, audio = false;
    for (const auto& p : pes) {
      if (p.pid == 0x100 && p.rai) video_key = true;
      if (p.pid == 0x101) audio = true;
    }
    CHECK(video_key);
    CHECK(audio);
  }
  std::string m3u8 = test::read_text(root.path + "/live/cam.m3u8");
  CHECK(m3u8.find("#EXTM3U\n") == 0);
  CHECK(m3u8.find("#EXT-X-MEDIA-SEQUENCE:0\n") != std::string::npos);
  CHECK(m3u8.find("#EXTINF:1.000,\ncam-0.ts\n#EXTINF:1.000,\ncam-1.ts\n") != std::string::npos);
  CHECK(mb.callbacks().empty());  // no vhost: no on_hls

  s.unpublish(4000);
  CHECK_FALSE(s.live());
  CHECK(test::files_in(root.path) == std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts",
                                                              "live/cam-2.ts", "live/cam.m3u8"});
  CHECK(test::read_text(root.path + "/live/cam.m3u8").find("cam-2.ts\n") != std::string::npos);

  s.dispose();
  CHECK(test::files_in(root.path).empty());
  CHECK(mb.said("hls __defaultVhost__/live/cam: disposed"));
  CHECK(mb.notes.back().cid == "pub00001");
}

TEST_CASE("hls stream: each closed segment posts on_hls with its file, URL, duration and number") {
  test::TempDir root;
  test::NoteBox mb;
  conf::VhostConfig vhost;
  vhost.name = "__defaultVhost__";
  vhost.http_hooks.enabled = true;
  conf::HookUrl url;
  REQUIRE(conf::parse_hook_url("http://127.0.0.1:8085/api/v1/hls", &url).empty());
  vhost.http_hooks.on_hls.push_back(url);
  HlsStream s("__defaultVhost__/live/cam", root.path, seg_config(), {}, mb);
  worker::HookInfo src;
  src.client_id = "pub00002";
  src.app = "live";
  src.stream = "cam";
  (void)s.publish(src, &vhost, "live/cam.m3u8");
  feed(s, 2500, 0);
  s.unpublish(3000);
  auto cbs = mb.callbacks();
  REQUIRE(cbs.size() == 3);
  for (uint64_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    const worker::OutputNote& n = cbs[i];
    std::string name = "live/cam-" + std::to_string(i) + ".ts";
    CHECK(n.hook == worker::HookEvent::kHls);
    CHECK(n.vhost == &vhost);
    CHECK(n.info.seq_no == i);
    CHECK(n.info.url == name);
    CHECK(n.info.file == root.path + "/" + name);
    CHECK(n.info.m3u8 == root.path + "/live/cam.m3u8");
    CHECK(n.info.m3u8_url == "live/cam.m3u8");
    CHECK(n.info.vhost == "__defaultVhost__");
    CHECK(n.info.client_id == "pub00002");
    CHECK_FALSE(n.info.cwd.empty());
  }
  CHECK(cbs[0].info.duration_s == doctest::Approx(1.0));
  CHECK(cbs[1].info.duration_s == doctest::Approx(1.0));
  CHECK(cbs[2].info.duration_s == doctest::Approx(0.5).epsilon(0.1));
}

TEST_CASE("hls stream: a root it cannot write to is logged, and HLS goes on") {
  test::TempDir tmp;
  { std::ofstream(tmp.path + "/blocker") << "a file where the HTTP root should be"; }
  test::NoteBox mb;
  HlsStream s("__defaultVhost__/live/cam", tmp.path + "/blocker", seg_config(), {}, mb);
  (void)s.publish({}, nullptr, "live/cam.m3u8");
  feed(s, 2500, 0);
  s.unpublish(3000);
  CHECK(mb.said("hls __defaultVhost__/live/cam: open(" + tmp.path +
                "/blocker/live/cam-0.ts.tmp) "
                "failed (Not a directory); HLS continues with the next segment (1 errors)"));
  size_t warnings = 0;
  for (const auto& n : mb.notes) warnings += n.level == base::LogLevel::kWarn;
  CHECK(warnings == 1);  // one line per hundred errors, not one per file operation
  CHECK(test::files_in(tmp.path) == std::vector<std::string>{"blocker"});
}
