// The API router as a client sees it: the envelope on every reply, the
// system routes, 404, JSONP, the allow list and Basic authentication.
#include "worker/api/api_server.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

#include "shm/control.hpp"
#include "worker/api/api_metrics.hpp"
#include "worker/core/services.hpp"

using namespace srs;
using srs::worker::ApiCall;
using srs::worker::ApiResponse;

namespace {

struct Fixture {
  conf::Config config;
  shm::Control control = std::move(shm::Control::create(shm::ControlSizes{4, 8})).value();
  worker::Services svc;

  Fixture() {
    svc.config = &config;
    svc.control = &control;
    svc.slot = 1;
    svc.generation = 7;
    svc.pid = uint32_t(::getpid());
  }
  ApiResponse get(std::string_view path, std::string_view query = {},
                  std::string_view authorization = {}, std::string_view ip = "127.0.0.1") {
    worker::ApiServer api(svc, worker::ApiIdentity{"vid-test", "svc12345", 1, 7});
    return api.handle(ApiCall{"GET", path, query, {}, ip, authorization});
  }
};

bool has(const std::string& body, const std::string& part) {
  return body.find(part) != std::string::npos;
}

std::string envelope_start(int code) {
  return "{\"code\":" + std::to_string(code) +
         ",\"server\":\"vid-test\",\"service\":\"svc12345\",\"pid\":\"" +
         std::to_string(::getpid()) + "\"";
}

}  // namespace

TEST_CASE("every reply starts with the envelope; pid is the master's, as a string") {
  Fixture f;
  ApiResponse r = f.get("/api/v1/versions");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  CHECK(r.body.rfind(envelope_start(0) + ",\"data\":{\"major\":", 0) == 0);
  CHECK(r.body.back() == '}');
  CHECK(f.get("/api/v1/versions/").body == r.body);  // trailing slashes do not matter
}

TEST_CASE("navigation at /, /api/ and /api/v1/") {
  Fixture f;
  CHECK(has(f.get("/").body, "\"urls\":{\"api\":\"the api root\"}"));
  CHECK(has(f.get("/api/").body, "\"urls\":{\"v1\":"));
  ApiResponse v1 = f.get("/api/v1/");
  for (const char* name : {"versions", "summaries", "rusages", "self_proc_stats",
                           "system_proc_stats", "meminfos", "features", "streams", "clients"}) {
    INFO(name);
    CHECK(has(v1.body, std::string("\"") + name + "\":"));
  }
}

TEST_CASE("an unknown route is 404 with code 404 in the envelope") {
  Fixture f;
  ApiResponse r = f.get("/api/v1/no_such_thing");
  CHECK(r.status == 404);
  CHECK(r.body.rfind(envelope_start(404), 0) == 0);
  CHECK(has(r.body, "no such API: /api/v1/no_such_thing"));
}

TEST_CASE("summaries: SRS's self and system members, whole-server counts, our workers") {
  Fixture f;
  auto& workers = f.control.workers();
  REQUIRE(workers.reserve(0, 1).is_ok());
  REQUIRE(workers.set_ready(0, uint32_t(::getpid())).is_ok());
  REQUIRE(workers.reserve(1, 1).is_ok());
  REQUIRE(workers.set_ready(1, uint32_t(::getpid())).is_ok());
  workers.counters(0).connections_now.store(2);
  workers.counters(1).connections_now.store(3);
  workers.counters(0).bytes_out.add(1000);
  workers.counters(1).bytes_out.add(234);
  std::string body = f.get("/api/v1/summaries").body;
  for (const char* k : {"\"self\":{", "\"version\":", "\"ppid\":", "\"argv\":", "\"cwd\":",
                        "\"mem_kbyte\":", "\"mem_percent\":", "\"cpu_percent\":", "\"srs_uptime\":",
                        "\"system\":{", "\"mem_ram_kbyte\":", "\"cpus\":", "\"cpus_online\":",
                        "\"load_1m\":", "\"conn_sys\":", "\"srs_workers\":["}) {
    INFO(k);
    CHECK(has(body, k));
  }
  CHECK(has(body, "\"pid\":" + std::to_string(::getpid()) + ","));
  CHECK(has(body, "\"conn_srs\":5"));
  CHECK(has(body, "\"srs_send_bytes\":1234"));
  CHECK(has(body, "\"slot\":1,\"pid\":"));
  CHECK(has(f.get("/api/v1/workers").body, "\"workers\":[{\"slot\":0,"));
}

TEST_CASE("the other system routes answer with SRS's fields") {
  Fixture f;
  CHECK(has(f.get("/api/v1/rusages").body, "\"ru_maxrss\":"));
  std::string ps = f.get("/api/v1/self_proc_stats").body;
  CHECK(has(ps, "\"pid\":" + std::to_string(::getpid()) + ","));
  CHECK(has(ps, "\"cguest_time\":"));
  CHECK(has(f.get("/api/v1/system_proc_stats").body, "\"idle\":"));
  CHECK(has(f.get("/api/v1/meminfos").body, "\"MemTotal\":"));
  std::string features = f.get("/api/v1/features").body;
  CHECK(has(features, "\"api\":true"));
  CHECK(has(features, "\"dvr\":false"));
  CHECK(has(f.get("/api/v1/self").body, "\"worker_slot\":1,\"generation\":7"));
}

TEST_CASE("JSONP wraps the reply; a callback name that could be script is refused") {
  Fixture f;
  ApiResponse plain = f.get("/api/v1/versions");
  ApiResponse r = f.get("/api/v1/versions", "callback=jQuery.cb_1$");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/javascript");
  CHECK(r.body == "jQuery.cb_1$(" + plain.body + ")");
  ApiResponse bad = f.get("/api/v1/versions", "callback=alert(1)");
  CHECK(bad.status == 400);
  CHECK_FALSE(has(bad.body, "alert"));
  CHECK(worker::ApiServer::valid_callback("a.b$_9"));
  CHECK_FALSE(worker::ApiServer::valid_callback(""));
  CHECK_FALSE(worker::ApiServer::valid_callback("a b"));
  CHECK_FALSE(worker::ApiServer::valid_callback("a;b"));
}

TEST_CASE("/metrics: Prometheus text, outside the JSON envelope") {
  Fixture f;
  ApiResponse r = f.get("/metrics");
  CHECK(r.status == 200);
  CHECK(r.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(r.body.rfind("# HELP srs_build_info ", 0) == 0);
  CHECK(has(r.body, "\nsrs_streams 0\n"));
}

TEST_CASE("the allow list refuses other addresses with 403, before anything else") {
  Fixture f;
  conf::Cidr ten;
  REQUIRE(conf::parse_cidr("10.0.0.0/8", &ten).empty());
  f.config.http_api.allow = {ten};
  CHECK(f.get("/api/v1/versions").status == 403);
  CHECK(f.get("/metrics").status == 403);
  CHECK(f.get("/api/v1/nope").status == 403);
  CHECK(f.get("/api/v1/versions", {}, {}, "10.1.2.3").status == 200);
}

TEST_CASE("Basic authentication: 401 with a challenge, 200 with the credentials") {
  Fixture f;
  f.config.http_api.auth = conf::HttpApiAuth{true, "admin", "pw"};
  for (const char* path : {"/api/v1/versions", "/metrics", "/api/v1/streams"}) {
    INFO(path);
    ApiResponse r = f.get(path);
    CHECK(r.status == 401);
    CHECK(r.headers.rfind("WWW-Authenticate: Basic realm=", 0) == 0);
    CHECK(f.get(path, {}, "Basic YWRtaW46cHc=").status != 401);  // admin:pw
    CHECK(f.get(path, {}, "Basic YWRtaW46cHd4").status == 401);  // admin:pwx
  }
}

TEST_CASE("/metrics: reloads and the generation as the master published them") {
  Fixture f;
  shm::MasterStatus& status = f.control.master_status();
  status.set_generation(1);
  CHECK(has(f.get("/metrics").body, "\nsrs_reloads_total{result=\"ok\"} 0\n"));
  (void)status.begin_reload(100);
  status.fail("bad key", 101);
  (void)status.begin_reload(102);
  status.set_pending(2);
  status.succeed(2, 103);
  std::string text = f.get("/metrics").body;
  CHECK(has(text, "\nsrs_reloads_total{result=\"ok\"} 1\n"));
  CHECK(has(text, "\nsrs_reloads_total{result=\"failed\"} 1\n"));
  CHECK(has(text, "\nsrs_generation 2\n"));
}

TEST_CASE("features: our http_server member gives the console the port of its previews") {
  Fixture f;
  f.config.http_server.listen = {conf::Endpoint{"127.0.0.1", 18080}, conf::Endpoint{"", 8081}};
  std::string body = f.get("/api/v1/features").body;
  CHECK(has(body,
            "\"http_server\":{\"enabled\":true,\"listen\":[\"127.0.0.1:18080\",\"8081\"],"
            "\"ports\":[18080,8081]}"));
  CHECK(has(body, "\"features\":{\"ssl\":false,"));  // SRS's members are unchanged
  f.config.http_server.enabled = false;
  CHECK(has(f.get("/api/v1/features").body, "\"http_server\":{\"enabled\":false,"));
}

TEST_CASE("the console's files pass the API's access rules: admit() alone") {
  Fixture f;
  worker::ApiServer api(f.svc, worker::ApiIdentity{"vid-test", "svc12345", 1, 7});
  ApiResponse refusal;
  ApiCall page{"GET", "/console/", {}, {}, "127.0.0.1", {}};
  CHECK(api.admit(page, &refusal));
  f.config.http_api.auth = conf::HttpApiAuth{true, "admin", "secret"};
  CHECK_FALSE(api.admit(page, &refusal));
  CHECK(refusal.status == 401);
  CHECK(has(refusal.headers, "WWW-Authenticate: Basic"));
  page.authorization = "Basic YWRtaW46c2VjcmV0";  // admin:secret
  CHECK(api.admit(page, &refusal));
  conf::Cidr ten;
  REQUIRE(conf::parse_cidr("10.0.0.0/8", &ten).empty());
  f.config.http_api.allow = {ten};
  CHECK_FALSE(api.admit(page, &refusal));
  CHECK(refusal.status == 403);
}
