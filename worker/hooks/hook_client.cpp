// The asynchronous HTTP client of the callbacks (see hook_client.hpp).
#include "worker/hooks/hook_client.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

// RFC 9110 section 7.2: the port only when it is not the scheme's default.
std::string host_header(const conf::HookUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != url.default_port()) h += ":" + std::to_string(url.port);
  return h;
}

std::string host_port(const conf::HookUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

// The reason text of an OpenSSL error code ("certificate verify failed").
std::string openssl_reason(unsigned long e) {
  const char* reason = ERR_reason_error_string(e);
  if (reason != nullptr) return reason;
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

// Empties this thread's OpenSSL error queue; the reason of its newest entry.
std::string last_openssl_error() {
  unsigned long e = 0;
  for (unsigned long next = ERR_get_error(); next != 0; next = ERR_get_error()) e = next;
  return e == 0 ? "unknown error" : openssl_reason(e);
}

timeval to_timeval(conf::Duration d) {
  int64_t ms = d.count();
  return timeval{time_t(ms / 1000), suseconds_t((ms % 1000) * 1000)};
}

}  // namespace

struct HookClient::Call {
  HookClient* client = nullptr;
  uint64_t id = 0;
  HttpConnPtr conn;  // empty once libevent owns it (a request made: it frees it on completion)
  EventPtr timer;
  int64_t started_ms = 0;
  int64_t timeout_ms = 0;
  int error = -1;  // from the error callback, before the reply callback
  Done done;
  // https only: the connection's SSL (owned by its bufferevent), the first
  // certificate problem the verify callback saw, and why setting up TLS failed
  // (the call then ends with that, from the loop).
  SSL* ssl = nullptr;
  std::string peer;  // "host:port" for messages
  std::string verify_error;
  std::string setup_error;

  // Why the handshake failed, from what OpenSSL left on the bufferevent and
  // the verify callback; empty for a plain connection or no TLS error.
  std::string tls_failure() const {
    if (ssl == nullptr || conn == nullptr) return {};
    // libevent keeps SSL_get_error()'s bare code next to OpenSSL's queue,
    // newest first: the last one popped with a reason is the cause.
    unsigned long cause = 0, any = 0;
    bufferevent* bev = evhttp_connection_get_bufferevent(conn.get());
    for (unsigned long next = bev_error(bev); next != 0; next = bev_error(bev)) {
      any = next;
      if (ERR_reason_error_string(next) != nullptr) cause = next;
    }
    if (any == 0 && verify_error.empty()) return {};
    std::string why = cause != 0             ? openssl_reason(cause)
                      : verify_error.empty() ? openssl_reason(any)
                                             : "certificate verify failed";
    if (!verify_error.empty()) why += ": " + verify_error;
    return "TLS handshake with " + peer + " failed: " + why;
  }
  static unsigned long bev_error(bufferevent* bev) {
    return bev ? bufferevent_get_openssl_error(bev) : 0;
  }

  ~Call() {
    if (ssl) SSL_set_app_data(ssl, nullptr);
    // `conn` goes here, outside libevent's own callbacks only (cancel,
    // timeout, shutdown): a pending request is freed with its connection,
    // without a callback.
  }
};

HookClient::HookClient(event_base* base, size_t max_pending)
    : base_(base), max_pending_(max_pending) {
  reaper_ = make_timer(base_, on_reap_cb, this);
}

HookClient::~HookClient() {
  calls_.clear();
  orphans_.clear();
}

void HookClient::DnsFree::operator()(evdns_base* dns) const noexcept {
  evdns_base_free(dns, 0);
}
void HookClient::SslCtxFree::operator()(ssl_ctx_st* ctx) const noexcept {
  SSL_CTX_free(ctx);
}
void HookClient::HttpConnFree::operator()(evhttp_connection* conn) const noexcept {
  evhttp_connection_free(conn);
}

evdns_base* HookClient::dns() {
  if (dns_) return dns_.get();
  dns_.reset(evdns_base_new(base_, EVDNS_BASE_INITIALIZE_NAMESERVERS));
  if (!dns_)
    LOG_WARN(
        "evdns_base_new() failed (no /etc/resolv.conf?): callback host names will not resolve");
  return dns_.get();
}

namespace {

// Records the first certificate problem of a call (RFC 5280 section 6 path
// validation, RFC 6125 host name), so that its error says which one; the
// handshake still fails as OpenSSL decides (`ok` is returned unchanged).
int on_verify_cb(int ok, X509_STORE_CTX* store) {
  if (ok) return ok;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* error = ssl ? static_cast<std::string*>(SSL_get_app_data(ssl)) : nullptr;
  if (error && error->empty())
    *error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  return ok;
}

}  // namespace

ssl_ctx_st* HookClient::tls_context(const std::string& ca_file, std::string* error) {
  if (auto it = tls_contexts_.find(ca_file); it != tls_contexts_.end()) return it->second.get();
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (ctx == nullptr) {
    *error = "SSL_CTX_new() failed: " + last_openssl_error();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                               : SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr);
  if (loaded != 1) {
    *error = (ca_file.empty() ? std::string("loading the system's CAs")
                              : "loading tls_ca_file " + ca_file) +
             " failed: " + last_openssl_error();
    return nullptr;
  }
  return tls_contexts_.emplace(ca_file, std::move(ctx)).first->second.get();
}

// An evhttp connection over TLS: the SSL is owned by the bufferevent, which
// the connection owns (BEV_OPT_CLOSE_ON_FREE).
HookClient::HttpConnPtr HookClient::connect_tls(const conf::HookUrl& url, evdns_base* dns,
                                                Call* call) {
  SSL_CTX* ctx = tls_context(url.tls_ca_file, &call->setup_error);
  if (ctx == nullptr) return nullptr;
  std::unique_ptr<SSL, decltype(&SSL_free)> owned_ssl(SSL_new(ctx), SSL_free);
  SSL* ssl = owned_ssl.get();
  if (ssl == nullptr) {
    call->setup_error = "SSL_new() failed: " + last_openssl_error();
    return nullptr;
  }
  bool ip = is_ip_literal(url.host);
  if (!ip) SSL_set_tlsext_host_name(ssl, url.host.c_str());
  if (url.tls_verify) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER, on_verify_cb);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
    if (!ip) SSL_set1_host(ssl, url.host.c_str());
  } else {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
  }
  SSL_set_app_data(ssl, &call->verify_error);
  std::unique_ptr<bufferevent, decltype(&bufferevent_free)> bev(
      bufferevent_openssl_socket_new(base_, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS),
      bufferevent_free);
  if (bev == nullptr) {
    call->setup_error = "bufferevent_openssl_socket_new() failed";
    return nullptr;
  }
  (void)owned_ssl.release();  // the bufferevent's now
  // A server that closes without close_notify after a complete reply is fine.
  bufferevent_openssl_set_allow_dirty_shutdown(bev.get(), 1);
  HttpConnPtr conn(
      evhttp_connection_base_bufferevent_new(base_, dns, bev.get(), url.host.c_str(), url.port));
  if (conn == nullptr) {
    call->setup_error = "evhttp_connection_base_bufferevent_new() failed";
    return nullptr;  // the bufferevent goes, and the SSL with it
  }
  (void)bev.release();  // the connection's now
  call->ssl = ssl;
  return conn;
}

HookClient::HttpConnPtr HookClient::connect(const conf::HookUrl& url, Call* call) {
  evdns_base* dns = is_ip_literal(url.host) ? nullptr : this->dns();
  if (url.tls) return connect_tls(url, dns, call);
  return HttpConnPtr(evhttp_connection_base_new(base_, dns, url.host.c_str(), url.port));
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
  call->peer = host_port(url);
  call->conn = connect(url, call.get());
  call->timer = make_timer(base_, on_timeout_cb, call.get());
  if (!call->conn && call->setup_error.empty()) {
    LOG_WARN("evhttp_connection_base_new(%s) failed while calling back %s", url.host.c_str(),
             url.text.c_str());
    return 0;
  }
  if (call->conn && !make_request(url, body, timeout, call->conn.get(), call.get())) return 0;
  // A TLS set-up failure ends the call at once, through the loop like any other.
  timeval tv = call->conn ? to_timeval(timeout) : timeval{0, 0};
  evtimer_add(call->timer.get(), &tv);
  uint64_t id = call->id;
  calls_.emplace(id, std::move(call));
  return id;
}

bool HookClient::make_request(const conf::HookUrl& url, const std::string& body,
                              conf::Duration timeout, evhttp_connection* conn, Call* call) {
  // Ours fires first (the clear "timeout after N ms"); evhttp's is a backstop.
  timeval backstop = to_timeval(timeout + conf::Duration(1000));
  evhttp_connection_set_timeout_tv(conn, &backstop);
  evhttp_connection_set_max_body_size(conn, kMaxBody);
  evhttp_connection_set_max_headers_size(conn, 16 * 1024);
  evhttp_request* req = evhttp_request_new(on_reply_cb, call);
  evhttp_request_set_error_cb(req,
                              [](evhttp_request_error e, void* arg) { on_error_cb(int(e), arg); });
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Host", host_header(url).c_str());
  evhttp_add_header(headers, "Content-Type", "application/json");
  evhttp_add_header(headers, "Connection", "close");
  evbuffer_add(evhttp_request_get_output_buffer(req), body.data(), body.size());
  if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, url.target.c_str()) != 0) {
    LOG_WARN("evhttp_make_request(%s) failed while calling back", url.text.c_str());
    return false;  // the request was freed by libevent; ~Call frees the connection
  }
  evhttp_connection_free_on_completion(conn);
  return true;
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
    call->client->orphans_.push_back(std::move(call->conn));
    event_active(call->client->reaper_.get(), EV_TIMEOUT, 0);
  }
  if (r.status == 0) {
    int saved = errno;
    // A failed connect reaches here without the error callback (libevent 2.1).
    r.error = call->error >= 0 ? request_error_text(call->error) : "could not connect, or no reply";
    if (call->error == EVREQ_HTTP_BUFFER_ERROR && saved != 0)
      r.error += std::string(" (") + std::strerror(saved) + ")";
    if (std::string tls = call->tls_failure(); !tls.empty()) r.error = std::move(tls);
  }
  if (call->ssl) SSL_set_app_data(call->ssl, nullptr);
  call->ssl = nullptr;         // goes with the connection
  (void)call->conn.release();  // libevent frees it after this callback (free on completion)
  if (r.status != 0) {
    evbuffer* in = evhttp_request_get_input_buffer(req);
    size_t n = std::min(evbuffer_get_length(in), kMaxBody);
    r.body.resize(n);
    evbuffer_copyout(in, r.body.data(), n);
  }
  call->client->finish(call, std::move(r));
}

void HookClient::on_reap_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<HookClient*>(arg);
  self->orphans_.clear();
}

void HookClient::on_timeout_cb(evutil_socket_t, short, void* arg) {
  auto* call = static_cast<Call*>(arg);
  HookResult r;
  r.error = call->setup_error.empty()
                ? "timeout after " + std::to_string(call->timeout_ms) + " ms"
                : "TLS with " + call->peer + " not attempted: " + call->setup_error;
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
