// The reload routes as an API client sees them: SRS's raw API refusals and
// codes, rpc=reload reaching the master's pid with SIGHUP, reload-fetch and
// /api/v1/reload reporting the verdict the master published.
#include <doctest/doctest.h>
#include <signal.h>

#include <string>

#include "shm/control.hpp"
#include "worker/api/api_route.hpp"
#include "worker/core/services.hpp"

using namespace srs;
using srs::worker::ApiReply;
using srs::worker::ApiRequest;

namespace {

volatile sig_atomic_t g_hups = 0;
void count_hup(int) {
  g_hups = g_hups + 1;
}

struct Fixture {
  conf::Config config;
  shm::Control control = std::move(shm::Control::create(shm::ControlSizes{4, 4})).value();
  worker::Services svc;

  Fixture() {
    svc.config = &config;
    svc.control = &control;
  }
  ApiReply get(std::string_view path, std::string_view query = "",
               std::string_view method = "GET") {
    ApiReply reply;
    REQUIRE(worker::route_reload_api(svc, ApiRequest{method, path, query, ""}, &reply));
    return reply;
  }
};

}  // namespace

TEST_CASE("rpc=raw reports the raw API settings even when the raw API is off") {
  Fixture f;
  ApiReply r = f.get("/api/v1/raw", "rpc=raw");
  CHECK(r.code == 0);
  CHECK(r.members.find("\"raw_api\":{\"enabled\":false,\"allow_reload\":false") !=
        std::string::npos);
  f.config.http_api.raw_api = {true, true};
  CHECK(f.get("/api/v1/raw", "rpc=raw").members.find("\"enabled\":true,\"allow_reload\":true") !=
        std::string::npos);
}

TEST_CASE("rpc=reload is refused with SRS's 1061 unless enabled and allowed; unknown rpc is 1060") {
  Fixture f;
  CHECK(f.get("/api/v1/raw", "rpc=reload").code == 1061);
  CHECK(f.get("/api/v1/raw", "rpc=reload-fetch").code == 1061);
  f.config.http_api.raw_api.enabled = true;
  CHECK(f.get("/api/v1/raw", "rpc=reload").code == 1061);
  CHECK(f.get("/api/v1/raw", "rpc=query").code == 1060);
  CHECK(f.get("/api/v1/raw").code == 1060);
}

TEST_CASE("an allowed rpc=reload sends SIGHUP to the master's pid") {
  Fixture f;  // the region's master pid is this process
  f.config.http_api.raw_api = {true, true};
  struct sigaction old {
  }, count{};
  count.sa_handler = count_hup;
  sigemptyset(&count.sa_mask);
  REQUIRE(sigaction(SIGHUP, &count, &old) == 0);
  g_hups = 0;
  ApiReply r = f.get("/api/v1/raw", "rpc=reload");
  REQUIRE(sigaction(SIGHUP, &old, nullptr) == 0);
  CHECK(r.code == 0);
  CHECK(g_hups == 1);
}

TEST_CASE("reload-fetch and /api/v1/reload report the master's verdict") {
  Fixture f;
  f.config.http_api.raw_api.enabled = true;
  shm::MasterStatus& m = f.control.master_status();
  m.set_generation(1);
  CHECK(f.get("/api/v1/raw", "rpc=reload-fetch").members ==
        "\"data\":{\"err\":0,\"msg\":\"Success\",\"state\":0,\"rid\":\"0\"}");
  (void)m.begin_reload(100);
  CHECK(f.get("/api/v1/raw", "rpc=reload-fetch").members.find("\"state\":30") != std::string::npos);
  m.fail("a.yaml:3:5: rtmp.chunk_size: too small\na.yaml:9:1: unknown key \"x\"", 101);
  CHECK(f.get("/api/v1/raw", "rpc=reload-fetch").members ==
        "\"data\":{\"err\":1023,\"msg\":\"a.yaml:3:5: rtmp.chunk_size: too small\\na.yaml:9:1: "
        "unknown key \\\"x\\\"\",\"state\":90,\"rid\":\"1\"}");
  CHECK(f.get("/api/v1/reload").members ==
        "\"data\":{\"seq\":1,\"state\":\"failed\",\"generation\":1,\"pending_generation\":0,"
        "\"reloads_ok\":0,\"reloads_failed\":1,\"started_at\":100,\"finished_at\":101,"
        "\"errors\":[\"a.yaml:3:5: rtmp.chunk_size: too small\",\"a.yaml:9:1: unknown key "
        "\\\"x\\\"\"]}");
  (void)m.begin_reload(200);
  m.succeed(2, 201);
  CHECK(f.get("/api/v1/reload").members.find("\"state\":\"succeeded\",\"generation\":2") !=
        std::string::npos);
  CHECK(f.get("/api/v1/reload").members.find("\"errors\":[]") != std::string::npos);
}

TEST_CASE("the reload routes answer GET only, and only their own paths") {
  Fixture f;
  ApiReply r = f.get("/api/v1/reload", "", "DELETE");
  CHECK(r.status == 405);
  ApiReply other;
  CHECK_FALSE(
      worker::route_reload_api(f.svc, ApiRequest{"GET", "/api/v1/streams", "", ""}, &other));
  CHECK_FALSE(worker::route_reload_api(f.svc, ApiRequest{"GET", "/api/v1/rawx", "", ""}, &other));
}
