// The DVR path template.
#include "worker/dvr/dvr_path.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

using srs::worker::dvr_file_template;
using srs::worker::DvrPathVars;
using srs::worker::render_dvr_path;

TEST_CASE("the DVR path replaces the stream's names and the timestamp") {
  DvrPathVars v{"__defaultVhost__", "live", "cam1", 1420254068776};
  CHECK(render_dvr_path("./objs/nginx/html/[app]/[stream].[timestamp].flv", v) ==
        "./objs/nginx/html/live/cam1.1420254068776.flv");
  CHECK(render_dvr_path("/data/[vhost]/[app]-[stream].flv", v) ==
        "/data/__defaultVhost__/live-cam1.flv");
  CHECK(render_dvr_path("[unknown]/[stream][", v) == "[unknown]/cam1[");
  CHECK(render_dvr_path("plain.flv", v) == "plain.flv");
}

TEST_CASE("the DVR path's date variables are the local time of the timestamp") {
  DvrPathVars v{"v", "live", "cam1", 0};
  std::tm t{};
  t.tm_year = 2026 - 1900, t.tm_mon = 0, t.tm_mday = 2, t.tm_hour = 3, t.tm_min = 4, t.tm_sec = 5;
  t.tm_isdst = -1;
  v.now_ms = int64_t(std::mktime(&t)) * 1000 + 7;
  CHECK(render_dvr_path("[2006]-[01]-[02]/[15][04][05].[999].flv", v) ==
        "2026-01-02/030405.007.flv");
}

TEST_CASE("a DVR path that names a folder gets SRS's file name") {
  CHECK(dvr_file_template("./objs/dvr") == "./objs/dvr/[stream].[timestamp].flv");
  CHECK(dvr_file_template("./objs/dvr/") == "./objs/dvr/[stream].[timestamp].flv");
  CHECK(dvr_file_template("rec/[app]/[stream].flv") == "rec/[app]/[stream].flv");
}
