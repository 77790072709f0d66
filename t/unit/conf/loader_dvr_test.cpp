// The loader's vhosts.NAME.dvr keys and http_hooks.on_dvr (conf/loader.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "conf/config.hpp"

using namespace srs::conf;

TEST_CASE("dvr and on_dvr load") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  v:\n"
      "    dvr: {enabled: true, path: \"/rec/[stream].flv\", plan: segment, duration: 2s}\n"
      "    http_hooks: {on_dvr: \"http://127.0.0.1:8085/api/v1/dvrs\"}\n",
      "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const VhostConfig& v = r.config->vhosts.at(0);
  CHECK(v.dvr.enabled);
  CHECK(v.dvr.path == "/rec/[stream].flv");
  CHECK(v.dvr.plan == DvrPlan::kSegment);
  CHECK(v.dvr.duration == Duration{2000});
  REQUIRE(v.http_hooks.on_dvr.size() == 1);
  CHECK(v.http_hooks.on_dvr[0].port == 8085);
}

TEST_CASE("dvr errors: plan, duration range, empty path, bad on_dvr URL") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  v:\n"
      "    dvr: {plan: append, duration: 0s, path: \"x.mp4\"}\n"
      "    http_hooks: {on_dvr: \"ftp://x\"}\n"
      "  w:\n"
      "    dvr: {path: \"\"}\n",
      "test.yaml");
  std::string text = r.error_text();
  INFO(text);
  CHECK_FALSE(r.ok());
  CHECK(text.find("vhosts.v.dvr.plan: expected one of session, segment, got 'append'") !=
        std::string::npos);
  CHECK(text.find("vhosts.v.dvr.duration") != std::string::npos);
  CHECK(text.find("vhosts.v.dvr.path") == std::string::npos);  // an MP4 path is fine
  CHECK(text.find("vhosts.v.http_hooks.on_dvr") != std::string::npos);
  CHECK(text.find("vhosts.w.dvr.path: expected a file path") != std::string::npos);
}

TEST_CASE("dvr.apply: app/stream patterns; absent or empty: every stream") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  v:\n"
      "    dvr: {enabled: true, path: \"/rec/[stream].mp4\", apply: [live/cam, \"vod/*\", "
      "\"*/x\"]}\n"
      "  w:\n"
      "    dvr: {enabled: true}\n"
      "  x:\n"
      "    dvr: {apply: []}\n",
      "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const DvrConfig& v = r.config->vhosts.at(0).dvr;
  CHECK(v.path == "/rec/[stream].mp4");
  REQUIRE(v.apply.size() == 3);
  CHECK(v.apply[0] == StreamPattern{"live", "cam"});
  CHECK(v.apply[1] == StreamPattern{"vod", "*"});
  CHECK(v.applies_to("live", "cam"));
  CHECK_FALSE(v.applies_to("live", "cam2"));
  CHECK_FALSE(v.applies_to("Live", "cam"));
  CHECK(v.applies_to("vod", "anything"));
  CHECK(v.applies_to("other", "x"));
  const DvrConfig& w = r.config->vhosts.at(1).dvr;
  CHECK(w.apply.empty());
  CHECK(w.applies_to("any", "stream"));
  CHECK(r.config->vhosts.at(2).dvr.apply.empty());  // as the reference file writes it
}

TEST_CASE("dvr.apply errors name the entry with file:line:column") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  v:\n"
      "    dvr:\n"
      "      apply:\n"
      "        - live/cam\n"
      "        - livecam\n"
      "        - \"live/ca*\"\n"
      "        - /cam\n"
      "        - live/a/b\n"
      "        - {app: live}\n"
      "  x:\n"
      "    dvr: {apply: live}\n",
      "test.yaml");
  std::string text = r.error_text();
  INFO(text);
  CHECK_FALSE(r.ok());
  CHECK(text.find("test.yaml:6:11: vhosts.v.dvr.apply[1]: expected app/stream, app/* or */*, "
                  "got 'livecam'") != std::string::npos);
  CHECK(text.find("test.yaml:7:11: vhosts.v.dvr.apply[2]: expected app/stream, app/* or */*, got "
                  "'live/ca*': a * inside the stream name (a * stands for a whole name)") !=
        std::string::npos);
  CHECK(text.find("test.yaml:8:11: vhosts.v.dvr.apply[3]: expected app/stream, app/* or */*, got "
                  "'/cam': an empty app name") != std::string::npos);
  CHECK(text.find("test.yaml:9:11: vhosts.v.dvr.apply[4]: expected app/stream") !=
        std::string::npos);
  CHECK(text.find("test.yaml:10:11: vhosts.v.dvr.apply[5]: expected an app/stream pattern, got a "
                  "map") != std::string::npos);
  CHECK(text.find("vhosts.v.dvr.apply[0]") == std::string::npos);
  // One pattern alone is a list of one, as for the other list keys.
  CHECK(text.find("test.yaml:12:18: vhosts.x.dvr.apply[0]: expected app/stream, app/* or */*, "
                  "got 'live'") != std::string::npos);
}

TEST_CASE("dvr.apply: one pattern alone is a list of one") {
  LoadResult r = load_text("vhosts: {v: {dvr: {apply: live/cam}}}\n", "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(r.config->vhosts.at(0).dvr.apply == std::vector<StreamPattern>{{"live", "cam"}});
}
