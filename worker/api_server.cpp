// The HTTP API router (see api_server.hpp).
#include "worker/api_server.hpp"

#include <unistd.h>

#include "base/json_writer.hpp"
#include "base/version.hpp"
#include "worker/services.hpp"

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

}  // namespace

ApiServer::ApiServer(Services& svc, ApiIdentity identity) : svc_(svc), id_(std::move(identity)) {}

std::string ApiServer::envelope(int code) const {
  base::JsonWriter w;
  w.key("code").value(code).key("server").value(id_.server_id).key("service").value(id_.service);
  // SRS sends its pid as a string. Ours is the master's: the server's one
  // process to signal, whichever worker answers.
  uint32_t pid = svc_.control ? svc_.control->header().fixed.master_pid : uint32_t(::getpid());
  w.key("pid").value(std::to_string(pid));
  return w.take();
}

bool ApiServer::route_own(const ApiRequest& req, ApiReply* reply) {
  base::JsonWriter w;
  if (req.path == "/api/v1/versions") {
    w.key("data").begin_object();
    w.key("major").value(base::kVersionMajor).key("minor").value(base::kVersionMinor);
    w.key("revision").value(base::kVersionRevision).key("version").value(base::kVersion);
    w.end_object();
    reply->members = w.take();
    return true;
  }
  if (req.path == "/api/v1/self") {
    // Our addition: which worker answered (slot and generation).
    w.key("data").begin_object();
    w.key("worker_slot").value(id_.slot).key("generation").value(id_.generation);
    w.end_object();
    reply->members = w.take();
    return true;
  }
  return false;
}

ApiResponse ApiServer::handle(const ApiCall& call) {
  ApiRequest req{call.method, trim_slashes(call.path), call.query, call.body};
  ApiReply reply;
  bool found = route_own(req, &reply) || route_streams_api(svc_, req, &reply) ||
               route_reload_api(svc_, req, &reply);
  if (!found) {
    base::JsonWriter w;
    w.key("error").value("no such API: " + std::string(req.path));
    reply = ApiReply{404, 404, w.take()};
  }
  ApiResponse r;
  r.status = reply.status;
  r.body = wrap(envelope(reply.code), reply.members);
  return r;
}

}  // namespace srs::worker
