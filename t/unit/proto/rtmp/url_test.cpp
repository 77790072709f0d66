// parse_stream_url and friends: a table of tcUrl + stream name cases covering
// every SRS rule (research/srs.md 1.7), then validation, keys and tcUrls.
#include "proto/rtmp/url.hpp"

#include <doctest/doctest.h>

#include <string>

namespace srs::proto::rtmp {
namespace {

struct Case {
  const char* tc_url;
  const char* stream;
  const char* schema;
  const char* host;
  int port;
  const char* vhost;
  const char* app;
  const char* name;
  const char* param;
};

const Case kCases[] = {
    // Plain forms, default port, host as vhost.
    {"rtmp://127.0.0.1/live", "livestream", "rtmp", "127.0.0.1", 1935, "127.0.0.1", "live",
     "livestream", ""},
    {"rtmp://127.0.0.1:19350/live", "livestream", "rtmp", "127.0.0.1", 19350, "127.0.0.1", "live",
     "livestream", ""},
    {"rtmp://ossrs.net/live", "cam", "rtmp", "ossrs.net", 1935, "ossrs.net", "live", "cam", ""},
    // Connect time: no stream yet.
    {"rtmp://h/live", "", "rtmp", "h", 1935, "h", "live", "", ""},
    // Connect time with a vhost in the tcUrl's query.
    {"rtmp://h/live?vhost=v.com", "", "rtmp", "h", 1935, "v.com", "live", "", "?vhost=v.com"},
    // vhost from the query: vhost= first, then domain=.
    {"rtmp://127.0.0.1/live?vhost=v.com", "s", "rtmp", "127.0.0.1", 1935, "v.com", "live", "s",
     "?vhost=v.com"},
    {"rtmp://127.0.0.1/live?domain=d.com", "s", "rtmp", "127.0.0.1", 1935, "d.com", "live", "s",
     "?domain=d.com"},
    {"rtmp://h/live?domain=d.com&vhost=v.com", "s", "rtmp", "h", 1935, "v.com", "live", "s",
     "?domain=d.com&vhost=v.com"},
    // The legacy ...vhost... form.
    {"rtmp://127.0.0.1/live...vhost...v.com", "s", "rtmp", "127.0.0.1", 1935, "v.com", "live", "s",
     "?vhost=v.com"},
    // Params in the stream name (publish/play), kept as the param.
    {"rtmp://h/live", "s?token=abc&vhost=v.com", "rtmp", "h", 1935, "v.com", "live", "s",
     "?token=abc&vhost=v.com"},
    {"rtmp://h/live", "s?k=v", "rtmp", "h", 1935, "h", "live", "s", "?k=v"},
    // Params in both: SRS puts the stream's first; only the tcUrl's are read for the vhost.
    {"rtmp://h/live?a=1", "s?b=2", "rtmp", "h", 1935, "h", "live", "s", "?b=2?a=1"},
    {"rtmp://h/live?vhost=t.com", "s?vhost=s.com", "rtmp", "h", 1935, "t.com", "live", "s",
     "?vhost=s.com?vhost=t.com"},
    // FMLE: rtmp://ip/app?k=v/stream and the '#' form.
    {"rtmp://h/live?k=v", "s", "rtmp", "h", 1935, "h", "live", "s", "?k=v"},
    {"rtmp://h/live#k=v", "s", "rtmp", "h", 1935, "h", "live", "s", "#k=v"},
    // _definst_ removed, in the tcUrl or the stream.
    {"rtmp://h/live/_definst_", "s", "rtmp", "h", 1935, "h", "live", "s", ""},
    {"rtmp://h/live", "_definst_/s", "rtmp", "h", 1935, "h", "live", "s", ""},
    // app = dirname, stream = basename; default app; multi-level app; slashes trimmed.
    {"rtmp://h", "s", "rtmp", "h", 1935, "h", "__defaultApp__", "s", ""},
    {"rtmp://h/", "s", "rtmp", "h", 1935, "h", "__defaultApp__", "s", ""},
    {"rtmp://h/a/b", "s", "rtmp", "h", 1935, "h", "a/b", "s", ""},
    {"rtmp://h/live/", "s", "rtmp", "h", 1935, "h", "live", "s", ""},
    {"rtmp://h/live", "/s", "rtmp", "h", 1935, "h", "live", "s", ""},
    {"rtmp://h/live", "sub/s", "rtmp", "h", 1935, "h", "live/sub", "s", ""},
    // The default vhost in the query means "the host"; alone, the param is dropped.
    {"rtmp://h/live?vhost=__defaultVhost__", "s", "rtmp", "h", 1935, "h", "live", "s", ""},
    {"rtmp://h/live?vhost=__defaultVhost__&k=v", "s", "rtmp", "h", 1935, "h", "live", "s",
     "?vhost=__defaultVhost__&k=v"},
    {"rtmp://__defaultVhost__/live", "s", "rtmp", "__defaultVhost__", 1935, "__defaultVhost__",
     "live", "s", ""},
    // SRS's query splitting treats ',', ';' and "&&" like '&' and '='.
    {"rtmp://h/live?k=v,vhost,v.com", "s", "rtmp", "h", 1935, "v.com", "live", "s",
     "?k=v,vhost,v.com"},
    {"rtmp://h/live?k=v;vhost=v.com", "s", "rtmp", "h", 1935, "v.com", "live", "s",
     "?k=v;vhost=v.com"},
    // Authority forms: user info, IPv6, other schemas and their default ports.
    {"rtmp://u:p@h:1936/live", "s", "rtmp", "h", 1936, "h", "live", "s", ""},
    {"rtmp://[::1]:1936/live", "s", "rtmp", "::1", 1936, "::1", "live", "s", ""},
    {"rtmp://[::1]/live", "s", "rtmp", "::1", 1935, "::1", "live", "s", ""},
    {"http://h/live", "s.flv", "http", "h", 80, "h", "live", "s.flv", ""},
    {"https://h/live", "s", "https", "h", 443, "h", "live", "s", ""},
    {"rtmps://h/live", "s", "rtmps", "h", 443, "h", "live", "s", ""},
};

TEST_CASE("url: SRS tcUrl + stream rules, table") {
  for (const Case& c : kCases) {
    INFO(c.tc_url << " + " << c.stream);
    auto r = parse_stream_url(c.tc_url, c.stream);
    REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
    CHECK(r->schema == c.schema);
    CHECK(r->host == c.host);
    CHECK(r->port == c.port);
    CHECK(r->vhost == c.vhost);
    CHECK(r->app == c.app);
    CHECK(r->stream == c.name);
    CHECK(r->param == c.param);
  }
}

TEST_CASE("url: malformed URLs get clear errors") {
  auto err = [](const char* tc, const char* stream) {
    auto r = parse_stream_url(tc, stream);
    return r.is_ok() ? std::string("ok") : std::string(r.status().what());
  };
  CHECK(err("live", "s") == "url: no schema");
  CHECK(err("://h/live", "s") == "url: no schema");
  CHECK(err("rtmp:///live", "s") == "url: no host");
  CHECK(err("rtmp://:1935/live", "s") == "url: no host");
  CHECK(err("rtmp://h:abc/live", "s") == "url: bad port");
  CHECK(err("rtmp://h:70000/live", "s") == "url: bad port");
  CHECK(err("rtmp://[::1/live", "s") == "url: no host");
  CHECK(err("rtmp://h/li ve", "s") == "url: invalid character");
  CHECK(err("rtmp://h/live", "s\r\n") == "url: invalid character");
  CHECK(err("rtmp://h/live", std::string("a\0b", 3).c_str()) == "ok");  // C string stops at NUL
  auto nul = parse_stream_url("rtmp://h/live", std::string_view("a\0b", 3));
  CHECK(std::string(nul.status().what()) == "url: invalid character");
}

TEST_CASE("url: query values with SRS's splitting") {
  CHECK(query_value("a=1&b=2", "b") == "2");
  CHECK(query_value("?a=1", "a") == "1");
  CHECK(query_value("x?a=1", "a") == "1");
  CHECK(query_value("a=&b=2", "a").empty());
  CHECK(query_value("a=&b=2", "b") == "2");
  CHECK(query_value("a=1&&b=2", "b") == "2");
  CHECK(query_value("a=1&a=2", "a") == "2");  // the last one wins
  CHECK(query_value("a", "a").empty());
  CHECK(query_value("", "a").empty());
}

TEST_CASE("url: validation says what is wrong") {
  auto v = [](std::string_view name) { return std::string(validate_stream_name(name).what()); };
  CHECK(validate_stream_name("livestream").is_ok());
  CHECK(validate_stream_name("cam-1_HD.v2").is_ok());
  CHECK(validate_stream_name(std::string(kMaxStreamName, 'a')).is_ok());
  CHECK(v("") == "stream name: empty");
  CHECK(v(std::string(kMaxStreamName + 1, 'a')) == "stream name: too long");
  CHECK(validate_stream_name(std::string(kMaxStreamName + 1, 'a')).code() == base::Errc::kTooLarge);
  CHECK(v("a\x01") == "stream name: control character");
  CHECK(v("a\x7f") == "stream name: control character");
  CHECK(v("a/b") == "stream name: slash");
  CHECK(v("a\\b") == "stream name: slash");
  CHECK(v(".") == "stream name: dot path");
  CHECK(v("..") == "stream name: dot path");

  auto ok = parse_stream_url("rtmp://h/live", "s");
  CHECK(validate_stream_url(ok.value()).is_ok());
  auto connect_time = parse_stream_url("rtmp://h/live", "");
  CHECK(std::string(validate_stream_url(connect_time.value()).what()) == "stream name: empty");
  StreamUrl no_vhost = ok.value();
  no_vhost.vhost.clear();
  CHECK(std::string(validate_stream_url(no_vhost).what()) == "url: no vhost");
  StreamUrl no_app = ok.value();
  no_app.app.clear();
  CHECK(std::string(validate_stream_url(no_app).what()) == "url: no app");
}

TEST_CASE("url: stream keys and client tcUrls") {
  CHECK(stream_key("__defaultVhost__", "live", "s") == "/live/s");
  CHECK(stream_key("v.com", "live", "s") == "v.com/live/s");
  CHECK(make_tc_url("rtmp", "h", "__defaultVhost__", "live", 1935) == "rtmp://h/live");
  CHECK(make_tc_url("rtmp", "h", "__defaultVhost__", "live", 19350) == "rtmp://h:19350/live");
  CHECK(make_tc_url("rtmp", "h", "v.com", "live", 0) == "rtmp://v.com/live");
  CHECK(make_tc_url("rtmp", "", "__defaultVhost__", "live", 1935) ==
        "rtmp://__defaultVhost__/live");
  // What an edge sends parses back to the same vhost/app.
  auto back = parse_stream_url(make_tc_url("rtmp", "origin", "v.com", "live", 19350), "s");
  REQUIRE(back.is_ok());
  CHECK(back->vhost == "v.com");
  CHECK(back->app == "live");
  CHECK(back->port == 19350);
}

}  // namespace
}  // namespace srs::proto::rtmp

TEST_CASE("redact_param: every token value masked, nothing else touched") {
  using srs::proto::rtmp::redact_param;
  CHECK(redact_param("?token=abc.def.ghi") == "?token=***");
  CHECK(redact_param("rtmp://h/live/cam?vhost=v&token=abc&x=1") ==
        "rtmp://h/live/cam?vhost=v&token=***&x=1");
  CHECK(redact_param("cam?token=a#frag") == "cam?token=***#frag");
  CHECK(redact_param("?token=a&token=b") == "?token=***&token=***");
  CHECK(redact_param("?mytoken=a&token") == "?mytoken=a&token");  // another name; no value
  CHECK(redact_param("") == "");
  CHECK(redact_param("?secret=s", "secret") == "?secret=***");
}
