// Which children the configuration and the live streams call for
// (master/child_room.cpp's wanted_children and exec_children: pure).
#include "master/child_room.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace srs::master;
using srs::conf::Config;
using srs::conf::LoadResult;

namespace {

Config load(const std::string& yaml) {
  LoadResult r = srs::conf::load_text(yaml, "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  return *r.config;
}

const char* kTranscode =
    "rtmp: {listen: 19350}\n"
    "vhosts:\n"
    "  __defaultVhost__:\n"
    "    transcode:\n"
    "      enabled: true\n"
    "      apply: [live/*]\n"
    "      engines:\n"
    "        small: {size: 320x180}\n"
    "        off: {enabled: false}\n"
    "        away: {output: \"rtmp://10.0.0.9/[app]/[stream]\"}\n";

std::vector<LiveStream> live(std::initializer_list<const char*> keys) {
  std::vector<LiveStream> out;
  for (const char* k : keys) out.push_back({k, 1, true, 0});
  return out;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

TEST_CASE("transcode: one child per live stream and enabled engine, never of an output") {
  Config c = load(kTranscode);
  auto wanted =
      wanted_children(c,
                      live({"__defaultVhost__/live/cam", "__defaultVhost__/live/cam_small",
                            "__defaultVhost__/other/x"}),
                      {}, Credentials{});
  REQUIRE(wanted.size() == 2);
  const WantedChild& small = wanted.at("transcode __defaultVhost__/live/cam small");
  CHECK(small.input_key == "__defaultVhost__/live/cam");
  CHECK(small.output_key == "__defaultVhost__/live/cam_small");
  CHECK(small.spec.tags.kind == srs::shm::ChildKind::kTranscode);
  CHECK(small.spec.tags.name == "small");
  CHECK(small.spec.policy.quiet_after == 5);
  CHECK(joined(small.spec.argv).starts_with("ffmpeg -hide_banner"));
  CHECK(
      joined(small.spec.argv).find("-i rtmp://127.0.0.1:19350/live/cam -c:v libx264 -s 320x180") !=
      std::string::npos);
  CHECK(joined(small.spec.argv)
            .ends_with("-f flv rtmp://127.0.0.1:19350/live/cam_small?vhost=__defaultVhost__"));
  // An output elsewhere is not a stream of ours: no stall check, no loop guard.
  const WantedChild& away = wanted.at("transcode __defaultVhost__/live/cam away");
  CHECK(away.output_key.empty());
  // cam_small is small's output: never transcoded. other/x is not applied.
  CHECK(wanted.count("transcode __defaultVhost__/live/cam_small small") == 0);
  CHECK(wanted.count("transcode __defaultVhost__/other/x small") == 0);
}

TEST_CASE("transcode: the output of a running transcoder stays one after its input ended") {
  Config c = load(kTranscode);
  auto wanted = wanted_children(c, live({"__defaultVhost__/live/cam_small"}),
                                {"__defaultVhost__/live/cam_small"}, Credentials{});
  CHECK(wanted.empty());
  wanted = wanted_children(c, live({"__defaultVhost__/live/cam_small"}), {}, Credentials{});
  CHECK(wanted.size() == 2);  // a stream a user published under that name is just a stream
}

TEST_CASE("ingest: one child per enabled ingest, publishing to this server's first listener") {
  Config c = load(
      "rtmp: {listen: [\"127.0.0.3:1940\", 1941]}\n"
      "ffmpeg: {log_dir: /var/log/srs}\n"
      "vhosts:\n"
      "  v:\n"
      "    transcode: {engines: {x: {vcodec: copy, acodec: none}}}\n"
      "    ingest:\n"
      "      cam: {input: \"rtsp://cam/s\", stream: live/cam, engine: x}\n"
      "      off: {input: a.flv, stream: live/off, enabled: false}\n"
      "  w: {enabled: false, ingest: {i: {input: a.flv, stream: a/b}}}\n");
  auto wanted = wanted_children(c, {}, {}, Credentials{});
  REQUIRE(wanted.size() == 1);
  const WantedChild& cam = wanted.at("ingest v/cam");
  CHECK(cam.output_key == "v/live/cam");
  CHECK(cam.input_key.empty());
  CHECK(cam.spec.name == "ingest v/cam");
  CHECK(cam.spec.log_path == "/var/log/srs/ffmpeg-ingest-v-cam.log");
  CHECK(cam.spec.tags.source == "rtsp://cam/s");
  CHECK(joined(cam.spec.argv)
            .ends_with(
                "-i rtsp://cam/s -c:v copy -an -f flv rtmp://127.0.0.3:1940/live/cam?vhost=v"));
}

TEST_CASE("exec: each command's words expanded, run once, logged with the others") {
  Config c = load(
      "ffmpeg: {log_dir: /dev/null}\n"
      "vhosts:\n"
      "  v:\n"
      "    exec:\n"
      "      on_publish: [\"/bin/touch /tmp/[app]-[stream]\", \"/bin/echo '[vhost] [port]'\"]\n"
      "      on_unpublish: \"/bin/rm /tmp/[app]-[stream]\"\n");
  std::vector<ChildSpec> pub = exec_children(c, "on_publish", "v/live/a;b$(x)", Credentials{});
  REQUIRE(pub.size() == 2);
  CHECK(pub[0].argv == std::vector<std::string>{"/bin/touch", "/tmp/live-a;b$(x)"});
  CHECK(pub[1].argv == std::vector<std::string>{"/bin/echo", "v 1935"});
  CHECK(pub[0].once);
  CHECK(pub[0].log_path == "/dev/null");
  CHECK(pub[0].tags.kind == srs::shm::ChildKind::kExec);
  CHECK(pub[0].tags.source == "v/live/a;b$(x)");
  std::vector<ChildSpec> unpub = exec_children(c, "on_unpublish", "v/live/cam", Credentials{});
  REQUIRE(unpub.size() == 1);
  CHECK(unpub[0].argv == std::vector<std::string>{"/bin/rm", "/tmp/live-cam"});
  CHECK(exec_children(c, "on_publish", "other/live/cam", Credentials{}).empty());
}
