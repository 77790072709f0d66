// RTMP server addresses as an operator writes them under
// vhosts.NAME.forward.destinations: the accepted forms, the mistakes refused
// at load with what is wrong, and the loader putting both where they belong.
#include "conf/rtmp_url.hpp"

#include <doctest/doctest.h>

#include <string>

#include "conf/config.hpp"

using namespace srs::conf;

namespace {

RtmpUrl parsed(std::string_view text) {
  RtmpUrl u;
  std::string problem = parse_rtmp_url(text, &u);
  INFO(std::string(text), " -> ", problem);
  CHECK(problem.empty());
  return u;
}

// The problem reported for `text`; the output is left as it was.
std::string problem_of(std::string_view text) {
  RtmpUrl u;
  u.host = "untouched";
  std::string problem = parse_rtmp_url(text, &u);
  INFO(std::string(text), " -> ", problem);
  CHECK_FALSE(problem.empty());
  CHECK(u.host == "untouched");
  CHECK(u.port == 1935);
  CHECK(u.text.empty());
  return problem;
}

RtmpUrl url_of(std::string host, uint16_t port, std::string app, std::string stream,
               std::string query, std::string text) {
  RtmpUrl u;
  u.host = std::move(host);
  u.port = port;
  u.app = std::move(app);
  u.stream = std::move(stream);
  u.query = std::move(query);
  u.text = std::move(text);
  return u;
}

}  // namespace

TEST_CASE("rtmp URLs: host[:port] alone keeps the stream's own app and name") {
  CHECK(parsed("127.0.0.2:1935") == url_of("127.0.0.2", 1935, "", "", "", "127.0.0.2:1935"));
  CHECK(parsed("host") == url_of("host", 1935, "", "", "", "host"));
  CHECK(parsed("origin.example.com:19350") ==
        url_of("origin.example.com", 19350, "", "", "", "origin.example.com:19350"));
  CHECK(parsed("[::1]:19350") == url_of("::1", 19350, "", "", "", "[::1]:19350"));
  CHECK(parsed("[2001:db8::7]") == url_of("2001:db8::7", 1935, "", "", "", "[2001:db8::7]"));
  CHECK(parsed("h:65535").port == 65535);
  CHECK(parsed("h:1").port == 1);
}

TEST_CASE("rtmp URLs: the rtmp:// forms") {
  CHECK(parsed("rtmp://h") == url_of("h", 1935, "", "", "", "rtmp://h"));
  CHECK(parsed("rtmp://h:1936/live") == url_of("h", 1936, "live", "", "", "rtmp://h:1936/live"));
  CHECK(parsed("rtmp://h/live/cam?token=x") ==
        url_of("h", 1935, "live", "cam", "token=x", "rtmp://h/live/cam?token=x"));
  CHECK(parsed("rtmp://h/live/cam") == url_of("h", 1935, "live", "cam", "", "rtmp://h/live/cam"));
  CHECK(parsed("rtmp://[::1]:1937/live/cam") ==
        url_of("::1", 1937, "live", "cam", "", "rtmp://[::1]:1937/live/cam"));
  // The stream is everything after the app's '/', slashes included.
  CHECK(parsed("rtmp://h/live/a/b") == url_of("h", 1935, "live", "a/b", "", "rtmp://h/live/a/b"));
  CHECK(parsed("rtmp://h/live/a/b?k=v&w=1") ==
        url_of("h", 1935, "live", "a/b", "k=v&w=1", "rtmp://h/live/a/b?k=v&w=1"));
  // A '?' with nothing after it is an empty query.
  CHECK(parsed("rtmp://h/live/cam?") == url_of("h", 1935, "live", "cam", "", "rtmp://h/live/cam?"));
}

TEST_CASE("rtmp URLs: templates are kept for worker/forward to expand") {
  CHECK(parsed("rtmp://h/[app]_hd/[stream][param]") ==
        url_of("h", 1935, "[app]_hd", "[stream][param]", "", "rtmp://h/[app]_hd/[stream][param]"));
  CHECK(parsed("rtmp://h/[vhost]/[app]/[stream]?from=[vhost]") ==
        url_of("h", 1935, "[vhost]", "[app]/[stream]", "from=[vhost]",
               "rtmp://h/[vhost]/[app]/[stream]?from=[vhost]"));
  CHECK(parsed("rtmp://h/x[app]y").app == "x[app]y");
}

TEST_CASE("rtmp URLs: mistakes are refused with what is wrong") {
  CHECK(problem_of("") == "no host");
  CHECK(problem_of("foo:0") == "port out of range: 0");
  CHECK(problem_of("foo:70000") == "port out of range: 70000");
  CHECK(problem_of("foo:65536") == "port out of range: 65536");
  CHECK(problem_of("foo:123456") == "bad port '123456'");
  CHECK(problem_of("foo:") == "bad port ''");
  CHECK(problem_of("foo:19x") == "bad port '19x'");
  CHECK(problem_of("http://x/y") == "expected host:port or an rtmp:// URL");
  CHECK(problem_of("rtmps://x/y") == "expected host:port or an rtmp:// URL");
  CHECK(problem_of("rtmp://") == "no host");
  CHECK(problem_of("rtmp://h/") == "empty app in the path");
  CHECK(problem_of("rtmp://h//cam") == "empty app in the path");
  CHECK(problem_of("rtmp://h/live/") == "empty stream in the path");
  CHECK(problem_of("rtmp://h/?q") == "empty app in the path");
  CHECK(problem_of("rtmp://h?q") ==
        "a query needs an app and a stream: rtmp://host/app/stream?query");
  CHECK(problem_of("rtmp://h/live?q") ==
        "a query needs an app and a stream: rtmp://host/app/stream?query");
  CHECK(problem_of("rtmp://h/[bad]/x") ==
        "unknown template '[bad]' (expected [vhost], [app], [stream] or [param])");
  CHECK(problem_of("rtmp://h/live/[Stream]") ==
        "unknown template '[Stream]' (expected [vhost], [app], [stream] or [param])");
  CHECK(problem_of("rtmp://h/live/cam?k=[token]") ==
        "unknown template '[token]' (expected [vhost], [app], [stream] or [param])");
  CHECK(problem_of("host:1935/app") ==
        "expected host:port (write rtmp://host:port/app/stream for a path)");
  CHECK(problem_of("host/app/stream") ==
        "expected host:port (write rtmp://host:port/app/stream for a path)");
  CHECK(problem_of("host?x") ==
        "expected host:port (write rtmp://host:port/app/stream for a path)");
  CHECK(problem_of("rtmp://h/live/my cam") == "spaces or control characters in the URL");
  CHECK(problem_of(" host") == "spaces or control characters in the URL");
  CHECK(problem_of("host:1935 ") == "spaces or control characters in the URL");
  CHECK(problem_of("rtmp://h/live/cam\t") == "spaces or control characters in the URL");
  CHECK(problem_of(std::string_view("rtmp://h/live/c\0m", 17)) ==
        "spaces or control characters in the URL");
  CHECK(problem_of("rtmp://user@h/live") == "user information is not supported");
  CHECK(problem_of("rtmp://[::1/live") == "unterminated '[' in the host");
  CHECK(problem_of("[::g]:1935") == "bad IPv6 address '::g'");
  CHECK(problem_of("[::1]x") == "unexpected text after ']'");
  CHECK(problem_of("::1") == "bad host ':'");
  CHECK(problem_of("ho$t") == "bad host 'ho$t'");
}

TEST_CASE("rtmp URLs: the loader reads forward.destinations and forward.backend") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  __defaultVhost__:\n"
      "    forward:\n"
      "      destinations: [\"127.0.0.2:1935\", \"rtmp://b/[app]_hd/[stream]?k=1\"]\n"
      "      backend: \"http://127.0.0.1:8085/api/v1/forward\"\n"
      "  one.example.com:\n"
      "    forward: {destinations: \"[::1]:19350\"}\n",
      "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const VhostConfig* v = r.config->find_vhost(kDefaultVhost);
  REQUIRE(v != nullptr);
  REQUIRE(v->name == kDefaultVhost);
  CHECK(v->forward.destinations ==
        std::vector<RtmpUrl>{
            url_of("127.0.0.2", 1935, "", "", "", "127.0.0.2:1935"),
            url_of("b", 1935, "[app]_hd", "[stream]", "k=1", "rtmp://b/[app]_hd/[stream]?k=1")});
  REQUIRE(v->forward.backend.has_value());
  CHECK(v->forward.backend->host == "127.0.0.1");
  CHECK(v->forward.backend->port == 8085);
  CHECK(v->forward.backend->target == "/api/v1/forward");
  CHECK_FALSE(v->forward.backend->tls);

  // One destination alone is a list of one; no backend stays none.
  const VhostConfig* one = r.config->find_vhost("one.example.com");
  REQUIRE(one != nullptr);
  REQUIRE(one->name == "one.example.com");
  CHECK(one->forward.destinations ==
        std::vector<RtmpUrl>{url_of("::1", 19350, "", "", "", "[::1]:19350")});
  CHECK_FALSE(one->forward.backend.has_value());
}

TEST_CASE("rtmp URLs: no forward section means no forwarding") {
  LoadResult r = load_text("vhosts:\n  v: {}\n", "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(r.config->vhosts.at(0).forward == ForwardConfig{});
  CHECK(ForwardConfig{}.destinations.empty());
  CHECK_FALSE(ForwardConfig{}.backend.has_value());
}

TEST_CASE("rtmp URLs: a bad destination is reported at its item, with line and column") {
  LoadResult r = load_text("vhosts: {__defaultVhost__: {forward: {destinations: [\"foo:0\"]}}}\n",
                           "test.yaml");
  INFO(r.error_text());
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  const ConfigError& e = r.errors[0];
  CHECK(e.file == "test.yaml");
  CHECK(e.path == "vhosts.__defaultVhost__.forward.destinations[0]");
  CHECK(e.message == "port out of range: 0");
  CHECK(e.line == 1);
  CHECK(e.column == 54);  // the '"' that starts "foo:0"

  // Block style, the second item of three, the others good.
  LoadResult block = load_text(
      "vhosts:\n"
      "  __defaultVhost__:\n"
      "    forward:\n"
      "      destinations:\n"
      "        - 127.0.0.1:1935\n"
      "        - rtmp://h/live/\n"
      "        - rtmp://h/[bad]/x\n",
      "test.yaml");
  INFO(block.error_text());
  CHECK_FALSE(block.ok());
  REQUIRE(block.errors.size() == 2);
  CHECK(block.errors[0].path == "vhosts.__defaultVhost__.forward.destinations[1]");
  CHECK(block.errors[0].line == 6);
  CHECK(block.errors[0].column == 11);
  CHECK(block.errors[0].message == "empty stream in the path");
  CHECK(block.errors[1].path == "vhosts.__defaultVhost__.forward.destinations[2]");
  CHECK(block.errors[1].line == 7);
  CHECK(block.errors[1].column == 11);
  CHECK(block.errors[1].message.find("unknown template '[bad]'") == 0);
  CHECK(block.error_text().find("test.yaml:6:11: vhosts.__defaultVhost__.forward.destinations[1]: "
                                "empty stream in the path") != std::string::npos);
}

TEST_CASE("rtmp URLs: wrong kinds under forward are errors") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  v:\n"
      "    forward:\n"
      "      destinations: [{host: x}]\n"
      "      backend: \"ftp://x\"\n"
      "  w:\n"
      "    forward:\n"
      "      destinations: {a: 1}\n"
      "      backend: [\"http://a/\"]\n"
      "  x:\n"
      "    forward: {destination: \"h:1935\"}\n",
      "test.yaml");
  std::string text = r.error_text();
  INFO(text);
  CHECK_FALSE(r.ok());
  CHECK(text.find("vhosts.v.forward.destinations[0]: expected a URL, got ") != std::string::npos);
  CHECK(
      text.find("test.yaml:5:16: vhosts.v.forward.backend: expected an http:// or https:// URL") !=
      std::string::npos);
  CHECK(text.find("vhosts.w.forward.destinations: ") != std::string::npos);
  CHECK(text.find("vhosts.w.forward.backend: ") != std::string::npos);
  CHECK(text.find("vhosts.x.forward.destination: unknown key 'destination'") != std::string::npos);
  CHECK(r.errors.size() == 5);
}

// A '[' without its ']' is quoted as written.
TEST_CASE("rtmp URLs: an unterminated template is quoted in the message") {
  std::string problem = problem_of("rtmp://h/live/[stream");
  CHECK(problem.find("'[stream'") != std::string::npos);
  CHECK(problem.find("''") == std::string::npos);
}

// The forward backend is a callback URL of the vhost: an https one takes the
// vhost's http_hooks.tls_verify and tls_ca_file, as the on_* URLs do.
TEST_CASE("rtmp URLs: an https backend takes the vhost's http_hooks TLS settings") {
  LoadResult r = load_text(
      "vhosts:\n"
      "  v:\n"
      "    http_hooks: {tls_verify: false, on_publish: \"https://h/p\"}\n"
      "    forward: {backend: \"https://h/f\"}\n",
      "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const VhostConfig& v = r.config->vhosts.at(0);
  REQUIRE(v.forward.backend.has_value());
  CHECK(v.forward.backend->tls);
  CHECK_FALSE(v.http_hooks.on_publish.at(0).tls_verify);
  CHECK_FALSE(v.forward.backend->tls_verify);
}
