// What one family of HTTP API routes answers (worker/api_*.cpp); the router
// (ApiServer::handle) adds the envelope {code, server, service, pid} and
// applies JSONP, so a route writes only its own members.
#pragma once

#include <string>
#include <string_view>

namespace srs::worker {

struct Services;

struct ApiRequest {
  std::string_view method;  // "GET", "DELETE", ... (after a JSONP ?method= override)
  std::string_view path;    // without the query, trailing slashes removed
  std::string_view query;   // raw, without '?'
  std::string_view body;
};

struct ApiReply {
  int status = 200;     // HTTP status
  int code = 0;         // the envelope's code: 0 success, else an SRS error code
  std::string members;  // JSON members after the envelope, no leading comma:
                        // "\"data\":{...}" or "\"streams\":[...]"; may be empty
};

// Each returns false when `req.path` is not one of its routes.
// worker/api_streams.cpp: /api/v1/vhosts, /api/v1/streams, /api/v1/clients
bool route_streams_api(Services& svc, const ApiRequest& req, ApiReply* reply);
// worker/api_dvrs.cpp: /api/v1/dvrs (ours: start and stop recordings)
bool route_dvrs_api(Services& svc, const ApiRequest& req, ApiReply* reply);
// worker/api_reload.cpp: /api/v1/raw (rpc=reload, rpc=reload-fetch), /api/v1/reload
bool route_reload_api(Services& svc, const ApiRequest& req, ApiReply* reply);

}  // namespace srs::worker
