// HttpServer: this worker's HTTP listeners (http_server.listen and
// http_api.listen; one socket may carry both) and its HTTP connections.
//
// Each accepted socket becomes an HttpConn owned by the worker's Connections
// (deferred destruction, counted by the drain logic); the server only keeps a
// list of them so that a drain can close the idle keep-alive ones at once
// instead of waiting for their timeout.
#pragma once

#include <list>
#include <memory>
#include <string>
#include <vector>

#include "worker/api/api_server.hpp"
#include "worker/core/services.hpp"
#include "worker/net/acceptor.hpp"

namespace srs::worker {

class HttpConn;

class HttpServer {
 public:
  HttpServer(Services& svc, ApiIdentity identity);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Accepts on `fd` (taken over) for `services` (kServiceHttp and/or
  // kServiceApi), over TLS when `tls` is given.
  bool listen(int fd, uint8_t services, const std::string& address, const TlsServer* tls);
  // Closes this worker's copies of the listeners.
  void stop_accepting();
  // Closes every connection waiting for its next request (a drain).
  void close_idle();

  // --- for connections ---
  ApiServer& api() { return api_; }
  std::list<HttpConn*>::iterator track(HttpConn* conn);
  void untrack(std::list<HttpConn*>::iterator it) { conns_.erase(it); }

 private:
  Services& svc_;
  ApiServer api_;
  Acceptor acceptor_;
  std::list<HttpConn*> conns_;
};

}  // namespace srs::worker
