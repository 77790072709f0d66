// The ffmpeg command lines of transcode and ingest (master/ffmpeg_args.cpp).
#include "master/ffmpeg_args.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace srs::master;
using srs::conf::FfmpegConfig;
using srs::conf::IngestConfig;
using srs::conf::TranscodeEngine;
using Args = std::vector<std::string>;

namespace {

const Args kHead{"ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning"};

Args with_head(const Args& rest) {
  Args a = kHead;
  a.insert(a.end(), rest.begin(), rest.end());
  return a;
}

}  // namespace

TEST_CASE("transcode: every engine setting, in order, then the output") {
  TranscodeEngine e;
  e.vbitrate = 800;
  e.vfps = 29.97;
  e.width = 640;
  e.height = 360;
  e.vprofile = "main";
  e.vpreset = "veryfast";
  e.filters = "hflip";
  e.vparams = {{"g", "50"}, {"-bf", "0"}};
  e.abitrate = 64;
  e.asample_rate = 44100;
  e.achannels = 2;
  e.aparams = {{"strict", "-2"}};
  CHECK(transcode_args(FfmpegConfig{}, e, "rtmp://in", "rtmp://out") ==
        with_head({"-i",      "rtmp://in", "-c:v",      "libx264", "-b:v",       "800k",
                   "-r",      "29.97",     "-s",        "640x360", "-profile:v", "main",
                   "-preset", "veryfast",  "-vf",       "hflip",   "-g",         "50",
                   "-bf",     "0",         "-c:a",      "aac",     "-b:a",       "64k",
                   "-ar",     "44100",     "-ac",       "2",       "-strict",    "-2",
                   "-f",      "flv",       "rtmp://out"}));
}

TEST_CASE("transcode: copy ignores the encoder settings, none drops the track") {
  TranscodeEngine e;
  e.vcodec = "copy";
  e.vbitrate = 800;
  e.acodec = "none";
  e.abitrate = 64;
  FfmpegConfig f;
  f.program = "/opt/ffmpeg";
  f.log_level = "info";
  CHECK(transcode_args(f, e, "in", "out") == Args{"/opt/ffmpeg", "-hide_banner", "-nostdin",
                                                  "-nostats", "-loglevel", "info", "-i", "in",
                                                  "-c:v", "copy", "-an", "-f", "flv", "out"});
  e.vcodec = "none";
  e.acodec = "copy";
  CHECK(transcode_args(FfmpegConfig{}, e, "in", "out") ==
        with_head({"-i", "in", "-vn", "-c:a", "copy", "-f", "flv", "out"}));
}

TEST_CASE("ingest: a file is read at its rate and looped; a URL is not; no engine copies") {
  IngestConfig i;
  i.input = "/media/a.flv";
  i.loop = true;
  CHECK(ingest_args(FfmpegConfig{}, i, nullptr, "rtmp://out") ==
        with_head({"-re", "-stream_loop", "-1", "-i", "/media/a.flv", "-c", "copy", "-f", "flv",
                   "rtmp://out"}));
  i.loop = false;
  CHECK(ingest_args(FfmpegConfig{}, i, nullptr, "o") ==
        with_head({"-re", "-i", "/media/a.flv", "-c", "copy", "-f", "flv", "o"}));
  i.input = "rtsp://cam/s";
  i.loop = true;  // a live URL has no end to loop from
  TranscodeEngine e;
  e.vcodec = "libx264";
  e.acodec = "none";
  CHECK(ingest_args(FfmpegConfig{}, i, &e, "o") ==
        with_head({"-i", "rtsp://cam/s", "-c:v", "libx264", "-an", "-f", "flv", "o"}));
}
