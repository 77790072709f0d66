// The HTTP API router (see api_server.hpp).
#include "worker/api/api_server.hpp"

#include <unistd.h>

#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "proto/http/target.hpp"
#include "worker/api/api_metrics.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {
namespace {

std::string_view trim_slashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

std::string wrap(const std::string& envelope, const std::string& members) {
  if (members.empty()) return "{" + envelope + "}";
  return "{" + envelope + "," + members + "}";
}

std::string error_member(const std::string& text) {
  base::JsonWriter w;
  w.key("error").value(text);
  return w.take();
}

}  // namespace

ApiServer::ApiServer(Services& svc, ApiIdentity identity)
    : svc_(svc), id_(std::move(identity)), system_(svc) {}

std::string ApiServer::envelope(int code) const {
  base::JsonWriter w;
  w.key("code").value(code).key("server").value(id_.server_id).key("service").value(id_.service);
  // SRS sends its pid as a string. Ours is the master's: the server's one
  // process to signal, whichever worker answers.
  uint32_t pid = svc_.control ? svc_.control->header().fixed.master_pid : uint32_t(::getpid());
  w.key("pid").value(std::to_string(pid));
  return w.take();
}

bool ApiServer::valid_callback(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '$';
    if (!ok) return false;
  }
  return true;
}

ApiResponse ApiServer::refuse(const ApiCall& call, int status, const char* why,
                              std::string headers) {
  LOG_INFO("api %.*s %.*s from %.*s refused (%d): %s", int(call.method.size()), call.method.data(),
           int(call.path.size()), call.path.data(), int(call.peer_ip.size()), call.peer_ip.data(),
           status, why);
  ApiResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = wrap(envelope(status), error_member(why));
  return r;
}

ApiResponse ApiServer::metrics() {
  ApiResponse r;
  r.content_type = kMetricsContentType;
  r.body = metrics_text(gather_metrics(svc_, system_.sampler(), id_.server_id, id_.service));
  return r;
}

bool ApiServer::admit(const ApiCall& call, ApiResponse* refusal) {
  const conf::HttpApiConfig& conf = svc_.config->http_api;
  if (!address_allowed(conf.allow, call.peer_ip)) {
    *refusal = refuse(call, 403, "address not in http_api.allow", {});
    return false;
  }
  if (!credentials_ok(conf.auth, call.authorization)) {
    *refusal = refuse(call, 401, "authentication required", basic_challenge());
    return false;
  }
  return true;
}

ApiResponse ApiServer::handle(const ApiCall& call) {
  ApiResponse refusal;
  if (!admit(call, &refusal)) return refusal;
  std::string_view path = trim_slashes(call.path);
  if (path == "/metrics") return metrics();
  std::string callback = proto::http::query_param(call.query, "callback");
  if (!callback.empty() && !valid_callback(callback)) {
    return refuse(call, 400, "bad JSONP callback name", {});
  }
  // JSONP can only GET: ?method= says what the call means (SRS's override).
  std::string method = callback.empty() ? "" : proto::http::query_param(call.query, "method");
  ApiRequest req{method.empty() ? call.method : std::string_view(method), path, call.query,
                 call.body};
  ApiReply reply;
  bool found = system_.route(req, &reply) || route_streams_api(svc_, req, &reply) ||
               route_dvrs_api(svc_, req, &reply) || route_reload_api(svc_, req, &reply);
  if (!found) reply = ApiReply{404, 404, error_member("no such API: " + std::string(path))};
  ApiResponse r;
  r.status = reply.status;
  r.body = wrap(envelope(reply.code), reply.members);
  if (callback.empty()) return r;
  r.content_type = "application/javascript";
  r.body = callback + "(" + r.body + ")";
  return r;
}

}  // namespace srs::worker
