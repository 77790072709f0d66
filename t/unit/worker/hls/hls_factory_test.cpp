// HlsFactory as the output thread uses it, writing under a temporary HTTP
// root: the sinks of a publish write segments and a playlist; a republish
// of the key continues the media sequence (on this worker, and on another
// one from the playlist on disk); hls.dispose removes the files once the
// publisher left, unless the stream is live again (the shared registry says
// so); a takeover on this worker leaves the old publish's sink unheard.
#include "worker/hls/hls_factory.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "t/unit/shm/control_fixture.hpp"
#include "t/unit/worker/hls/hls_test_util.hpp"

using namespace srs;
using srs::worker::HlsFactory;

namespace {

struct Fixture {
  test::TempDir root;
  conf::Config config = test::hls_config(root.path);
  shm::Control control = test::make_control();
  HlsFactory factory{config, control};
  test::NoteBox mb;

  std::vector<std::string> files() const { return test::files_in(root.path); }
  std::string playlist() const { return test::read_text(root.path + "/live/cam.m3u8"); }
  // One publish of live/cam: `ms` of media, the clock starting at `now0`.
  void publish(uint32_t ms, uint64_t now0) {
    auto sink = factory.make(test::hls_event(config), mb);
    REQUIRE(sink);
    test::feed_av(*sink, 0, ms, now0);
    sink->on_finish(now0 + ms);
  }
};

}  // namespace

TEST_CASE("hls factory: a publish writes segments and a playlist under the HTTP root") {
  Fixture f;
  auto sink = f.factory.make(test::hls_event(f.config), f.mb);
  REQUIRE(sink);
  CHECK(f.mb.said("hls __defaultVhost__/live/cam: writing " + f.root.path + "/live/cam.m3u8"));
  test::feed_av(*sink, 0, 3000, 100000);
  CHECK(f.files() == std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts", "live/cam-2.ts.tmp",
                                              "live/cam.m3u8"});
  sink->on_tick(103000);
  sink->on_finish(103000);
  CHECK(f.files() == std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts", "live/cam-2.ts",
                                              "live/cam.m3u8"});
  std::string m3u8 = f.playlist();
  CHECK(m3u8.find("#EXT-X-MEDIA-SEQUENCE:0\n") != std::string::npos);
  CHECK(m3u8.find("#EXTINF:1.000,\ncam-0.ts\n#EXTINF:1.000,\ncam-1.ts\n") != std::string::npos);
  CHECK(m3u8.find("cam-2.ts\n") != std::string::npos);
  auto ts = test::read_bytes(f.root.path + "/live/cam-1.ts");
  CHECK(ts.size() % 188 == 0);
  CHECK(ts.size() > 10 * 188);
}

TEST_CASE("hls factory: an output that is off, or a path that is unsafe, gives no sink") {
  Fixture f;
  f.config.vhosts[0].hls.enabled = false;
  CHECK(f.factory.make(test::hls_event(f.config), f.mb) == nullptr);
  f.config.vhosts[0].hls.enabled = true;
  f.config.vhosts[0].hls.m3u8_file = "../[stream].m3u8";
  CHECK(f.factory.make(test::hls_event(f.config), f.mb) == nullptr);
  CHECK(f.mb.said("hls __defaultVhost__/live/cam: disabled for this stream: "));
  CHECK(f.mb.notes.back().level == base::LogLevel::kWarn);
  CHECK(f.files().empty());
}

TEST_CASE("hls factory: a republish continues the media sequence after a discontinuity") {
  Fixture f;
  f.publish(3000, 100000);  // segments 0, 1, 2
  f.publish(2000, 110000);  // timestamps from 0 again: segments 3, 4
  CHECK(f.files() == std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts", "live/cam-2.ts",
                                              "live/cam-3.ts", "live/cam-4.ts", "live/cam.m3u8"});
  std::string m3u8 = f.playlist();
  CHECK(m3u8.find("#EXT-X-MEDIA-SEQUENCE:0\n") != std::string::npos);
  CHECK(m3u8.find("cam-2.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.000,\ncam-3.ts\n") !=
        std::string::npos);
  CHECK_FALSE(f.mb.said("continuing"));  // the same HlsStream, not the file

  // The publisher comes back on another worker: its factory reads the playlist.
  HlsFactory other(f.config, f.control);
  test::NoteBox mb2;
  auto sink = other.make(test::hls_event(f.config), mb2);
  REQUIRE(sink);
  CHECK(mb2.said("hls __defaultVhost__/live/cam: continuing " + f.root.path +
                 "/live/cam.m3u8 from media sequence 5"));
  test::feed_av(*sink, 0, 1000, 120000);
  sink->on_finish(121000);
  m3u8 = f.playlist();
  CHECK(m3u8.find("cam-4.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.000,\ncam-5.ts\n") !=
        std::string::npos);
  CHECK(m3u8.find("cam-0.ts\n") != std::string::npos);  // the window keeps the old ones
}

TEST_CASE("hls factory: hls.dispose after the publisher left removes the playlist and segments") {
  Fixture f;
  f.publish(3000, 100000);  // finished at 103000: disposed from 108000
  REQUIRE(f.files().size() == 4);
  f.factory.on_tick(107999, f.mb);
  CHECK(f.files().size() == 4);
  CHECK_FALSE(f.mb.said("disposed"));
  f.factory.on_tick(108000, f.mb);
  CHECK(f.files().empty());
  CHECK(f.mb.said("hls __defaultVhost__/live/cam: disposed (playlist and segments removed)"));

  // Forgotten: the next publish starts a new playlist.
  f.publish(1000, 200000);
  CHECK(f.files() == std::vector<std::string>{"live/cam-0.ts", "live/cam.m3u8"});
}

TEST_CASE("hls factory: a republish before the dispose time keeps the files") {
  Fixture f;
  f.publish(3000, 100000);
  auto sink = f.factory.make(test::hls_event(f.config), f.mb);  // back at 104000
  REQUIRE(sink);
  test::feed_av(*sink, 0, 1000, 104000);
  f.factory.on_tick(120000, f.mb);  // long past 108000, but live again
  CHECK_FALSE(f.mb.said("disposed"));
  CHECK(f.files().size() == 5);  // 0-2, the open 3, the playlist
}

TEST_CASE("hls factory: a stream live again on another worker is not disposed") {
  Fixture f;
  f.publish(3000, 100000);
  // Another worker publishes the key (its HLS writes the same files now).
  auto ref = f.control.registry().publish("__defaultVhost__/live/cam", shm::Owner{5, 4242});
  REQUIRE(ref.is_ok());
  f.factory.on_tick(108000, f.mb);
  CHECK_FALSE(f.mb.said("disposed"));
  CHECK(f.files().size() == 4);
  // The entry is gone all the same: a publish here later reads the playlist on disk.
  auto sink = f.factory.make(test::hls_event(f.config), f.mb);
  REQUIRE(sink);
  CHECK(f.mb.said("continuing " + f.root.path + "/live/cam.m3u8 from media sequence 3"));
}

TEST_CASE("hls factory: after a takeover on this worker, the old publish's sink is not heard") {
  Fixture f;
  auto old_sink = f.factory.make(test::hls_event(f.config), f.mb);
  auto new_sink = f.factory.make(test::hls_event(f.config), f.mb);
  REQUIRE(old_sink);
  REQUIRE(new_sink);
  test::feed_av(*old_sink, 0, 3000, 100000);
  CHECK(f.files().empty());
  old_sink->on_finish(103000);  // does not end the stream the new publish feeds
  test::feed_av(*new_sink, 0, 2000, 103000);
  CHECK(f.files() ==
        std::vector<std::string>{"live/cam-0.ts", "live/cam-1.ts.tmp", "live/cam.m3u8"});
  f.factory.on_tick(200000, f.mb);  // live: nothing disposed
  CHECK(f.files().size() == 3);
}
