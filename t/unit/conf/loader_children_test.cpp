// The loader's ffmpeg section and vhosts.NAME.{transcode, ingest, exec}
// (conf/loader.cpp).
#include <doctest/doctest.h>

#include <string>

#include "conf/config.hpp"

using namespace srs::conf;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("ffmpeg, transcode, ingest and exec load") {
  LoadResult r = load_text(
      "ffmpeg: {program: /usr/bin/ffmpeg, log_dir: /var/log/srs, log_level: info, "
      "stall_timeout: 5s}\n"
      "vhosts:\n"
      "  v:\n"
      "    transcode:\n"
      "      enabled: true\n"
      "      apply: [live/*]\n"
      "      engines:\n"
      "        hd: {vcodec: libx264, vbitrate: 800, vfps: 29.97, size: 640x360, vprofile: main,\n"
      "             vpreset: veryfast, vparams: {g: 50, -bf: 0}, acodec: aac, abitrate: 64,\n"
      "             asample_rate: 44100, achannels: 2, aparams: {strict: -2}, filters: hflip,\n"
      "             output: \"rtmp://127.0.0.1:[port]/[app]/[stream]_[engine]\"}\n"
      "        off: {enabled: false, vcodec: copy, acodec: none}\n"
      "    ingest:\n"
      "      cam1: {input: \"rtsp://10.0.0.5/s\", stream: live/cam1, engine: hd}\n"
      "      file: {input: /media/a.flv, loop: true, stream: live/file, enabled: false}\n"
      "    exec:\n"
      "      on_publish: \"/bin/notify '[app] x' [stream]\"\n"
      "      on_unpublish: [\"/bin/a\", \"/bin/b [vhost]\"]\n",
      "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.ffmpeg.program == "/usr/bin/ffmpeg");
  CHECK(c.ffmpeg.log_dir == "/var/log/srs");
  CHECK(c.ffmpeg.log_level == "info");
  CHECK(c.ffmpeg.stall_timeout == Duration{5000});
  const VhostConfig& v = c.vhosts.at(0);
  CHECK(v.transcode.enabled);
  CHECK(v.transcode.apply == std::vector<StreamPattern>{{"live", "*"}});
  REQUIRE(v.transcode.engines.size() == 2);
  const TranscodeEngine& hd = v.transcode.engines[0];
  CHECK(hd.name == "hd");
  CHECK(hd.vbitrate == 800);
  CHECK(hd.vfps == doctest::Approx(29.97));
  CHECK((hd.width == 640 && hd.height == 360));
  CHECK(hd.vparams == std::vector<std::pair<std::string, std::string>>{{"g", "50"}, {"-bf", "0"}});
  CHECK(hd.aparams == std::vector<std::pair<std::string, std::string>>{{"strict", "-2"}});
  CHECK(hd.filters == "hflip");
  CHECK(hd.output == "rtmp://127.0.0.1:[port]/[app]/[stream]_[engine]");
  CHECK_FALSE(v.transcode.engines[1].enabled);
  REQUIRE(v.ingests.size() == 2);
  CHECK(v.ingests[0].name == "cam1");
  CHECK(v.ingests[0].engine == "hd");
  CHECK(v.ingests[1].loop);
  CHECK_FALSE(v.ingests[1].enabled);
  REQUIRE(v.exec.on_publish.size() == 1);
  CHECK(v.exec.on_publish[0] == std::vector<std::string>{"/bin/notify", "[app] x", "[stream]"});
  REQUIRE(v.exec.on_unpublish.size() == 2);
  CHECK(v.exec.on_unpublish[1] == std::vector<std::string>{"/bin/b", "[vhost]"});
}

TEST_CASE("the defaults: no children, ffmpeg from PATH, output to this server") {
  LoadResult r = load_text("vhosts: {v: {}}\n", "test.yaml");
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.ffmpeg.program == "ffmpeg");
  CHECK(c.ffmpeg.log_level == "warning");
  CHECK(c.ffmpeg.stall_timeout == Duration{10000});
  const VhostConfig& v = c.vhosts.at(0);
  CHECK_FALSE(v.transcode.enabled);
  CHECK(v.transcode.engines.empty());
  CHECK(v.ingests.empty());
  CHECK(v.exec.on_publish.empty());
  TranscodeEngine e;
  CHECK(e.output == "rtmp://[host]:[port]/[app]/[stream]_[engine]?vhost=[vhost]");
}

TEST_CASE("children errors: each says where and what") {
  LoadResult r = load_text(
      "ffmpeg: {program: \"\", log_level: loud, stall_timeout: 0s}\n"
      "vhosts:\n"
      "  v:\n"
      "    transcode:\n"
      "      enabled: true\n"
      "      apply: [live]\n"
      "      engines:\n"
      "        \"bad name\": {}\n"
      "        e1: {size: 641x360, vcodec: \"lib x264\", output: \"rtmp://h/[app]/[foo]\"}\n"
      "        e2: {vcodec: none, acodec: none, vparams: [a], output: \"http://x/y\"}\n"
      "    ingest:\n"
      "      i1: {stream: live}\n"
      "      i2: {input: x.flv, stream: live/x, engine: nope}\n"
      "    exec:\n"
      "      on_publish: \"echo 'open\"\n"
      "      on_unpublish: \"echo [engine]\"\n"
      "  w:\n"
      "    transcode: {enabled: true}\n",
      "test.yaml");
  std::string text = r.error_text();
  INFO(text);
  CHECK_FALSE(r.ok());
  CHECK(has(text, "test.yaml:1:"));
  CHECK(has(text, "ffmpeg.program: expected the ffmpeg program"));
  CHECK(has(text, "ffmpeg.log_level: expected one of ffmpeg's log levels"));
  CHECK(has(text, "ffmpeg.stall_timeout"));
  CHECK(has(text, "vhosts.v.transcode.apply[0]: expected app/stream, app/* or */*, got 'live'"));
  CHECK(has(text, "vhosts.v.transcode.engines.bad name: expected an engine name"));
  CHECK(has(text, "vhosts.v.transcode.engines.e1.size: expected WIDTHxHEIGHT with even numbers"));
  CHECK(has(text, "vhosts.v.transcode.engines.e1.vcodec: expected copy, none or an ffmpeg"));
  CHECK(has(text, "vhosts.v.transcode.engines.e1.output: unknown template '[foo]'"));
  CHECK(has(text,
            "vhosts.v.transcode.engines.e2.acodec: an engine with vcodec none and acodec "
            "none outputs nothing"));
  CHECK(has(text, "vhosts.v.transcode.engines.e2.vparams: expected a map of options to values"));
  CHECK(has(text, "vhosts.v.transcode.engines.e2.output: expected an rtmp:// URL template"));
  CHECK(has(text, "vhosts.v.ingest.i1.input: an ingest needs an input"));
  CHECK(has(text, "vhosts.v.ingest.i1.stream: expected app/stream"));
  CHECK(has(text, "vhosts.v.ingest.i2.engine: no engine 'nope' in this vhost's transcode.engines"));
  CHECK(has(text, "vhosts.v.exec.on_publish[0]: a ' quote is never closed"));
  CHECK(has(text, "test.yaml:16:21: vhosts.v.exec.on_unpublish[0]: unknown template '[engine]'"));
  CHECK(has(text,
            "vhosts.w.transcode.enabled: transcode is enabled but transcode.engines names "
            "no engine"));
}
