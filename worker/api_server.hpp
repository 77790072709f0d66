// The HTTP API (SRS-compatible JSON under /api/v1/), as a router independent
// of the transport: HttpConn parses the request on an API listener (or under
// /api/ on a shared HTTP+API listener) and calls handle(). Every reply
// carries the envelope {code, server, service, pid}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::worker {

struct ApiIdentity {
  std::string server_id;  // the server's id (configuration or generated)
  std::string service;    // random per process
  int slot = 0;
  uint32_t generation = 0;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class ApiServer {
 public:
  explicit ApiServer(ApiIdentity identity) : id_(std::move(identity)) {}

  // `path` is the request path without the query; trailing slashes are ignored.
  ApiResponse handle(std::string_view method, std::string_view path, std::string_view query,
                     std::string_view body) const;

 private:
  std::string envelope(int code) const;

  ApiIdentity id_;
};

}  // namespace srs::worker
