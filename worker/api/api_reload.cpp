// The reload routes of the HTTP API: SRS's raw API (/api/v1/raw) and our
// /api/v1/reload. Both read the master's verdict from the control region
// (shm/master_status.hpp); rpc=reload asks the master to reload with SIGHUP,
// exactly as `kill -HUP` or `srs-ctl reload` would.
//
//   GET /api/v1/raw?rpc=raw            the raw API settings (always answered)
//   GET /api/v1/raw?rpc=reload         SIGHUP to the master, when http_api.raw_api
//                                      .enabled and .allow_reload; else code 1061
//   GET /api/v1/raw?rpc=reload-fetch   data:{err, msg, state, rid} (SRS 5.0.176)
//   GET /api/v1/reload                 data: our whole reload status
#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "base/json_writer.hpp"
#include "proto/http/target.hpp"
#include "shm/master_status.hpp"
#include "worker/api/api_route.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {
namespace {

// SRS's error codes (srs_kernel_error.hpp).
constexpr int kKillFailed = 1058;     // ERROR_SYSTEM_KILL
constexpr int kRawFailed = 1060;      // ERROR_SYSTEM_CONFIG_RAW: unknown rpc
constexpr int kRawDisabled = 1061;    // ERROR_SYSTEM_CONFIG_RAW_DISABLED
constexpr int kConfigInvalid = 1023;  // ERROR_SYSTEM_CONFIG_INVALID: a failed reload
constexpr int kUnavailable = 1000;    // no control region (unit tests): nothing to report

// SRS 5's SrsReloadState: init 0, parsing 10, transforming 20, applying 30, finished 90.
int srs_reload_state(shm::ReloadState s) {
  switch (s) {
    case shm::ReloadState::kIdle:
      return 0;
    case shm::ReloadState::kInProgress:
      return 30;
    case shm::ReloadState::kSucceeded:
    case shm::ReloadState::kFailed:
      return 90;
  }
  return 0;
}

// The status is 4 KiB of text: on the heap, not on the worker's stack.
std::unique_ptr<shm::ReloadStatus> read_status(const Services& svc) {
  if (svc.control == nullptr) return nullptr;
  auto status = std::make_unique<shm::ReloadStatus>();
  if (!svc.control->master_status().read(status.get())) return nullptr;
  return status;
}

void write_error_lines(std::string_view text, base::JsonWriter* w) {
  w->begin_array();
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    if (!line.empty()) w->value(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  w->end_array();
}

void reply_raw_settings(const Services& svc, ApiReply* reply) {
  const conf::HttpApiConfig& api = svc.config->http_api;
  base::JsonWriter w;
  w.key("http_api").begin_object();
  w.key("enabled").value(api.enabled);
  w.key("crossdomain").value(api.crossdomain);
  w.key("raw_api").begin_object();
  w.key("enabled").value(api.raw_api.enabled);
  w.key("allow_reload").value(api.raw_api.allow_reload);
  w.key("allow_query").value(false);   // removed from SRS (#2653)
  w.key("allow_update").value(false);  // removed from SRS (#2653)
  w.end_object();
  w.end_object();
  reply->members = w.take();
}

void reply_raw_reload(const Services& svc, ApiReply* reply) {
  if (!svc.config->http_api.raw_api.allow_reload) {
    reply->code = kRawDisabled;
    return;
  }
  const uint32_t master = svc.control ? svc.control->header().fixed.master_pid : 0;
  if (master == 0 || ::kill(pid_t(master), SIGHUP) != 0) {
    base::JsonWriter w;
    w.key("error").value(std::string("kill(master, SIGHUP) failed: ") + std::strerror(errno));
    reply->code = kKillFailed;
    reply->members = w.take();
  }
}

void reply_raw_reload_fetch(const Services& svc, ApiReply* reply) {
  auto s = read_status(svc);
  if (!s) {
    reply->code = kUnavailable;
    return;
  }
  const bool failed = s->state == shm::ReloadState::kFailed;
  base::JsonWriter w;
  w.key("data").begin_object();
  w.key("err").value(failed ? kConfigInvalid : 0);
  w.key("msg").value(failed ? s->error_text() : std::string_view("Success"));
  w.key("state").value(srs_reload_state(s->state));
  w.key("rid").value(std::to_string(s->seq));
  w.end_object();
  reply->members = w.take();
}

void route_raw(const Services& svc, const ApiRequest& req, ApiReply* reply) {
  const std::string rpc = proto::http::query_param(req.query, "rpc");
  if (rpc == "raw") return reply_raw_settings(svc, reply);
  if (!svc.config->http_api.raw_api.enabled) {
    reply->code = kRawDisabled;
    return;
  }
  if (rpc == "reload") return reply_raw_reload(svc, reply);
  if (rpc == "reload-fetch") return reply_raw_reload_fetch(svc, reply);
  reply->code = kRawFailed;
}

void route_reload(const Services& svc, ApiReply* reply) {
  auto s = read_status(svc);
  if (!s) {
    reply->code = kUnavailable;
    return;
  }
  base::JsonWriter w;
  w.key("data").begin_object();
  w.key("seq").value(s->seq);
  w.key("state").value(shm::reload_state_name(s->state));
  w.key("generation").value(s->generation);
  w.key("pending_generation").value(s->pending);
  w.key("reloads_ok").value(s->reloads_ok);
  w.key("reloads_failed").value(s->reloads_failed);
  w.key("started_at").value(s->started_at);
  w.key("finished_at").value(s->finished_at);
  w.key("errors");
  write_error_lines(s->error_text(), &w);
  w.end_object();
  reply->members = w.take();
}

}  // namespace

bool route_reload_api(Services& svc, const ApiRequest& req, ApiReply* reply) {
  if (req.path != "/api/v1/raw" && req.path != "/api/v1/reload") return false;
  if (req.method != "GET") {
    reply->status = 405;
    reply->code = 405;
    return true;
  }
  if (req.path == "/api/v1/raw") {
    route_raw(svc, req, reply);
  } else {
    route_reload(svc, reply);
  }
  return true;
}

}  // namespace srs::worker
