// Connector: one outbound TCP connection, opened without blocking the loop
// (forwarders now; the edge's upstreams next). It resolves the host (a
// numeric address at once, a name through the worker's Resolver, which
// asks DNS asynchronously), then starts connect() on a non-blocking socket
// and hands the socket over: the connection made on it learns that the
// connect finished when the socket turns writable (connect_result()).
//
//   connector_.start(host, port, [this](base::Result<Connected> r) { ... });
//
// The callback runs once, from the loop, never inside start(); destroying
// the Connector (or cancel()) before then cancels the lookup and the call.
#pragma once

#include <event2/dns.h>
#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/fd.hpp"
#include "base/status.hpp"
#include "worker/core/ev.hpp"

namespace srs::worker {

// The worker's DNS client (one evdns base, made on first use).
class Resolver {
 public:
  explicit Resolver(event_base* base) : base_(base) {}
  // Null when it cannot be made (no /etc/resolv.conf): names do not resolve.
  evdns_base* dns();

 private:
  struct DnsFree {
    void operator()(evdns_base* dns) const noexcept;
  };
  event_base* base_;
  std::unique_ptr<evdns_base, DnsFree> dns_;
  bool failed_ = false;
};

struct Connected {
  base::Fd fd;       // non-blocking; connect() under way or done
  std::string peer;  // "ip:port" of the address tried
};

class Connector {
 public:
  using Done = std::function<void(base::Result<Connected>)>;
  Connector(event_base* base, Resolver& resolver);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // Starts (after cancelling what was under way).
  void start(const std::string& host, uint16_t port, Done done);
  void cancel();
  bool busy() const noexcept { return bool(done_); }

 private:
  static void on_resolved_cb(int result, evutil_addrinfo* res, void* arg);
  static void on_ready_cb(evutil_socket_t, short, void* arg);
  void finish(base::Result<Connected> r);
  base::Result<Connected> connect_to(const sockaddr* addr, socklen_t len);

  Resolver& resolver_;
  Done done_;
  std::string host_;
  uint16_t port_ = 0;
  evdns_getaddrinfo_request* lookup_ = nullptr;
  EventPtr ready_;                                  // delivers a result outside start()
  std::optional<base::Result<Connected>> pending_;  // the result ready_ delivers
};

// After the socket turned writable: ok once connected, else why not.
base::Status connect_result(int fd);

}  // namespace srs::worker
