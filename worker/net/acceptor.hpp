// Acceptor: this worker's copies of listening sockets of one kind, and what
// happens to each accepted socket: refused when the worker is full
// (rtmp.max_connections), otherwise made non-blocking, given a transport
// (plain, or TLS on a TLS listener) and
// handed to the connection factory of its listener; the accept gate
// (core/accept_gate.hpp) hears of every accept, and pauses the listeners
// while this worker holds more than its share.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "worker/core/connections.hpp"
#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"
#include "worker/net/tls_server.hpp"
#include "worker/net/transport.hpp"

struct sockaddr;

namespace srs::worker {

class Acceptor {
 public:
  // Makes the connection of an accepted socket (owned by Connections).
  using Factory = std::function<std::unique_ptr<Connection>(std::unique_ptr<Transport> transport,
                                                            std::string peer)>;

  // `kind` names the listeners in log lines ("rtmp", "http").
  Acceptor(Services& svc, const char* kind);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Accepts on `fd` (taken over, closed on failure) with `make`; with
  // `tls`, each client speaks TLS first (its transport is a TlsTransport).
  bool listen(int fd, const std::string& address, Factory make, const TlsServer* tls = nullptr);
  // Closes this worker's copies of the listeners (a drain).
  void stop();
  size_t size() const { return listeners_.size(); }

 private:
  struct Listener {
    Acceptor* acceptor = nullptr;
    Factory make;
    const TlsServer* tls = nullptr;
    ListenerPtr listener;
  };
  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int, void* arg);

  Services& svc_;
  const char* kind_;
  std::vector<std::unique_ptr<Listener>> listeners_;
};

// "1.2.3.4:5678" or "[::1]:5678".
std::string peer_text(const sockaddr* sa);

}  // namespace srs::worker
