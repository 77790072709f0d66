// The asynchronous HTTP client of the callbacks (see hook_client.hpp).
#include "worker/hook_client.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cerrno>
#include <cstring>

#include "base/clock.hpp"
#include "base/log.hpp"

namespace srs::worker {
namespace {

const char* request_error_text(int error) {
  switch (error) {
    case EVREQ_HTTP_TIMEOUT:
      return "timeout";
    case EVREQ_HTTP_EOF:
      return "connection closed before a complete reply";
    case EVREQ_HTTP_INVALID_HEADER:
      return "malformed reply";
    case EVREQ_HTTP_BUFFER_ERROR:
      return "connect or I/O error";
    case EVREQ_HTTP_DATA_TOO_LONG:
      return "reply too large";
    default:
      return "request failed";
  }
}

bool is_ip_literal(const std::string& host) {
  in6_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1 || inet_pton(AF_INET6, host.c_str(), &a) == 1;
}

std::string host_header(const conf::HookUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != 80) h += ":" + std::to_string(url.port);
  return h;
}

timeval to_timeval(conf::Duration d) {
  int64_t ms = d.count();
  return timeval{time_t(ms / 1000), suseconds_t((ms % 1000) * 1000)};
}

}  // namespace

struct HookClient::Call {
  HookClient* client = nullptr;
  uint64_t id = 0;
  evhttp_connection* conn = nullptr;  // null once libevent owns its end
  event* timer = nullptr;
  int64_t started_ms = 0;
  int64_t timeout_ms = 0;
  int error = -1;  // from the error callback, before the reply callback
  Done done;

  ~Call() {
    if (timer) event_free(timer);
    // Outside libevent's own callbacks only (cancel, timeout, shutdown): a
    // pending request is freed with its connection, without a callback.
    if (conn) evhttp_connection_free(conn);
  }
};

HookClient::HookClient(event_base* base, size_t max_pending)
    : base_(base), max_pending_(max_pending) {
  reaper_ = evtimer_new(base_, on_reap_cb, this);
}

HookClient::~HookClient() {
  calls_.clear();
  on_reap_cb(-1, 0, this);
  if (reaper_) event_free(reaper_);
  if (dns_) evdns_base_free(dns_, 0);
}

evdns_base* HookClient::dns() {
  if (dns_) return dns_;
  dns_ = evdns_base_new(base_, EVDNS_BASE_INITIALIZE_NAMESERVERS);
  if (!dns_)
    LOG_WARN(
        "evdns_base_new() failed (no /etc/resolv.conf?): callback host names will not resolve");
  return dns_;
}

uint64_t HookClient::post(const conf::HookUrl& url, const std::string& body, conf::Duration timeout,
                          Done done) {
  if (calls_.size() >= max_pending_) {
    LOG_WARN("callback %s not called: %zu callbacks already pending in this worker (the limit)",
             url.text.c_str(), calls_.size());
    return 0;
  }
  auto call = std::make_unique<Call>();
  call->client = this;
  call->id = next_id_++;
  call->started_ms = base::mono_ms();
  call->timeout_ms = timeout.count();
  call->done = std::move(done);
  evdns_base* dns = is_ip_literal(url.host) ? nullptr : this->dns();
  call->conn = evhttp_connection_base_new(base_, dns, url.host.c_str(), url.port);
  if (!call->conn) {
    LOG_WARN("evhttp_connection_base_new(%s) failed while calling back %s", url.host.c_str(),
             url.text.c_str());
    return 0;
  }
  // Ours fires first (the clear "timeout after N ms"); evhttp's is a backstop.
  timeval backstop = to_timeval(timeout + conf::Duration(1000));
  evhttp_connection_set_timeout_tv(call->conn, &backstop);
  evhttp_connection_set_max_body_size(call->conn, kMaxBody);
  evhttp_connection_set_max_headers_size(call->conn, 16 * 1024);
  evhttp_request* req = evhttp_request_new(on_reply_cb, call.get());
  evhttp_request_set_error_cb(req,
                              [](evhttp_request_error e, void* arg) { on_error_cb(int(e), arg); });
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Host", host_header(url).c_str());
  evhttp_add_header(headers, "Content-Type", "application/json");
  evhttp_add_header(headers, "Connection", "close");
  evbuffer_add(evhttp_request_get_output_buffer(req), body.data(), body.size());
  if (evhttp_make_request(call->conn, req, EVHTTP_REQ_POST, url.target.c_str()) != 0) {
    LOG_WARN("evhttp_make_request(%s) failed while calling back", url.text.c_str());
    return 0;  // the request was freed by libevent; ~Call frees the connection
  }
  evhttp_connection_free_on_completion(call->conn);
  call->timer = evtimer_new(base_, on_timeout_cb, call.get());
  timeval tv = to_timeval(timeout);
  evtimer_add(call->timer, &tv);
  uint64_t id = call->id;
  calls_.emplace(id, std::move(call));
  return id;
}

void HookClient::cancel(uint64_t id) {
  calls_.erase(id);  // ~Call frees the connection and its request: no callback
}

void HookClient::on_error_cb(int error, void* arg) {
  static_cast<Call*>(arg)->error = error;
}

void HookClient::on_reply_cb(evhttp_request* req, void* arg) {
  auto* call = static_cast<Call*>(arg);
  HookResult r;
  r.status = req ? evhttp_request_get_response_code(req) : 0;
  // A reply, or an error through evhttp_connection_fail_ (req null): libevent
  // frees the connection after this callback (free on completion). A failed
  // connect (req without a status, libevent 2.1's evhttp_connection_cb_cleanup)
  // leaves it to us: freed once this callback has returned.
  if (req && r.status == 0 && call->conn) {
    call->client->orphans_.push_back(call->conn);
    event_active(call->client->reaper_, EV_TIMEOUT, 0);
  }
  call->conn = nullptr;
  if (r.status == 0) {
    int saved = errno;
    // A failed connect reaches here without the error callback (libevent 2.1).
    r.error = call->error >= 0 ? request_error_text(call->error) : "could not connect, or no reply";
    if (call->error == EVREQ_HTTP_BUFFER_ERROR && saved != 0)
      r.error += std::string(" (") + std::strerror(saved) + ")";
  } else {
    evbuffer* in = evhttp_request_get_input_buffer(req);
    size_t n = std::min(evbuffer_get_length(in), kMaxBody);
    r.body.resize(n);
    evbuffer_copyout(in, r.body.data(), n);
  }
  call->client->finish(call, std::move(r));
}

void HookClient::on_reap_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<HookClient*>(arg);
  for (evhttp_connection* conn : self->orphans_) evhttp_connection_free(conn);
  self->orphans_.clear();
}

void HookClient::on_timeout_cb(evutil_socket_t, short, void* arg) {
  auto* call = static_cast<Call*>(arg);
  HookResult r;
  r.error = "timeout after " + std::to_string(call->timeout_ms) + " ms";
  call->client->finish(call, std::move(r));  // ~Call frees the connection (not inside its callback)
}

void HookClient::finish(Call* call, HookResult result) {
  result.elapsed_ms = base::mono_ms() - call->started_ms;
  auto it = calls_.find(call->id);
  if (it == calls_.end()) return;
  std::unique_ptr<Call> owned = std::move(it->second);
  calls_.erase(it);
  Done done = std::move(owned->done);
  owned.reset();  // before `done`, which may post the next call
  if (done) done(result);
}

}  // namespace srs::worker
