// HTTP listeners and the drain of idle connections (see http_server.hpp).
#include "worker/http/http_server.hpp"

#include "worker/http/http_conn.hpp"

namespace srs::worker {

HttpServer::HttpServer(Services& svc, ApiIdentity identity)
    : svc_(svc), api_(svc, std::move(identity)), acceptor_(svc, "http") {}

bool HttpServer::listen(int fd, uint8_t services, const std::string& address,
                        const TlsServer* tls) {
  return acceptor_.listen(
      fd, address,
      [this, services](std::unique_ptr<Transport> t, std::string peer) {
        return std::make_unique<HttpConn>(svc_, *this, std::move(t), std::move(peer), services);
      },
      tls);
}

void HttpServer::stop_accepting() {
  acceptor_.stop();
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

}  // namespace srs::worker
