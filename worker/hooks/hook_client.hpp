// HookClient: the worker's asynchronous HTTP client for the callbacks
// (worker/hooks.hpp says which events and what they mean): one POST of a
// JSON body to one URL, answered later from the loop with the status, the
// body and the time it took.
//
// Built on libevent's evhttp client: it already speaks HTTP/1.1 responses
// (Content-Length, chunked, read-until-close), resolves host names through
// evdns without blocking, and lives on the worker's own loop. Each call gets
// its own connection (Connection: close; callbacks are rare next to media),
// freed by libevent when the reply is done (evhttp_connection_free_on_completion).
//
// Bounded:
//   - every call ends within its timeout (our own timer: evhttp's timeouts
//     are per read or write, so a server trickling bytes could outlast them);
//   - at most kMaxPending calls at once per worker: post() refuses more;
//   - a reply body is read up to kMaxBody bytes (more is an error).
// cancel(): the call's connection is freed at once and `done` never runs,
// so a client that leaves while its callback is pending costs nothing more.
//
// https:// URLs go through the same evhttp connection over an OpenSSL
// bufferevent (same timeout, bounds and cancel). The SSL_CTX is made at the
// first https call, one per CA file (tls_ca_file; "" for the system's CAs),
// and lives as long as the client, that is one worker generation: a reload
// reads the CA file again. TLS 1.2 at least (RFC 8996 retired 1.0 and 1.1);
// SNI for host names (RFC 6066 section 3: never for IP literals); unless
// tls_verify is false, the chain is verified and so is the host name or IP
// (RFC 6125 section 6). A failed handshake says why in HookResult.error:
// "TLS handshake with 127.0.0.1:8443 failed: certificate verify failed:
// self-signed certificate".
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "conf/config.hpp"
#include "worker/core/ev.hpp"

struct evdns_base;
struct evhttp_connection;
struct evhttp_request;
struct ssl_ctx_st;

namespace srs::worker {

struct HookResult {
  int status = 0;     // the HTTP status; 0 when no reply (see error)
  std::string body;   // the reply's body (up to kMaxBody)
  std::string error;  // "timeout after 5000 ms", "connection refused"...; empty with a reply
  int64_t elapsed_ms = 0;
};

class HookClient {
 public:
  static constexpr size_t kMaxPending = 512;
  static constexpr size_t kMaxBody = 64 * 1024;

  using Done = std::function<void(const HookResult&)>;

  explicit HookClient(event_base* base, size_t max_pending = kMaxPending);
  ~HookClient();  // cancels every pending call (no `done` runs)
  HookClient(const HookClient&) = delete;
  HookClient& operator=(const HookClient&) = delete;

  // Starts POSTing `body` (application/json) to `url`. `done` runs later, from
  // the loop, exactly once unless cancelled. Returns the call's id, or 0 when
  // kMaxPending calls are already pending or the request could not be made.
  uint64_t post(const conf::HookUrl& url, const std::string& body, conf::Duration timeout,
                Done done);
  // `done` of call `id` will not run; a finished or unknown id is ignored.
  void cancel(uint64_t id);
  size_t pending() const { return calls_.size(); }

 private:
  struct Call;
  struct HttpConnFree {
    void operator()(evhttp_connection* conn) const noexcept;
  };
  using HttpConnPtr = std::unique_ptr<evhttp_connection, HttpConnFree>;
  HttpConnPtr connect(const conf::HookUrl& url, Call* call);
  HttpConnPtr connect_tls(const conf::HookUrl& url, evdns_base* dns, Call* call);
  ssl_ctx_st* tls_context(const std::string& ca_file, std::string* error);
  bool make_request(const conf::HookUrl& url, const std::string& body, conf::Duration timeout,
                    evhttp_connection* conn, Call* call);
  static void on_reply_cb(evhttp_request* req, void* arg);
  static void on_error_cb(int error, void* arg);
  static void on_timeout_cb(evutil_socket_t, short, void* arg);
  static void on_reap_cb(evutil_socket_t, short, void* arg);
  void finish(Call* call, HookResult result);
  evdns_base* dns();

  event_base* base_;
  size_t max_pending_;
  // Owners of what the calls share; each frees its object in hook_client.cpp.
  struct DnsFree {
    void operator()(evdns_base* dns) const noexcept;
  };
  struct SslCtxFree {
    void operator()(ssl_ctx_st* ctx) const noexcept;
  };

  std::unique_ptr<evdns_base, DnsFree> dns_;  // made at the first host name (none for IP literals)
  // https: one SSL_CTX per CA file ("" is the system's), made at first use.
  std::unordered_map<std::string, std::unique_ptr<ssl_ctx_st, SslCtxFree>> tls_contexts_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Call>> calls_;
  // Connections libevent left to us (a failed connect), freed after the
  // callback that reported them has returned.
  std::vector<HttpConnPtr> orphans_;
  EventPtr reaper_;
};

}  // namespace srs::worker
