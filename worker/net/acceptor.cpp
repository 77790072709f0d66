// Accepting connections (see acceptor.hpp).
#include "worker/net/acceptor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cstring>

#include "base/log.hpp"
#include "worker/core/accept_gate.hpp"
#include "worker/core/client_entry.hpp"

namespace srs::worker {

std::string peer_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, sa, sizeof in);
    inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in.sin_port));
  }
  sockaddr_in6 in6{};
  if (sa->sa_family == AF_INET6) {
    std::memcpy(&in6, sa, sizeof in6);
    inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
  }
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6.sin6_port));
}

namespace {

// The whole server's connections from the peer's address, against
// rtmp.max_connections_per_ip (the client table counts them, shm/address_table.hpp).
bool over_address_limit(Services& svc, const std::string& peer) {
  const uint32_t limit = svc.config->rtmp.max_connections_per_ip;
  return limit > 0 && svc.control->clients().connections_from(peer_address_ip(peer)) >= limit;
}

}  // namespace

Acceptor::Acceptor(Services& svc, const char* kind) : svc_(svc), kind_(kind) {}

Acceptor::~Acceptor() {
  stop();
}

bool Acceptor::listen(int fd, const std::string& address, Factory make, const TlsServer* tls) {
  auto l = std::make_unique<Listener>();
  l->acceptor = this;
  l->make = std::move(make);
  l->tls = tls;
  l->listener.reset(evconnlistener_new(svc_.base, on_accept, l.get(),
                                       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd));
  if (!l->listener) {
    LOG_ERROR("evconnlistener_new(%s) failed while starting the %s listeners of worker slot %u",
              address.c_str(), kind_, svc_.slot);
    ::close(fd);
    return false;
  }
  if (svc_.accept_gate) svc_.accept_gate->add(l->listener.get());
  listeners_.push_back(std::move(l));
  return true;
}

void Acceptor::stop() {
  for (auto& l : listeners_) {
    if (svc_.accept_gate) svc_.accept_gate->remove(l->listener.get());
  }
  listeners_.clear();
}

void Acceptor::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int, void* arg) {
  auto* l = static_cast<Listener*>(arg);
  Acceptor& self = *l->acceptor;
  Services& svc = self.svc_;
  const uint32_t max = svc.config->rtmp.max_connections;
  base::Fd owned(fd);
  std::string peer = peer_text(sa);
  if (svc.conns->size() >= max) {
    LOG_WARN("%s client %s refused: max_connections %u reached on worker slot %u", self.kind_,
             peer.c_str(), max, svc.slot);
  } else if (over_address_limit(svc, peer)) {
    svc.control->workers().counters(svc.slot).refused_per_ip.fetch_add(1,
                                                                       std::memory_order_relaxed);
    LOG_WARN("%s client %s refused: its address holds rtmp.max_connections_per_ip %u connections",
             self.kind_, peer.c_str(), svc.config->rtmp.max_connections_per_ip);
  } else {
    evutil_make_socket_nonblocking(fd);
    // No Nagle delay: a player's first frame (and every small command
    // reply) goes out at once instead of ~40 ms later behind an unacked segment.
    int one = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::unique_ptr<Transport> transport;
    std::string error;
    if (l->tls == nullptr) {
      transport = std::make_unique<PlainTransport>(std::move(owned));
    } else {
      transport = l->tls->wrap(std::move(owned), &error);
    }
    if (transport) {
      std::unique_ptr<Connection> conn = l->make(std::move(transport), std::move(peer));
      Connection* added = conn.get();
      svc.conns->add(std::move(conn));
      if (svc.config->rtmp.max_connections_per_ip > 0 && !added->client().listed()) {
        // Unlisted, it would be counted nowhere and pass any per-IP limit.
        svc.control->workers().counters(svc.slot).refused_per_ip.fetch_add(
            1, std::memory_order_relaxed);
        added->close(
            "refused: the client table is full (shm.max_clients), so "
            "rtmp.max_connections_per_ip cannot count this connection");
      }
    } else {
      LOG_ERROR("%s client %s refused: %s", self.kind_, peer.c_str(), error.c_str());
    }
  }
  if (svc.accept_gate) svc.accept_gate->after_accept(max);
}

}  // namespace srs::worker
