// The HTTP API router (see api_server.hpp).
#include "worker/api_server.hpp"

#include <unistd.h>

#include "base/version.hpp"

namespace srs::worker {
namespace {

// The request path inside a JSON string (RFC 8259 7): it may hold '"' or '\\'.
std::string json_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (uint8_t(c) < 0x20) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string ApiServer::envelope(int code) const {
  return "\"code\":" + std::to_string(code) + ",\"server\":\"" + id_.server_id +
         "\",\"service\":\"" + id_.service + "\",\"pid\":\"" + std::to_string(::getpid()) + "\"";
}

ApiResponse ApiServer::handle(std::string_view /*method*/, std::string_view path,
                              std::string_view /*query*/, std::string_view /*body*/) const {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  ApiResponse r;
  if (path == "/api/v1/versions") {
    r.body = "{" + envelope(0) + ",\"data\":{\"major\":" + std::to_string(base::kVersionMajor) +
             ",\"minor\":" + std::to_string(base::kVersionMinor) +
             ",\"revision\":" + std::to_string(base::kVersionRevision) + ",\"version\":\"" +
             base::kVersion + "\"}}";
    return r;
  }
  if (path == "/api/v1/self") {
    // Our addition: which worker answered (slot and generation).
    r.body = "{" + envelope(0) + ",\"data\":{\"worker_slot\":" + std::to_string(id_.slot) +
             ",\"generation\":" + std::to_string(id_.generation) + "}}";
    return r;
  }
  r.status = 404;
  r.body = "{" + envelope(404) + ",\"error\":\"no such API: " + json_escape(path) + "\"}";
  return r;
}

}  // namespace srs::worker
