// HTTP listeners and the drain of idle connections (see http_server.hpp).
#include "worker/http/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>

#include "base/log.hpp"
#include "worker/core/accept_gate.hpp"
#include "worker/core/connections.hpp"
#include "worker/http/http_conn.hpp"

namespace srs::worker {
namespace {

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

}  // namespace

HttpServer::HttpServer(Services& svc, ApiIdentity identity)
    : svc_(svc), api_(svc, std::move(identity)) {}

HttpServer::~HttpServer() {
  stop_accepting();
}

bool HttpServer::listen(int fd, uint8_t services, const std::string& address) {
  auto l = std::make_unique<Listener>();
  l->server = this;
  l->services = services;
  l->listener = evconnlistener_new(svc_.base, on_accept, l.get(),
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
  if (!l->listener) {
    LOG_ERROR("evconnlistener_new(%s) failed while starting the HTTP server of worker slot %u",
              address.c_str(), svc_.slot);
    ::close(fd);
    return false;
  }
  if (svc_.accept_gate) svc_.accept_gate->add(l->listener);
  listeners_.push_back(std::move(l));
  return true;
}

void HttpServer::stop_accepting() {
  for (auto& l : listeners_) {
    if (svc_.accept_gate) svc_.accept_gate->remove(l->listener);
    evconnlistener_free(l->listener);
  }
  listeners_.clear();
}

void HttpServer::close_idle() {
  for (HttpConn* c : conns_) {
    if (c->idle()) c->close("idle keep-alive connection closed for the drain");
  }
}

std::list<HttpConn*>::iterator HttpServer::track(HttpConn* conn) {
  conns_.push_front(conn);
  return conns_.begin();
}

void HttpServer::on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int, void* arg) {
  auto* l = static_cast<Listener*>(arg);
  Services& svc = l->server->svc_;
  if (svc.conns->size() >= svc.config->rtmp.max_connections) {
    LOG_WARN("http client %s refused: %u connections on worker slot %u", peer_text(sa).c_str(),
             svc.config->rtmp.max_connections, svc.slot);
    ::close(fd);
    if (svc.accept_gate) svc.accept_gate->after_accept(svc.config->rtmp.max_connections);
    return;
  }
  evutil_make_socket_nonblocking(fd);
  svc.conns->add(std::make_unique<HttpConn>(svc, *l->server, fd, peer_text(sa), l->services));
  if (svc.accept_gate) svc.accept_gate->after_accept(svc.config->rtmp.max_connections);
}

}  // namespace srs::worker
