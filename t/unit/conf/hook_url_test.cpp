// Callback URLs as an operator writes them under vhosts.NAME.http_hooks: the
// forms accepted, the mistakes refused at load with a clear message.
#include "conf/hook_url.hpp"

#include <doctest/doctest.h>

#include "conf/config.hpp"

using namespace srs::conf;
using namespace std::chrono_literals;

namespace {

HookUrl parsed(const char* text) {
  HookUrl u;
  std::string problem = parse_hook_url(text, &u);
  INFO(text, " -> ", problem);
  CHECK(problem.empty());
  return u;
}

std::string problem_of(const char* text) {
  HookUrl u;
  std::string problem = parse_hook_url(text, &u);
  CHECK(u.host.empty());
  return problem;
}

}  // namespace

TEST_CASE("hook URLs: host, port and target (query kept)") {
  HookUrl u = parsed("http://127.0.0.1:8085/api/v1/streams");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 8085);
  CHECK(u.target == "/api/v1/streams");
  CHECK(u.text == "http://127.0.0.1:8085/api/v1/streams");
  CHECK(parsed("http://hooks.example.com/on_publish?key=abc&x=1").target ==
        "/on_publish?key=abc&x=1");
  CHECK(parsed("http://hooks.example.com/on_publish?key=abc").port == 80);
  CHECK(parsed("http://example.com").target == "/");
  CHECK(parsed("http://example.com?k=v").target == "/?k=v");
  HookUrl v6 = parsed("http://[::1]:9000/hook");
  CHECK(v6.host == "::1");
  CHECK(v6.port == 9000);
  CHECK(parsed("http://[::1]/").port == 80);
}

TEST_CASE("hook URLs: mistakes are refused with what is wrong") {
  CHECK(problem_of("https://example.com/x") == "https callbacks are not supported yet");
  CHECK(problem_of("ftp://example.com/x").find("http://") != std::string::npos);
  CHECK(problem_of("example.com/x").find("http://") != std::string::npos);
  CHECK(problem_of("http:///x") == "no host");
  CHECK(problem_of("http://a b/x").find("spaces") != std::string::npos);
  CHECK(problem_of("http://host:0/x").find("port") != std::string::npos);
  CHECK(problem_of("http://host:65536/x").find("port") != std::string::npos);
  CHECK(problem_of("http://host:abc/x").find("port") != std::string::npos);
  CHECK(problem_of("http://host:/x").find("port") != std::string::npos);
  CHECK(problem_of("http://user:pw@host/x").find("user") != std::string::npos);
  CHECK(problem_of("http://[::1/x").find("unterminated") != std::string::npos);
  CHECK(problem_of("http://[nope]:80/x").find("IPv6") != std::string::npos);
  CHECK(problem_of("http://host/x#frag").find("fragment") != std::string::npos);
  CHECK(problem_of("http://ho$t/x").find("bad host") != std::string::npos);
}

TEST_CASE("http_hooks in a vhost: defaults, lists, a single URL, errors at the entry") {
  Config defaults = *load_default().config;
  const HttpHooksConfig& d = defaults.vhosts[0].http_hooks;
  CHECK_FALSE(d.enabled);
  CHECK(d.timeout == 5s);
  CHECK(d.on_publish.empty());
  CHECK(d.on_hls.empty());

  LoadResult r = load_text(
      "vhosts:\n"
      "  __defaultVhost__:\n"
      "    http_hooks:\n"
      "      enabled: true\n"
      "      timeout: 1s\n"
      "      on_publish: [http://127.0.0.1:8085/a, \"http://127.0.0.1:8085/b?t=1\"]\n"
      "      on_play: http://127.0.0.1:8085/play\n",
      "t.yaml");
  REQUIRE(r.ok());
  const HttpHooksConfig& h = r.config->vhosts[0].http_hooks;
  CHECK(h.enabled);
  CHECK(h.timeout == 1s);
  REQUIRE(h.on_publish.size() == 2);
  CHECK(h.on_publish[1].target == "/b?t=1");
  REQUIRE(h.on_play.size() == 1);
  CHECK(h.on_play[0].target == "/play");

  LoadResult bad = load_text(
      "vhosts:\n"
      "  v:\n"
      "    http_hooks:\n"
      "      on_connect: [http://ok/, https://secure/]\n"
      "      timeout: 10ms\n",
      "t.yaml");
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].path == "vhosts.v.http_hooks.on_connect[1]");
  CHECK(bad.errors[0].line == 4);
  CHECK(bad.errors[0].message == "https callbacks are not supported yet");
  CHECK(bad.errors[1].path == "vhosts.v.http_hooks.timeout");
}
