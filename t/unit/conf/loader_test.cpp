// The YAML loader as a user meets it: the reference file loads to the
// defaults, every kind of mistake is reported with file:line:column, the key
// path and what was expected, and all of them at once.
#include <doctest/doctest.h>

#include <string>

#include "conf/config.hpp"

using namespace srs::conf;
using namespace std::chrono_literals;

namespace {

LoadResult load(const std::string& yaml) {
  return load_text(yaml, "test.yaml");
}

Config load_ok(const std::string& yaml) {
  LoadResult r = load(yaml);
  INFO(r.error_text());
  REQUIRE(r.ok());
  REQUIRE(r.errors.empty());
  return *r.config;
}

// Exactly one error, where and what it should be.
void expect_error(const std::string& yaml, int line, int column, const std::string& path,
                  const std::string& fragment) {
  LoadResult r = load(yaml);
  INFO(yaml, "\n--- errors:\n", r.error_text());
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  const ConfigError& e = r.errors[0];
  CHECK(e.file == "test.yaml");
  CHECK(e.line == line);
  CHECK(e.column == column);
  CHECK(e.path == path);
  CHECK(e.message.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("etc/srs.yaml loads to exactly the defaults (the reference never goes stale)") {
  LoadResult r = load_file("etc/srs.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  CHECK(r.config->source == "etc/srs.yaml");
  CHECK(r.config->same_settings(Config{}));

  LoadResult embedded = load_default();
  INFO(embedded.error_text());
  REQUIRE(embedded.ok());
  CHECK(embedded.config->source == "<embedded>");
  CHECK(embedded.config->same_settings(Config{}));
  CHECK(embedded.config->same_settings(*r.config));
}

TEST_CASE("the defaults are the documented ones") {
  Config c = load_ok("");
  CHECK(c.rtmp.listen == std::vector<Endpoint>{Endpoint{"", 1935}});
  CHECK(c.http_server.listen == std::vector<Endpoint>{Endpoint{"", 8080}});
  CHECK(c.http_api.listen == std::vector<Endpoint>{Endpoint{"", 1985}});
  CHECK(c.log.file.empty());
  REQUIRE(c.vhosts.size() == 1);
  CHECK(c.vhosts[0].name == kDefaultVhost);
  CHECK(c.vhosts[0].play.merge_window == MergeWindow{true, 0s});  // auto: latency by default
  CHECK(c.vhosts[0].play.merge_ceiling == 350ms);
}

TEST_CASE("merge_window: auto or a fixed duration, merge_ceiling") {
  Config c = load_ok(
      "vhosts:\n  a:\n    play:\n      merge_window: auto\n      merge_ceiling: 100ms\n"
      "  b:\n    play:\n      merge_window: 350ms\n  c:\n    play:\n      merge_window: 0s\n");
  CHECK(c.vhosts[0].play.merge_window == MergeWindow{true, 0s});
  CHECK(c.vhosts[0].play.merge_ceiling == 100ms);
  CHECK(c.vhosts[1].play.merge_window == MergeWindow{false, 350ms});
  CHECK(c.vhosts[2].play.merge_window == MergeWindow{false, 0s});
}

TEST_CASE("an empty document means every default") {
  for (const char* text : {"", "\n", "# only a comment\n", "---\n", "---\n...\n"}) {
    CAPTURE(text);
    Config c = load_ok(text);
    CHECK(c.same_settings(Config{}));
    CHECK(c.source == "test.yaml");
  }
}

TEST_CASE("a valid non-default file fills every field") {
  LoadResult r = load_file("t/data/conf/full.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.server_id == "edge-7");
  CHECK(c.worker_processes == 4);
  CHECK(c.daemon);
  CHECK(c.pid_file == "/run/srs.pid");
  CHECK(c.user == "srs");
  CHECK(c.drain_timeout == 90s);
  CHECK(c.log.level == srs::base::LogLevel::kWarn);
  CHECK(c.log.file == "/var/log/srs.log");
  CHECK(c.log.summary_interval == 30s);
  CHECK(c.rtmp.listen == std::vector<Endpoint>{{"", 1935}, {"127.0.0.1", 19350}, {"::1", 19351}});
  CHECK(c.rtmp.chunk_size == 4096);
  CHECK(c.rtmp.max_connections == 20000);
  CHECK(c.rtmp.republish_grace == 0s);
  CHECK_FALSE(c.http_server.enabled);
  CHECK(c.http_server.listen == std::vector<Endpoint>{{"", 8081}});
  CHECK(c.http_server.dir == "/srv/www");
  CHECK_FALSE(c.http_server.crossdomain);
  CHECK(c.http_api.enabled);
  CHECK(c.http_api.listen == std::vector<Endpoint>{{"127.0.0.1", 1985}});
  CHECK_FALSE(c.http_api.crossdomain);
  CHECK(c.shm.max_streams == 1024);
  CHECK(c.shm.ring_bytes == 64u << 10);
  CHECK(c.shm.max_clients == 100000);
  REQUIRE(c.vhosts.size() == 3);
  CHECK(c.vhosts[0] == VhostConfig{"__defaultVhost__", true});
  CHECK(c.vhosts[2] == VhostConfig{"vod.example.com", true});
  const VhostConfig& live = c.vhosts[1];
  CHECK(live.name == "live.example.com");
  CHECK_FALSE(live.enabled);
  CHECK_FALSE(live.play.gop_cache);
  CHECK(live.play.time_jitter == TimeJitter::kZero);
  CHECK(live.play.merge_window == MergeWindow{false, 0s});
  CHECK(live.play.slow_player == SlowPlayer::kDisconnect);
  CHECK(live.publish.takeover);
  CHECK(c.find_vhost("vod.example.com") == &c.vhosts[2]);
}

TEST_CASE("smaller forms: listen as one endpoint, worker count, a vhost with an empty value") {
  Config c = load_ok(
      "worker_processes: 64\n"
      "rtmp:\n  listen: 127.0.0.1:1936\n"
      "vhosts:\n  a.example.com:\n  b.example.com: {}\n");
  CHECK(c.worker_processes == 64);
  CHECK(c.rtmp.listen == std::vector<Endpoint>{{"127.0.0.1", 1936}});
  CHECK(c.vhosts == std::vector<VhostConfig>{{"a.example.com"}, {"b.example.com"}});
  CHECK(load_ok("worker_processes: auto\n").worker_processes == 0);
  CHECK(load_ok("vhosts:\n").vhosts == Config{}.vhosts);  // empty: the default stays
  CHECK(load_ok("vhosts: {}\n").vhosts.empty());          // explicitly none
  CHECK(load_ok("log:\n").log == LogConfig{});
  CHECK(load_ok("user:\n").user.empty());
}

TEST_CASE("a YAML syntax error has the parser's position") {
  expect_error("rtmp:\n  chunk_size: [1, 2\n", 3, 1, "", "end of sequence");
  expect_error("a: b: c\n", 1, 5, "", "illegal map value");
  expect_error("rtmp:\n  listen:\n    - [::1]:1935\n", 3, 12, "", "end of sequence not found");
}

TEST_CASE("unknown keys are reported, with the closest known key") {
  expect_error("rtmp:\n  chunk_sise: 4096\n", 2, 3, "rtmp.chunk_sise",
               "unknown key 'chunk_sise'; did you mean 'chunk_size'?");
  expect_error("deamon: true\n", 1, 1, "deamon", "did you mean 'daemon'?");
  expect_error("vhosts:\n  __defaultVhost__:\n    enable: true\n", 3, 5,
               "vhosts.__defaultVhost__.enable", "did you mean 'enabled'?");
  // A key of another section points there.
  expect_error("chunk_size: 4096\n", 1, 1, "chunk_size",
               "unknown key 'chunk_size'; did you mean 'rtmp.chunk_size'?");
  expect_error("log:\n  ring_bytes: 1MiB\n", 2, 3, "log.ring_bytes",
               "did you mean 'shm.ring_bytes'?");
  expect_error("vhosts:\n  v:\n    gop_cache: false\n", 3, 5, "vhosts.v.gop_cache",
               "did you mean 'vhosts.v.play.gop_cache'?");
  LoadResult r = load("listen_everything: 1\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message == "unknown key 'listen_everything'");
}

TEST_CASE("wrong types") {
  expect_error("rtmp:\n  chunk_size:\n    a: 1\n", 3, 5, "rtmp.chunk_size",
               "expected an integer, got a map");
  expect_error("rtmp:\n  chunk_size: yes\n", 2, 15, "rtmp.chunk_size",
               "expected an integer in 128..65536, got 'yes'");
  expect_error("rtmp:\n  chunk_size: \"4096\"\n", 2, 15, "rtmp.chunk_size",
               "got the quoted string \"4096\" (remove the quotes)");
  expect_error("rtmp:\n  chunk_size:\n", 2, 3, "rtmp.chunk_size",
               "expected an integer, got an empty value");
  expect_error("daemon: [true]\n", 1, 9, "daemon", "expected true or false, got a list");
  expect_error("rtmp: 1935\n", 1, 7, "rtmp", "expected a map of settings, got a scalar");
  expect_error("log:\n  file: {a: 1}\n", 2, 9, "log.file", "expected a string, got a map");
  expect_error("log:\n  level: verbose\n", 2, 10, "log.level", "trace, debug, info, warn, error");
  expect_error("- 1\n- 2\n", 1, 1, "", "expected a map of settings, got a list");
  expect_error("worker_processes: many\n", 1, 19, "worker_processes",
               "expected auto or an integer in 1..64");
}

TEST_CASE("words from a fixed set, and nested vhost sections") {
  expect_error("vhosts:\n  v:\n    play:\n      time_jitter: smooth\n", 4, 20,
               "vhosts.v.play.time_jitter", "expected one of full, zero, off, got 'smooth'");
  expect_error("vhosts:\n  v:\n    play:\n      slow_player: [skip]\n", 4, 20,
               "vhosts.v.play.slow_player", "expected one of skip, disconnect, got a list");
  expect_error("vhosts:\n  v:\n    play:\n      merge_window: 11s\n", 4, 21,
               "vhosts.v.play.merge_window", "expected auto or a duration in 0s..10s, got '11s'");
  expect_error("vhosts:\n  v:\n    play:\n      merge_window: automatic\n", 4, 21,
               "vhosts.v.play.merge_window", "expected auto or a duration");
  expect_error("vhosts:\n  v:\n    play:\n      merge_ceiling: 0s\n", 4, 22,
               "vhosts.v.play.merge_ceiling", "1ms..10s");
  expect_error("vhosts:\n  v:\n    publish:\n      take_over: true\n", 4, 7,
               "vhosts.v.publish.take_over", "did you mean 'takeover'?");
  expect_error("vhosts:\n  v:\n    play: true\n", 3, 11, "vhosts.v.play",
               "expected a map of settings, got a scalar");
  expect_error("rtmp:\n  republish_grace: 25h\n", 2, 20, "rtmp.republish_grace", "0s..1d");
  Config c = load_ok("vhosts:\n  v:\n    play:\n      time_jitter: off\n");
  CHECK(c.vhosts[0].play.time_jitter == TimeJitter::kOff);
  CHECK(c.vhosts[0].play.gop_cache);  // the rest of the section keeps its defaults
}

TEST_CASE("booleans are true or false, with a hint for YAML 1.1 forms") {
  expect_error("daemon: yes\n", 1, 9, "daemon", "use true or false");
  expect_error("http_api:\n  enabled: off\n", 2, 12, "http_api.enabled",
               "expected true or false, got 'off'");
  CHECK(load_ok("daemon: true\n").daemon);
}

TEST_CASE("durations need a unit") {
  expect_error("drain_timeout: 10\n", 1, 16, "drain_timeout",
               "expected a duration with a unit such as 10s or 350ms");
  expect_error("log:\n  summary_interval: 500ms\n", 2, 21, "log.summary_interval",
               "expected a duration in 1s..1h, got 500ms");
  expect_error("drain_timeout: 99999999999h\n", 1, 16, "drain_timeout", "0s..7d");
  CHECK(load_ok("drain_timeout: 7d\n").drain_timeout == 7 * 24h);
  CHECK(load_ok("drain_timeout: 0s\n").drain_timeout == 0s);
}

TEST_CASE("out-of-range values") {
  expect_error("rtmp:\n  chunk_size: 10\n", 2, 15, "rtmp.chunk_size",
               "expected an integer in 128..65536, got 10");
  expect_error("rtmp:\n  max_connections: 0\n", 2, 20, "rtmp.max_connections", "1..1000000");
  expect_error("shm:\n  max_streams: 65537\n", 2, 16, "shm.max_streams", "1..65536");
  expect_error("shm:\n  max_clients: 1000001\n", 2, 16, "shm.max_clients", "1..1000000");
  expect_error("shm:\n  ring_bytes: 100000\n", 2, 15, "shm.ring_bytes",
               "expected a power of two in 64KiB..1GiB, got 100000");
  expect_error("shm:\n  ring_bytes: 32KiB\n", 2, 15, "shm.ring_bytes",
               "expected a size in 64KiB..1GiB, got 32KiB");
  expect_error("shm:\n  ring_bytes: 2GiB\n", 2, 15, "shm.ring_bytes", "64KiB..1GiB");
  expect_error("worker_processes: 65\n", 1, 19, "worker_processes", "1..64");
  expect_error("worker_processes: 0\n", 1, 19, "worker_processes", "1..64");
  CHECK(load_ok("shm:\n  ring_bytes: 1GiB\n").shm.ring_bytes == 1ull << 30);
  CHECK(load_ok("shm:\n  ring_bytes: 65536\n").shm.ring_bytes == 65536);
}

TEST_CASE("bad endpoints point at the list entry") {
  expect_error("rtmp:\n  listen:\n    - 1935\n    - localhost:1936\n", 4, 7, "rtmp.listen[1]",
               "numeric IPv4 or IPv6 address");
  expect_error("rtmp:\n  listen: [1935, 70000]\n", 2, 18, "rtmp.listen[1]", "1..65535");
  expect_error("rtmp:\n  listen: []\n", 2, 11, "rtmp.listen", "at least one endpoint");
  expect_error("rtmp:\n  listen:\n    - {a: 1}\n", 3, 7, "rtmp.listen[0]",
               "expected an endpoint, got a map");
  CHECK(load_ok("rtmp:\n  listen:\n    - \"[::1]:1935\"\n").rtmp.listen ==
        std::vector<Endpoint>{{"::1", 1935}});
}

TEST_CASE("a key written twice in one map") {
  expect_error("rtmp:\n  chunk_size: 4096\n  chunk_size: 8192\n", 3, 3, "rtmp.chunk_size",
               "duplicate key 'chunk_size' (first at line 2)");
  expect_error("daemon: false\nlog: {}\ndaemon: true\n", 3, 1, "daemon", "duplicate key");
}

TEST_CASE("a vhost written twice, and bad vhost names") {
  expect_error("vhosts:\n  a.example.com:\n  b.example.com:\n  a.example.com: {}\n", 4, 3,
               "vhosts.a.example.com", "duplicate vhost 'a.example.com' (first at line 2)");
  expect_error("vhosts:\n  a/b:\n", 2, 3, "vhosts.a/b", "vhost name of letters");
  expect_error("vhosts:\n  a.example.com: 1\n", 2, 18, "vhosts.a.example.com",
               "expected a map of settings, got a scalar");
  expect_error("vhosts: [a]\n", 1, 9, "vhosts", "expected a map of settings, got a list");
}

TEST_CASE("listeners that collide") {
  // The same port twice in one list.
  expect_error("rtmp:\n  listen: [1935, 1935]\n", 2, 18, "rtmp.listen[1]",
               "duplicate listener 1935, already listed as rtmp.listen[0] at line 2");
  // A port alone is every address: it collides with any host on that port.
  expect_error("rtmp:\n  listen: [1935]\nhttp_server:\n  listen: [\"0.0.0.0:1935\"]\n", 4, 12,
               "http_server.listen[0]",
               "listener 0.0.0.0:1935 overlaps rtmp.listen[0] (1935) at line 2; a port alone "
               "means every address");
  expect_error("http_server:\n  listen: [127.0.0.1:1985]\n", 2, 12, "http_server.listen[0]",
               "overlaps http_api.listen[0] (1985) (a default)");
  // A default endpoint (http_server's 8080) met by a written one: reported at the written one.
  expect_error("rtmp:\n  listen: [1935, 8080]\n", 2, 18, "rtmp.listen[1]",
               "duplicate listener 8080, already listed as http_server.listen[0] (a default)");
  // The API may be served on exactly the HTTP server's endpoint...
  Config c = load_ok("http_server:\n  listen: [8080]\nhttp_api:\n  listen: [8080]\n");
  CHECK(c.http_api.listen == c.http_server.listen);
  load_ok("http_server:\n  listen: [127.0.0.1:8080]\nhttp_api:\n  listen: [127.0.0.1:8080]\n");
  // ...but not on an overlapping one, nor on the RTMP port.
  expect_error("http_api:\n  listen: [\"0.0.0.0:8080\"]\n", 2, 12, "http_api.listen[0]",
               "overlaps http_server.listen[0] (8080)");
  expect_error("http_api:\n  listen: [1935]\n", 2, 12, "http_api.listen[0]",
               "duplicate listener 1935, already listed as rtmp.listen[0]");
  // Different addresses on one port, and different families, are fine.
  load_ok("rtmp:\n  listen: [127.0.0.1:1935, 127.0.0.2:1935, \"[::1]:1935\"]\n");
  // A disabled section binds nothing, so it collides with nothing.
  load_ok("http_server:\n  enabled: false\n  listen: [1935]\n");
}

TEST_CASE("several errors in one file are all reported, in file order") {
  LoadResult r = load_file("t/data/conf/many_errors.yaml");
  INFO(r.error_text());
  CHECK_FALSE(r.ok());
  std::vector<std::string> lines;
  for (const ConfigError& e : r.errors) {
    CHECK(e.file == "t/data/conf/many_errors.yaml");
    lines.push_back(std::to_string(e.line) + " " + e.path);
  }
  CHECK(lines == std::vector<std::string>{
                     "3 worker_processes",
                     "4 daemon",
                     "5 drain_timeout",
                     "8 log.levle",
                     "12 rtmp.listen[1]",
                     "13 rtmp.chunk_size",
                     "14 rtmp.chunk_size",
                     "17 shm.ring_bytes",
                     "20 vhosts.__defaultVhost__.enabled",
                     "21 vhosts.__defaultVhost__",
                 });
}

TEST_CASE("more than one YAML document is an error") {
  expect_error("daemon: false\n---\ndaemon: true\n", 2, 1, "", "expected one YAML document");
  expect_error("daemon: false\n...\n---\n---\n", 3, 1, "", "expected one YAML document");
}

TEST_CASE("YAML anchors and aliases work, e.g. one vhost's settings reused") {
  Config c = load_ok(
      "vhosts:\n  a.example.com: &shared\n    play: {gop_cache: false}\n"
      "  b.example.com: *shared\n");
  REQUIRE(c.vhosts.size() == 2);
  CHECK_FALSE(c.vhosts[0].play.gop_cache);
  CHECK_FALSE(c.vhosts[1].play.gop_cache);
  CHECK(c.vhosts[1].name == "b.example.com");
}

TEST_CASE("a stray comma is a syntax error, not a hang") {
  // yaml-cpp 0.7 alone would yield empty documents here forever.
  expect_error(",\n", 1, 1, "", "unexpected ','");
  expect_error("{rtmp: {chunk_size: 4096}}\n,\n", 2, 1, "", "unexpected ','");
  expect_error("rtmp: {chunk_size: 4096}\n,\n", 2, 1, "", "end of map not found");
  expect_error("daemon: false\n...\n,,,,shm:\n", 3, 1, "", "unexpected ','");
}

TEST_CASE("an unreadable file is reported with the errno text and no line") {
  LoadResult r = load_file("t/data/conf/does-not-exist.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK_FALSE(r.ok());
  CHECK(r.errors[0].line == 0);
  CHECK(r.errors[0].path.empty());
  CHECK(r.errors[0].message.find("No such file or directory") != std::string::npos);
  CHECK(r.errors[0].to_string().starts_with("t/data/conf/does-not-exist.yaml: cannot open"));

  LoadResult dir = load_file("t/data/conf");
  REQUIRE(dir.errors.size() == 1);
  CHECK(dir.errors[0].line == 0);
  CHECK(dir.errors[0].message.find("Is a directory") != std::string::npos);

  LoadResult endless = load_file("/dev/zero");
  REQUIRE(endless.errors.size() == 1);
  CHECK(endless.errors[0].line == 0);
  CHECK(endless.errors[0].message.find("larger than 16MiB") != std::string::npos);
}
