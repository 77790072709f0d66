// Which configured listening addresses cannot all be bound: the same address
// twice, or overlapping ones ("1935" is every address, so it collides with
// "127.0.0.1:1935"). One exception: http_api may list exactly an endpoint of
// http_server (both plain or both TLS), which means "serve the API on the
// HTTP server's port".
#pragma once

#include <string>
#include <vector>

#include "conf/config.hpp"

namespace srs::conf {

struct Listener {
  std::string section;  // "rtmp", "http_server", "http_api"
  std::string path;     // "rtmp.listen[1]"
  int line = 0;         // where it is written, 1-based; 0: a default
  int column = 0;
  Endpoint endpoint;
  bool tls = false;  // a listen_tls entry
};

// Appends one error for each listener that collides with an earlier one,
// placed at the one that is written in the file when the other is a default.
void check_listeners(const std::vector<Listener>& listeners, const std::string& file,
                     std::vector<ConfigError>* errors);

}  // namespace srs::conf
