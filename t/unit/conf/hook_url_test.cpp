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

TEST_CASE("hook URLs: https (port 443 unless written, the scheme kept for the client)") {
  HookUrl u = parsed("https://hooks.example.com/on_publish?key=abc");
  CHECK(u.tls);
  CHECK(u.host == "hooks.example.com");
  CHECK(u.port == 443);
  CHECK(u.target == "/on_publish?key=abc");
  CHECK(u.tls_verify);
  CHECK(u.tls_ca_file.empty());
  CHECK(parsed("https://127.0.0.1:8443/a").port == 8443);
  CHECK(parsed("https://127.0.0.1:80/a").port == 80);
  CHECK(parsed("https://example.com").target == "/");
  HookUrl v6 = parsed("https://[::1]/hook");
  CHECK(v6.tls);
  CHECK(v6.host == "::1");
  CHECK(v6.port == 443);
  CHECK(parsed("https://[::1]:9443").port == 9443);
  CHECK_FALSE(parsed("http://example.com").tls);
  CHECK(parsed("http://example.com").port == 80);
}

TEST_CASE("hook URLs: bad https forms") {
  CHECK(problem_of("https:///x") == "no host");
  CHECK(problem_of("https://host:0/x").find("port") != std::string::npos);
  CHECK(problem_of("https://host:65536/x").find("port") != std::string::npos);
  CHECK(problem_of("https://host:/x").find("port") != std::string::npos);
  CHECK(problem_of("https://user@host/x").find("user") != std::string::npos);
  CHECK(problem_of("https://[::1/x").find("unterminated") != std::string::npos);
  CHECK(problem_of("https:/host/x").find("https://") != std::string::npos);
  CHECK(problem_of("HTTPS//host/x").find("https://") != std::string::npos);
  CHECK(problem_of("httpss://host/x").find("https://") != std::string::npos);
}

TEST_CASE("hook URLs: mistakes are refused with what is wrong") {
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
      "      on_connect: [http://ok/, ftp://secure/]\n"
      "      timeout: 10ms\n",
      "t.yaml");
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].path == "vhosts.v.http_hooks.on_connect[1]");
  CHECK(bad.errors[0].line == 4);
  CHECK(bad.errors[0].message == "expected an http:// or https:// URL");
  CHECK(bad.errors[1].path == "vhosts.v.http_hooks.timeout");
}

TEST_CASE(
    "http_hooks: tls_verify and tls_ca_file reach every URL; an unreadable CA file is refused") {
  Config defaults = *load_default().config;
  CHECK(defaults.vhosts[0].http_hooks.tls_verify);
  CHECK(defaults.vhosts[0].http_hooks.tls_ca_file.empty());

  LoadResult r = load_text(
      "vhosts:\n"
      "  __defaultVhost__:\n"
      "    http_hooks:\n"
      "      on_publish: [https://127.0.0.1:8443/a, http://127.0.0.1:8085/b]\n"
      "      on_dvr: https://hooks.example.com/dvr\n"
      "      tls_verify: false\n"
      "      tls_ca_file: /dev/null\n",
      "t.yaml");
  // /dev/null opens but holds nothing: refused, at its line.
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].path == "vhosts.__defaultVhost__.http_hooks.tls_ca_file");
  CHECK(r.errors[0].line == 7);
  CHECK(r.errors[0].message == "'/dev/null' is empty");

  LoadResult ok = load_text(
      "vhosts:\n"
      "  v:\n"
      "    http_hooks:\n"
      "      on_publish: [https://127.0.0.1:8443/a, http://127.0.0.1:8085/b]\n"
      "      on_dvr: https://hooks.example.com/dvr\n"
      "      tls_verify: false\n"
      "      tls_ca_file: /etc/passwd\n",
      "t.yaml");
  REQUIRE(ok.ok());
  const HttpHooksConfig& h = ok.config->vhosts[0].http_hooks;
  CHECK_FALSE(h.tls_verify);
  CHECK(h.tls_ca_file == "/etc/passwd");
  REQUIRE(h.on_publish.size() == 2);
  CHECK(h.on_publish[0].tls);
  CHECK_FALSE(h.on_publish[0].tls_verify);
  CHECK(h.on_publish[0].tls_ca_file == "/etc/passwd");
  CHECK_FALSE(h.on_publish[1].tls);
  REQUIRE(h.on_dvr.size() == 1);
  CHECK(h.on_dvr[0].port == 443);
  CHECK(h.on_dvr[0].tls_ca_file == "/etc/passwd");

  for (const char* path : {"/nonexistent/ca.pem", "/tmp"}) {
    std::string yaml =
        std::string("vhosts:\n  v:\n    http_hooks:\n      tls_ca_file: ") + path + "\n";
    LoadResult missing = load_text(yaml, "t.yaml");
    REQUIRE_FALSE(missing.ok());
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].line == 4);
    CHECK(missing.errors[0].message.find(std::string("cannot read '") + path + "'") == 0);
  }
  LoadResult typo =
      load_text("vhosts:\n  v:\n    http_hooks:\n      tls_verify: maybe\n", "t.yaml");
  CHECK_FALSE(typo.ok());
}
