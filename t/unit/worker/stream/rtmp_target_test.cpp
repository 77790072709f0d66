// Where one published stream is forwarded: a configured destination made
// concrete for the publisher's app, stream and parameters, its templates
// expanded, the tcUrl naming a non-default vhost as SRS does.
#include "worker/stream/rtmp_target.hpp"

#include <doctest/doctest.h>

#include <string>

#include "conf/config.hpp"
#include "conf/rtmp_url.hpp"

using srs::conf::kDefaultVhost;
using srs::conf::parse_rtmp_url;
using srs::conf::RtmpUrl;
using srs::worker::HookInfo;
using srs::worker::rtmp_target;
using srs::worker::RtmpTarget;

namespace {

RtmpUrl dest(const char* text) {
  RtmpUrl u;
  std::string problem = parse_rtmp_url(text, &u);
  INFO(text, " -> ", problem);
  REQUIRE(problem.empty());
  return u;
}

HookInfo source(std::string app, std::string stream, std::string param = "") {
  HookInfo s;
  s.vhost = "ignored.example.com";  // the vhost given apart is the one used
  s.app = std::move(app);
  s.stream = std::move(stream);
  s.param = std::move(param);
  return s;
}

RtmpTarget target(const char* d, const HookInfo& s, std::string_view vhost = kDefaultVhost) {
  return rtmp_target(dest(d), s, vhost);
}

}  // namespace

TEST_CASE("forward target: host:port keeps the stream's app, name and parameters") {
  RtmpTarget t = target("127.0.0.2:1935", source("live", "cam", "?token=x"));
  CHECK(t.host == "127.0.0.2");
  CHECK(t.port == 1935);
  CHECK(t.app == "live");
  CHECK(t.stream == "cam?token=x");
  CHECK(t.tc_url == "rtmp://127.0.0.2:1935/live");
  CHECK(t.url == "rtmp://127.0.0.2:1935/live/cam?token=***");  // logs and the API: redacted

  RtmpTarget plain = target("rtmp://origin:19350", source("live", "cam"));
  CHECK(plain.host == "origin");
  CHECK(plain.port == 19350);
  CHECK(plain.app == "live");
  CHECK(plain.stream == "cam");
  CHECK(plain.tc_url == "rtmp://origin:19350/live");
  CHECK(plain.url == "rtmp://origin:19350/live/cam");

  // The port is always written, the default one too.
  CHECK(target("origin", source("a", "b")).url == "rtmp://origin:1935/a/b");
}

TEST_CASE("forward target: an app alone keeps the stream's name and parameters") {
  RtmpTarget t = target("rtmp://b:1936/backup", source("live", "cam", "?token=x"));
  CHECK(t.host == "b");
  CHECK(t.port == 1936);
  CHECK(t.app == "backup");
  CHECK(t.stream == "cam?token=x");
  CHECK(t.tc_url == "rtmp://b:1936/backup");
  CHECK(t.url == "rtmp://b:1936/backup/cam?token=***");

  RtmpTarget templated = target("rtmp://b/[app]_hd", source("live", "cam"));
  CHECK(templated.app == "live_hd");
  CHECK(templated.stream == "cam");
  CHECK(templated.url == "rtmp://b:1935/live_hd/cam");
}

TEST_CASE("forward target: a full path is exactly what it says, templates expanded") {
  HookInfo s = source("live", "cam", "?token=x");
  RtmpTarget fixed = target("rtmp://b/other/name", s);
  CHECK(fixed.app == "other");
  CHECK(fixed.stream == "name");  // the publisher's parameters are not carried
  CHECK(fixed.url == "rtmp://b:1935/other/name");

  RtmpTarget t = target("rtmp://b/[app]_hd/[stream][param]", s);
  CHECK(t.app == "live_hd");
  CHECK(t.stream == "cam?token=x");
  CHECK(t.tc_url == "rtmp://b:1935/live_hd");
  CHECK(t.url == "rtmp://b:1935/live_hd/cam?token=***");

  RtmpTarget all = target("rtmp://b/[vhost]/[app]/[stream]", s, "v.example.com");
  CHECK(all.app == "v.example.com");
  CHECK(all.stream == "live/cam");
  CHECK(all.url == "rtmp://b:1935/v.example.com/live/cam");

  // Each template as often as written; text that merely looks like one after
  // an expansion is not expanded again.
  RtmpTarget twice = target("rtmp://b/x/[stream]-[stream]", source("a", "[app]"));
  CHECK(twice.stream == "[app]-[app]");
  CHECK(twice.app == "x");

  // The stream may hold '/'.
  CHECK(target("rtmp://b/x/y/[stream]", source("a", "s")).stream == "y/s");
}

TEST_CASE("forward target: the destination's query joins the stream's with '?' or '&'") {
  // No '?' yet in the stream: the query starts one.
  RtmpTarget q = target("rtmp://b/live/[stream]?k=1", source("live", "cam"));
  CHECK(q.stream == "cam?k=1");
  CHECK(q.url == "rtmp://b:1935/live/cam?k=1");
  // The publisher's parameters came first: the query follows with '&'.
  RtmpTarget amp = target("rtmp://b/live/[stream][param]?k=1", source("live", "cam", "?t=x"));
  CHECK(amp.stream == "cam?t=x&k=1");
  CHECK(amp.url == "rtmp://b:1935/live/cam?t=x&k=1");
  // No parameters to carry: [param] is nothing and '?' starts the query.
  CHECK(target("rtmp://b/live/[stream][param]?k=1", source("live", "cam")).stream == "cam?k=1");
  // Templates in the query are expanded too.
  RtmpTarget tq =
      target("rtmp://b/live/[stream]?from=[vhost]&app=[app]", source("live", "cam"), "v1");
  CHECK(tq.stream == "cam?from=v1&app=live");
  // An empty query ("...?") adds nothing.
  CHECK(target("rtmp://b/live/[stream]?", source("live", "cam")).stream == "cam");
}

TEST_CASE("forward target: tcUrl names the vhost only when it is not the default one") {
  HookInfo s = source("live", "cam");
  RtmpTarget def = target("rtmp://b/live", s, kDefaultVhost);
  CHECK(def.tc_url == "rtmp://b:1935/live");
  CHECK(def.url == "rtmp://b:1935/live/cam");
  RtmpTarget named = target("rtmp://b/live", s, "v.example.com");
  CHECK(named.tc_url == "rtmp://b:1935/live?vhost=v.example.com");
  CHECK(named.url == "rtmp://b:1935/live/cam");  // the URL does not carry it
  CHECK(target("rtmp://b/live", s, "").tc_url == "rtmp://b:1935/live?vhost=");
}

TEST_CASE("forward target: an IPv6 host is bracketed in the url and the tcUrl") {
  RtmpTarget t = target("[::1]:19350", source("live", "cam", "?a=b"), "v");
  CHECK(t.host == "::1");  // for the connector, without brackets
  CHECK(t.port == 19350);
  CHECK(t.tc_url == "rtmp://[::1]:19350/live?vhost=v");
  CHECK(t.url == "rtmp://[::1]:19350/live/cam?a=b");
  RtmpTarget full = target("rtmp://[2001:db8::2]/x/y", source("live", "cam"));
  CHECK(full.host == "2001:db8::2");
  CHECK(full.tc_url == "rtmp://[2001:db8::2]:1935/x");
  CHECK(full.url == "rtmp://[2001:db8::2]:1935/x/y");
}

// What a template puts in is never expanded again: a publisher's stream
// named "cam[param]" forwarded to rtmp://b/live/[stream] stays "cam[param]".
TEST_CASE("forward target: names holding template text are not expanded again") {
  RtmpTarget t = target("rtmp://b/live/[stream]", source("live", "cam[param]", "?token=x"));
  CHECK(t.stream == "cam[param]");
  CHECK(t.url == "rtmp://b:1935/live/cam[param]");
  RtmpTarget a = target("rtmp://b/[app]/x", source("a[stream]", "s"));
  CHECK(a.app == "a[stream]");
}
