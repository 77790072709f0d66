// The listening sockets, owned by the master for the server's whole life.
//
// The master binds every endpoint of the configuration before it forks; the
// workers inherit the descriptors. On reload, a socket whose address stays in
// the new configuration is handed over as it is (never closed and re-bound),
// so a client connecting during a reload is never refused; new addresses are
// bound, and addresses that left the configuration are closed once the old
// generation has been told to stop accepting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "conf/config.hpp"
#include "worker/worker.hpp"

namespace srs::master {

using worker::kServiceApi;
using worker::kServiceHttp;
using worker::kServiceRtmp;
using worker::kServiceTls;
std::string services_name(uint8_t services);

struct Listener {
  std::string address;  // concrete bind address: "0.0.0.0:1935", "[::]:1935", "127.0.0.1:8080"
  uint8_t services = 0;
  base::Fd fd;
};

class ListenerSet {
 public:
  // Binds every endpoint of `config`, taking sockets with the same address
  // from `previous` when given (they move into the new set). Appends one line
  // per failure to `errors` and returns false if any endpoint could not be bound.
  bool open(const conf::Config& config, ListenerSet* previous, std::vector<std::string>* errors);

  const std::vector<Listener>& listeners() const { return listeners_; }
  std::vector<int> fds() const;
  std::string describe() const;  // "rtmp 0.0.0.0:1935, http+api [::]:8080, ..."
  void close_all() { listeners_.clear(); }
  // Takes back the sockets `other` took from this set by address (a reload
  // that failed or was rolled back).
  void take_back(ListenerSet* other);
  // True when this set still holds at least one open socket.
  bool holds_sockets() const;

 private:
  std::vector<Listener> listeners_;
};

}  // namespace srs::master
