// The typed configuration: comparison, vhost lookup, worker count, error
// text and what a reload may not change.
#include "conf/config.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

using namespace srs::conf;

TEST_CASE("same_settings ignores the source and sees every setting") {
  Config a;
  Config b;
  b.source = "other.yaml";
  CHECK(a.same_settings(b));
  b.rtmp.listen.push_back(Endpoint{"127.0.0.1", 1936});
  CHECK_FALSE(a.same_settings(b));
  b = Config{};
  b.vhosts[0].enabled = false;
  CHECK_FALSE(a.same_settings(b));
  b = Config{};
  b.log.summary_interval = Duration{1};
  CHECK_FALSE(a.same_settings(b));
  b = Config{};
  b.shm.ring_bytes *= 2;
  CHECK_FALSE(a.same_settings(b));
}

TEST_CASE("find_vhost: exact name, else the default vhost, else none") {
  Config c;
  c.vhosts = {VhostConfig{kDefaultVhost}, VhostConfig{"live.example.com", false}};
  REQUIRE(c.find_vhost("live.example.com") != nullptr);
  CHECK(c.find_vhost("live.example.com")->name == "live.example.com");
  CHECK_FALSE(c.find_vhost("live.example.com")->enabled);  // found; the caller decides
  REQUIRE(c.find_vhost("other.example.com") != nullptr);
  CHECK(c.find_vhost("other.example.com")->name == kDefaultVhost);
  c.vhosts = {VhostConfig{"live.example.com"}};
  CHECK(c.find_vhost("other.example.com") == nullptr);
  CHECK(c.find_vhost("") == nullptr);
  c.vhosts.clear();
  CHECK(c.find_vhost(kDefaultVhost) == nullptr);
}

TEST_CASE("resolved_workers: auto is the number of online cores") {
  Config c;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  CHECK(c.resolved_workers() == (cores > 0 ? cores : 1));
  c.worker_processes = 3;
  CHECK(c.resolved_workers() == 3);
}

TEST_CASE("ConfigError::to_string") {
  CHECK(ConfigError{"etc/srs.yaml", 12, 3, "rtmp.chunk_size", "expected x"}.to_string() ==
        "etc/srs.yaml:12:3: rtmp.chunk_size: expected x");
  CHECK(ConfigError{"a.yaml", 0, 0, "daemon", "cannot change"}.to_string() ==
        "a.yaml: daemon: cannot change");
  CHECK(ConfigError{"a.yaml", 0, 0, "", "cannot open"}.to_string() == "a.yaml: cannot open");
  CHECK(ConfigError{"a.yaml", 1, 5, "", "bad"}.to_string() == "a.yaml:1:5: bad");
}

TEST_CASE("check_reload lets the log move, but a daemon's only to a file") {
  Config running;
  running.daemon = true;
  running.log.file = "/var/log/srs.log";
  Config next = running;
  next.source = "new.yaml";
  next.log.level = srs::base::LogLevel::kWarn;
  next.log.file = "/var/log/srs/srs.log";
  std::vector<ConfigError> errors;
  check_reload(running, next, &errors);
  CHECK(errors.empty());
  next.log.file.clear();
  check_reload(running, next, &errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "log.file");
  CHECK(errors[0].message.find("daemon: true needs log.file") != std::string::npos);
}

TEST_CASE("check_reload refuses shm sizes, daemon and pid_file changes, one error each") {
  Config running;
  Config next;
  next.source = "new.yaml";
  std::vector<ConfigError> errors;
  check_reload(running, next, &errors);
  CHECK(errors.empty());

  // What may change does not complain.
  next.rtmp.chunk_size = 4096;
  next.worker_processes = 2;
  next.vhosts.push_back(VhostConfig{"a.example.com"});
  check_reload(running, next, &errors);
  CHECK(errors.empty());

  next.shm.max_streams = 512;
  next.shm.ring_bytes = 1 << 20;
  next.shm.max_clients = 10;
  next.daemon = true;
  next.log.file = "/var/log/srs.log";
  next.pid_file = "/run/srs.pid";
  check_reload(running, next, &errors);
  REQUIRE(errors.size() == 5);
  std::vector<std::string> paths;
  for (const ConfigError& e : errors) {
    paths.push_back(e.path);
    CHECK(e.file == "new.yaml");
    CHECK(e.line == 0);
    CHECK(e.message.find("cannot change on reload (restart the server)") != std::string::npos);
  }
  CHECK(paths == std::vector<std::string>{"daemon", "pid_file", "shm.max_streams", "shm.ring_bytes",
                                          "shm.max_clients"});
  CHECK(errors[2].message.find("running with 64, new 512") != std::string::npos);
  CHECK(errors[2].to_string() ==
        "new.yaml: shm.max_streams: cannot change on reload (restart the server): running with "
        "64, new 512");
}
