// SRS path templates, the path safety rule and segment URIs.
#include "proto/hls/path_template.hpp"

#include <doctest/doctest.h>

using namespace srs::proto::hls;

TEST_CASE("templates replace [vhost] [app] [stream] [seq] and keep other text") {
  PathVars v{"v.example", "live", "cam1", 42};
  CHECK(render_path("[app]/[stream]-[seq].ts", v) == "live/cam1-42.ts");
  CHECK(render_path("[vhost]/[app]/[stream].m3u8", v) == "v.example/live/cam1.m3u8");
  CHECK(render_path("[unknown][app]-[", v) == "[unknown]live-[");
}

TEST_CASE("a path that could leave the HLS root is unsafe") {
  CHECK(is_safe_path("live/cam1-1.ts"));
  CHECK_FALSE(is_safe_path(""));
  CHECK_FALSE(is_safe_path("/etc/passwd"));
  CHECK_FALSE(is_safe_path("live/../../x.ts"));
  CHECK_FALSE(is_safe_path("live//x.ts"));
  CHECK_FALSE(is_safe_path("./x.ts"));
  CHECK_FALSE(is_safe_path("live/"));
}

TEST_CASE("segment URIs are relative to the playlist's folder, or prefixed") {
  CHECK(segment_uri("live/cam1.m3u8", "live/cam1-3.ts", "") == "cam1-3.ts");
  CHECK(segment_uri("cam1.m3u8", "cam1-3.ts", "") == "cam1-3.ts");
  CHECK(segment_uri("live/cam1.m3u8", "ts/live/cam1-3.ts", "") == "/ts/live/cam1-3.ts");
  CHECK(segment_uri("live/cam1.m3u8", "live/cam1-3.ts", "http://cdn/") ==
        "http://cdn/live/cam1-3.ts");
}
