// The HTTP API (SRS-compatible JSON under /api/v1/, and /metrics), as a
// router independent of the transport: HttpConn parses the request on an API
// listener (or under /api/ on a shared HTTP+API listener) and calls handle().
//
// handle() applies, in order: the allow list (403), HTTP Basic authentication
// (401), the JSONP method override (?method=), then the routes: the system
// family here (api_system.cpp, api_metrics.cpp), then route_streams_api, then
// route_reload_api, else 404. Every JSON reply carries the envelope
// {code, server, service, pid} before the route's members; with
// ?callback=fn it is wrapped as fn(...) (JSONP).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/api/api_access.hpp"
#include "worker/api/api_route.hpp"
#include "worker/api/api_system.hpp"

namespace srs::worker {

struct Services;

struct ApiIdentity {
  std::string server_id;  // the server's id (configuration or generated)
  std::string service;    // random per process
  int slot = 0;
  uint32_t generation = 0;
};

// One request as HttpConn saw it.
struct ApiCall {
  std::string_view method;
  std::string_view path;   // without the query
  std::string_view query;  // raw, without '?'
  std::string_view body;
  std::string_view peer_ip;        // the client's address, without port or brackets
  std::string_view authorization;  // the Authorization header; empty if none
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string headers;  // extra header lines, each ending "\r\n" (WWW-Authenticate)
  std::string body;
};

class ApiServer {
 public:
  // `svc` outlives the server (both belong to the worker). The allow list and
  // credentials come from svc.config->http_api.
  ApiServer(Services& svc, ApiIdentity identity);

  ApiResponse handle(const ApiCall& call);

  // The allow list (403) and Basic authentication (401) alone, for what is
  // served with the API's access rules but is not JSON (the web console):
  // true when `call` may pass; else `refusal` is the response to send.
  bool admit(const ApiCall& call, ApiResponse* refusal);

  // The envelope members {code, server, service, pid} (no braces).
  std::string envelope(int code) const;

  // JSONP (?callback=NAME): NAME must be letters, digits, '_', '.' or '$'
  // (what a browser console's JSONP helpers generate), so that it cannot
  // inject script of its own.
  static bool valid_callback(std::string_view name);

 private:
  ApiResponse refuse(const ApiCall& call, int status, const char* why, std::string headers);
  ApiResponse metrics();

  Services& svc_;
  ApiIdentity id_;
  SystemApi system_;
};

}  // namespace srs::worker
