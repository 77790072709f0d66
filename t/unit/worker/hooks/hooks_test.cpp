// HTTP callbacks end to end inside one loop: the JSON a callback server
// receives, the verdict across URLs, timeouts, a client that leaves while its
// callback is pending, the cap on pending calls. The callback server is
// libevent's evhttp on 127.0.0.1 in the same loop.
#include "worker/hooks/hooks.hpp"

#include <doctest/doctest.h>
#include <event2/buffer.h>
#include <event2/http.h>

#include <map>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "t/unit/worker/event_loop_fixture.hpp"

using namespace srs;
using namespace srs::worker;
using namespace std::chrono_literals;

namespace {

// A callback server: each path answers with a fixed status and body, or not at all ("hang").
struct CallbackServer {
  struct Reply {
    int status = 200;
    std::string body = "0";
    bool hang = false;
    bool chunked = false;  // Transfer-Encoding: chunked, one byte per chunk
  };
  event_base* base;
  evhttp* http = nullptr;
  uint16_t port = 0;
  std::map<std::string, Reply> replies;
  std::vector<std::pair<std::string, std::string>> received;  // path, body
  std::vector<evhttp_request*> held;

  explicit CallbackServer(event_base* b) : base(b) {
    http = evhttp_new(base);
    evhttp_set_gencb(http, on_request, this);
    evhttp_bound_socket* s = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    REQUIRE(s);
    sockaddr_in sin{};
    socklen_t len = sizeof sin;
    getsockname(evhttp_bound_socket_get_fd(s), reinterpret_cast<sockaddr*>(&sin), &len);
    port = ntohs(sin.sin_port);
  }
  ~CallbackServer() { evhttp_free(http); }

  static void on_request(evhttp_request* req, void* arg) {
    auto* self = static_cast<CallbackServer*>(arg);
    std::string path = evhttp_request_get_uri(req);
    evbuffer* in = evhttp_request_get_input_buffer(req);
    std::string body(evbuffer_get_length(in), '\0');
    evbuffer_copyout(in, body.data(), body.size());
    self->received.emplace_back(path, body);
    Reply r = self->replies.count(path) ? self->replies[path] : Reply{};
    if (r.hang) return self->held.push_back(req);
    if (r.chunked) {
      evhttp_send_reply_start(req, r.status, "X");
      for (char c : r.body) {
        evbuffer* piece = evbuffer_new();
        evbuffer_add(piece, &c, 1);
        evhttp_send_reply_chunk(req, piece);
        evbuffer_free(piece);
      }
      return evhttp_send_reply_end(req);
    }
    evbuffer* out = evbuffer_new();
    evbuffer_add(out, r.body.data(), r.body.size());
    evhttp_send_reply(req, r.status, "X", out);
    evbuffer_free(out);
  }

  conf::HookUrl url(const std::string& path) const {
    conf::HookUrl u;
    std::string text = "http://127.0.0.1:" + std::to_string(port) + path;
    REQUIRE(conf::parse_hook_url(text, &u).empty());
    return u;
  }
};

using srs::test::Loop;

struct Outcome {
  bool called = false;
  bool ok = false;
  std::string why;
};

conf::VhostConfig vhost_with(HookEvent, std::vector<conf::HookUrl> urls,
                             conf::Duration timeout = 2s) {
  conf::VhostConfig v{conf::kDefaultVhost};
  v.http_hooks.enabled = true;
  v.http_hooks.timeout = timeout;
  v.http_hooks.on_publish = urls;
  v.http_hooks.on_unpublish = urls;
  return v;
}

HookInfo info() {
  HookInfo i;
  i.client_id = "abc12345";
  i.ip = "127.0.0.1";
  i.vhost = conf::kDefaultVhost;
  i.app = "live";
  i.stream = "cam";
  i.param = "?token=good";
  i.tc_url = "rtmp://127.0.0.1/live";
  return i;
}

}  // namespace

TEST_CASE("hook payloads carry SRS's field names") {
  HookInfo i = info();
  std::string publish = hook_payload(HookEvent::kPublish, i, "srv1", "svc1");
  CHECK(
      publish ==
      "{\"server_id\":\"srv1\",\"service_id\":\"svc1\",\"action\":\"on_publish\",\"client_id\":"
      "\"abc12345\","
      "\"ip\":\"127.0.0.1\",\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"stream\":\"cam\","
      "\"param\":\"?token=good\",\"tcUrl\":\"rtmp://127.0.0.1/live\",\"stream_url\":\"/live/cam\","
      "\"stream_id\":\"\"}");
  std::string connect = hook_payload(HookEvent::kConnect, i, "srv1", "svc1");
  CHECK(connect.find("\"action\":\"on_connect\"") != std::string::npos);
  CHECK(connect.find("\"pageUrl\":\"\"") != std::string::npos);
  CHECK(connect.find("\"stream\"") == std::string::npos);
  i.send_bytes = 1000;
  i.recv_bytes = 2000;
  std::string close = hook_payload(HookEvent::kClose, i, "s", "v");
  CHECK(close.find("\"send_bytes\":1000,\"recv_bytes\":2000") != std::string::npos);
  i.vhost = "v.example";
  i.duration_s = 2.5;
  i.file = "./objs/nginx/html/live/cam-3.ts";
  i.url = "live/cam-3.ts";
  i.seq_no = 3;
  std::string hls = hook_payload(HookEvent::kHls, i, "s", "v");
  CHECK(hls.find("\"stream_url\":\"v.example/live/cam\"") != std::string::npos);
  CHECK(hls.find("\"duration\":2.5,") != std::string::npos);
  CHECK(hls.find("\"seq_no\":3}") != std::string::npos);
  CHECK(hls.find("\"url\":\"live/cam-3.ts\"") != std::string::npos);
  i.cwd = "/srv";
  i.file = "./objs/nginx/html/live/cam.1.flv";
  std::string dvr = hook_payload(HookEvent::kDvr, i, "s", "v");
  CHECK(dvr.find("\"action\":\"on_dvr\"") != std::string::npos);
  CHECK(dvr.find("\"cwd\":\"/srv\",\"file\":\"./objs/nginx/html/live/cam.1.flv\"}") !=
        std::string::npos);
  CHECK(dvr.find("\"seq_no\"") == std::string::npos);
}

TEST_CASE("hooks disabled or without URLs are not wanted") {
  conf::VhostConfig v{conf::kDefaultVhost};
  CHECK_FALSE(Hooks::wanted(v, HookEvent::kPublish));
  v.http_hooks.enabled = true;
  CHECK_FALSE(Hooks::wanted(v, HookEvent::kPublish));
  v.http_hooks.on_publish.push_back(conf::HookUrl{"127.0.0.1", 80, "/", "http://127.0.0.1/"});
  CHECK(Hooks::wanted(v, HookEvent::kPublish));
  CHECK_FALSE(Hooks::wanted(v, HookEvent::kPlay));
}

TEST_CASE("the verdict across URLs: all accept, or the first rejection wins") {
  Loop loop;
  CallbackServer server(loop.base);
  server.replies["/no"] = {200, "{\"code\":403}"};
  HookClient client(loop.base);
  Hooks hooks(client, "srv", "svc");
  std::string why;

  SUBCASE("two URLs accept") {
    conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url("/a"), server.url("/b?k=v")});
    Outcome o;
    uint64_t t = hooks.check(
        v, HookEvent::kPublish, info(),
        [&](bool ok, const std::string& w) {
          o = {true, ok, w};
        },
        &why);
    CHECK(t != 0);
    CHECK_FALSE(o.called);  // never synchronously
    loop.run_until([&] { return o.called; });
    CHECK(o.ok);
    REQUIRE(server.received.size() == 2);
    CHECK(server.received[0].first == "/a");
    CHECK(server.received[1].first == "/b?k=v");
    CHECK(server.received[0].second.find("\"param\":\"?token=good\"") != std::string::npos);
    CHECK(hooks.pending() == 0);
    CHECK(client.pending() == 0);
  }
  SUBCASE("the first rejection wins; later URLs are not called") {
    conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url("/no"), server.url("/a")});
    Outcome o;
    (void)hooks.check(
        v, HookEvent::kPublish, info(),
        [&](bool ok, const std::string& w) {
          o = {true, ok, w};
        },
        &why);
    loop.run_until([&] { return o.called; });
    CHECK(o.called);
    CHECK_FALSE(o.ok);
    CHECK(o.why.find("/no") != std::string::npos);
    CHECK(server.received.size() == 1);
  }
  SUBCASE("HTTP 500 rejects") {
    server.replies["/err"] = {500, "0"};
    conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url("/err")});
    Outcome o;
    (void)hooks.check(
        v, HookEvent::kPublish, info(),
        [&](bool ok, const std::string& w) {
          o = {true, ok, w};
        },
        &why);
    loop.run_until([&] { return o.called; });
    CHECK(o.called);
    CHECK_FALSE(o.ok);
    CHECK(o.why.find("HTTP 500") != std::string::npos);
  }
  SUBCASE("a notification calls every URL even after a failure") {
    conf::VhostConfig v = vhost_with(HookEvent::kUnpublish, {server.url("/no"), server.url("/a")});
    hooks.notify(v, HookEvent::kUnpublish, info());
    loop.run_until([&] { return server.received.size() == 2 && hooks.pending() == 0; });
    CHECK(server.received.size() == 2);
    CHECK(server.received[0].second.find("\"action\":\"on_unpublish\"") != std::string::npos);
  }
}

TEST_CASE("a callback server that never answers: rejected after the timeout") {
  Loop loop;
  CallbackServer server(loop.base);
  server.replies["/hang"] = {200, "0", true};
  HookClient client(loop.base);
  Hooks hooks(client, "srv", "svc");
  conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url("/hang")}, 300ms);
  Outcome o;
  std::string why;
  int64_t start = base::mono_ms();
  (void)hooks.check(
      v, HookEvent::kPublish, info(),
      [&](bool ok, const std::string& w) {
        o = {true, ok, w};
      },
      &why);
  loop.run_until([&] { return o.called; });
  int64_t elapsed = base::mono_ms() - start;
  CHECK(o.called);
  CHECK_FALSE(o.ok);
  CHECK(o.why.find("timeout after 300 ms") != std::string::npos);
  CHECK(elapsed >= 290);
  CHECK(elapsed < 1500);
  for (evhttp_request* r : server.held) evhttp_send_reply(r, 200, "OK", nullptr);
}

TEST_CASE("a refused connection rejects") {
  Loop loop;
  HookClient client(loop.base);
  Hooks hooks(client, "srv", "svc");
  conf::HookUrl closed;
  {
    CallbackServer gone(loop.base);
    closed = gone.url("/x");
  }  // the port is closed now
  conf::VhostConfig v = vhost_with(HookEvent::kPublish, {closed});
  Outcome o;
  std::string why;
  (void)hooks.check(
      v, HookEvent::kPublish, info(),
      [&](bool ok, const std::string& w) {
        o = {true, ok, w};
      },
      &why);
  loop.run_until([&] { return o.called; });
  CHECK(o.called);
  CHECK_FALSE(o.ok);
}

TEST_CASE("a client that leaves while its callback is pending: cancelled, never called back") {
  Loop loop;
  CallbackServer server(loop.base);
  server.replies["/hang"] = {200, "0", true};
  HookClient client(loop.base);
  Hooks hooks(client, "srv", "svc");
  conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url("/hang")}, 300ms);
  bool called = false;
  std::string why;
  uint64_t t = hooks.check(
      v, HookEvent::kPublish, info(), [&](bool, const std::string&) { called = true; }, &why);
  loop.run_until([&] { return !server.held.empty(); });
  REQUIRE(server.held.size() == 1);
  hooks.cancel(t);
  hooks.cancel(t);  // twice: harmless
  CHECK(hooks.pending() == 0);
  CHECK(client.pending() == 0);
  loop.run_until([] { return false; }, 500);  // past the timeout
  CHECK_FALSE(called);
  for (evhttp_request* r : server.held) evhttp_send_reply(r, 200, "OK", nullptr);
}

TEST_CASE("the cap on pending calls refuses more, at once") {
  Loop loop;
  CallbackServer server(loop.base);
  server.replies["/hang"] = {200, "0", true};
  HookClient client(loop.base, 2);
  Hooks hooks(client, "srv", "svc");
  conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url("/hang")}, 300ms);
  std::string why;
  int verdicts = 0;
  auto count = [&](bool, const std::string&) { verdicts++; };
  CHECK(hooks.check(v, HookEvent::kPublish, info(), count, &why) != 0);
  CHECK(hooks.check(v, HookEvent::kPublish, info(), count, &why) != 0);
  CHECK(hooks.check(v, HookEvent::kPublish, info(), count, &why) == 0);
  CHECK(why.find("too many pending") != std::string::npos);
  loop.run_until([&] { return verdicts == 2; });
  CHECK(verdicts == 2);
  for (evhttp_request* r : server.held) evhttp_send_reply(r, 200, "OK", nullptr);
}

TEST_CASE("a host name is resolved without blocking (evdns, /etc/hosts)") {
  Loop loop;
  CallbackServer server(loop.base);
  HookClient client(loop.base);
  Hooks hooks(client, "srv", "svc");
  conf::HookUrl by_name;
  REQUIRE(
      conf::parse_hook_url("http://localhost:" + std::to_string(server.port) + "/named", &by_name)
          .empty());
  conf::VhostConfig v = vhost_with(HookEvent::kPublish, {by_name});
  Outcome o;
  std::string why;
  (void)hooks.check(
      v, HookEvent::kPublish, info(),
      [&](bool ok, const std::string& w) {
        o = {true, ok, w};
      },
      &why);
  loop.run_until([&] { return o.called; });
  CHECK(o.called);
  CHECK(o.ok);
  REQUIRE(server.received.size() == 1);
  CHECK(server.received[0].first == "/named");
}

TEST_CASE("replies as real callback servers send them: chunked, oversized, JSON with code") {
  Loop loop;
  CallbackServer server(loop.base);
  server.replies["/chunked"] = {200, "{\"code\": 0}", false, true};
  server.replies["/big"] = {200, std::string(HookClient::kMaxBody + 1000, ' ') + "0"};
  server.replies["/created"] = {201, "0"};
  HookClient client(loop.base);
  Hooks hooks(client, "srv", "svc");
  auto verdict_of = [&](const char* path) {
    conf::VhostConfig v = vhost_with(HookEvent::kPublish, {server.url(path)});
    Outcome o;
    std::string why;
    (void)hooks.check(
        v, HookEvent::kPublish, info(),
        [&](bool ok, const std::string& w) {
          o = {true, ok, w};
        },
        &why);
    loop.run_until([&] { return o.called; });
    CHECK(o.called);
    return o;
  };
  CHECK(verdict_of("/chunked").ok);
  CHECK(verdict_of("/created").ok);
  Outcome big = verdict_of("/big");
  CHECK_FALSE(big.ok);
  CHECK(big.why.find("too large") != std::string::npos);
}
