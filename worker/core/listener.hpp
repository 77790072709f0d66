// What the master hands a worker for each listening socket: the descriptor
// and what it serves. The entry point (worker.hpp) and the rooms that accept
// (rtmp/, http/) share these names.
#pragma once

#include <cstdint>
#include <string>

namespace srs::worker {

// What a listening socket serves (a bitmask: http and api may share one
// port); kServiceTls: its clients speak TLS first (RTMPS, HTTPS).
enum Service : uint8_t { kServiceRtmp = 1, kServiceHttp = 2, kServiceApi = 4, kServiceTls = 8 };

struct ListenerFd {
  int fd = -1;
  uint8_t services = 0;
  std::string address;
};

}  // namespace srs::worker
