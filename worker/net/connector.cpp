// Outbound TCP connections without blocking the loop (see connector.hpp).
#include "worker/net/connector.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

#include "base/log.hpp"

namespace srs::worker {

void Resolver::DnsFree::operator()(evdns_base* dns) const noexcept {
  evdns_base_free(dns, 0);
}

evdns_base* Resolver::dns() {
  if (dns_ || failed_) return dns_.get();
  dns_.reset(evdns_base_new(base_, EVDNS_BASE_INITIALIZE_NAMESERVERS));
  if (!dns_) {
    failed_ = true;
    LOG_WARN("evdns_base_new() failed (no /etc/resolv.conf?): host names will not resolve");
  }
  return dns_.get();
}

Connector::Connector(event_base* base, Resolver& resolver)
    : resolver_(resolver), ready_(make_timer(base, on_ready_cb, this)) {}

Connector::~Connector() {
  cancel();
}

void Connector::cancel() {
  done_ = nullptr;
  pending_.reset();
  event_del(ready_.get());
  if (lookup_ != nullptr) {
    evdns_getaddrinfo_request* lookup = std::exchange(lookup_, nullptr);
    evdns_getaddrinfo_cancel(lookup);  // calls back with EVUTIL_EAI_CANCEL: ignored
  }
}

void Connector::start(const std::string& host, uint16_t port, Done done) {
  cancel();
  done_ = std::move(done);
  host_ = host;
  port_ = port;
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  }
  if (len != 0) return finish(connect_to(reinterpret_cast<sockaddr*>(&ss), len));
  evdns_base* dns = resolver_.dns();
  if (dns == nullptr) return finish(base::Status::fail(base::Errc::kNotFound, "no DNS resolver"));
  evutil_addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  // The callback may run inside this call (a cached or local answer):
  // lookup_ is then never set, and the result waits on ready_.
  evdns_getaddrinfo_request* req = evdns_getaddrinfo(
      dns, host.c_str(), std::to_string(port).c_str(), &hints, on_resolved_cb, this);
  if (done_ && !pending_) lookup_ = req;
}

void Connector::on_resolved_cb(int result, evutil_addrinfo* res, void* arg) {
  auto* self = static_cast<Connector*>(arg);
  if (result == EVUTIL_EAI_CANCEL) return;
  self->lookup_ = nullptr;
  if (result != 0 || res == nullptr) {
    if (res != nullptr) evutil_freeaddrinfo(res);
    // evutil_gai_strerror() returns static text.
    return self->finish(base::Status::fail(base::Errc::kNotFound, evutil_gai_strerror(result)));
  }
  base::Result<Connected> r = self->connect_to(res->ai_addr, socklen_t(res->ai_addrlen));
  evutil_freeaddrinfo(res);
  self->finish(std::move(r));
}

base::Result<Connected> Connector::connect_to(const sockaddr* addr, socklen_t len) {
  base::Fd fd(::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Status::sys("socket");
  int one = 1;
  (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd.get(), addr, len) != 0 && errno != EINPROGRESS) {
    return base::Status::sys("connect");
  }
  char ip[INET6_ADDRSTRLEN] = {};
  const void* any = addr;  // a sockaddr_storage's: aligned for either family (-Wcast-align)
  const void* a = addr->sa_family == AF_INET
                      ? static_cast<const void*>(&static_cast<const sockaddr_in*>(any)->sin_addr)
                      : static_cast<const void*>(&static_cast<const sockaddr_in6*>(any)->sin6_addr);
  (void)inet_ntop(addr->sa_family, a, ip, sizeof ip);
  std::string peer = addr->sa_family == AF_INET6 ? "[" + std::string(ip) + "]" : std::string(ip);
  return Connected{std::move(fd), peer + ":" + std::to_string(port_)};
}

// Results reach the caller from the loop, never from inside start().
void Connector::finish(base::Result<Connected> r) {
  pending_.emplace(std::move(r));
  event_active(ready_.get(), EV_TIMEOUT, 0);
}

void Connector::on_ready_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Connector*>(arg);
  if (!self->pending_ || !self->done_) return;
  Done done = std::move(self->done_);
  self->done_ = nullptr;
  base::Result<Connected> r = std::move(*self->pending_);
  self->pending_.reset();
  done(std::move(r));  // may destroy this Connector: nothing after
}

base::Status connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return base::Status::sys("getsockopt");
  if (err != 0) return base::Status::sys("connect", err);
  return base::Status::ok();
}

}  // namespace srs::worker
