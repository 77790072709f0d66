// The loader's vhosts.NAME.dvr keys and http_hooks.on_dvr (conf/loader.cpp).
#include <doctest/doctest.h>

#include <string>

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

TEST_CASE("dvr errors: plan, duration range, MP4 and empty paths, bad on_dvr URL") {
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
  CHECK(text.find("vhosts.v.dvr.path: MP4 recording is not supported") != std::string::npos);
  CHECK(text.find("vhosts.v.http_hooks.on_dvr") != std::string::npos);
  CHECK(text.find("vhosts.w.dvr.path: expected a file path") != std::string::npos);
}
