// /api/v1/dvrs (ours): the DVR of every live stream, and recordings started
// and stopped by hand, whatever the configuration says.
//
//   GET    /api/v1/dvrs                  every live stream's DVR
//   GET    /api/v1/dvrs/ID               one (ID: the stream's, "s3-1")
//   POST   /api/v1/dvrs/ID?action=start  record it (until it ends or a stop)
//   POST   /api/v1/dvrs/ID?action=stop   stop recording it (the file is closed)
//   DELETE /api/v1/dvrs/ID               the same as action=stop
//
// A request goes into the stream's registry slot, with its generation (a
// republish starts from the configuration again); the publisher's worker
// acts on it within a second (worker/dvr/dvr_sink.hpp), whichever worker
// answers the call. "recording" says whether a file is open now.
#include <ctime>
#include <string>

#include "base/clock.hpp"
#include "base/json_writer.hpp"
#include "base/log.hpp"
#include "proto/http/target.hpp"
#include "worker/api/api_reply.hpp"
#include "worker/api/api_route.hpp"
#include "worker/api/streams_view.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {
namespace {

using base::JsonWriter;

constexpr int kErrorStreamNotFound = 2048;  // SRS's
constexpr int kErrorBadAction = 2052;       // ours

void write_dvr(JsonWriter& w, const StreamsView& view, const StreamRow& s) {
  const KeyParts k = split_key(s.info.key);
  const VhostRow* vhost = view.vhost_of(s.info.key);
  const conf::DvrConfig* dvr = vhost ? &vhost->config->dvr : nullptr;
  bool configured = dvr && dvr->enabled && dvr->applies_to(k.app, k.stream);
  w.begin_object().key("stream").value(s.id).key("vhost").value(k.vhost);
  w.key("app").value(k.app).key("name").value(k.stream);
  w.key("recording").value(s.info.dvr_recording);
  w.key("configured").value(configured);
  w.key("request").value(shm::dvr_request_name(s.info.dvr_request));
  w.key("path").value(dvr ? dvr->path : std::string()).end_object();
}

void bad_action(ApiReply* reply, std::string_view action) {
  JsonWriter w;
  w.key("error").value("action '" + std::string(action) + "': expected start or stop");
  reply->status = 400;
  reply->code = kErrorBadAction;
  reply->members = w.take();
}

void request(Services& svc, const StreamRow& s, shm::DvrRequest r, ApiReply* reply) {
  svc.control->registry().request_dvr(s.info.slot, s.info.generation, r);
  LOG_INFO("api: dvr of %s (%s): %s requested", s.info.key, s.id.c_str(), shm::dvr_request_name(r));
  JsonWriter w;
  w.key("stream").value(s.id).key("request").value(shm::dvr_request_name(r));
  reply->members = w.take();
}

}  // namespace

bool route_dvrs_api(Services& svc, const ApiRequest& req, ApiReply* reply) {
  std::string_view id;
  if (!under(req.path, "/api/v1/dvrs", &id)) return false;
  const bool get = req.method == "GET";
  const bool change = (req.method == "POST" || req.method == "DELETE") && !id.empty();
  if (!get && !change) {
    method_not_allowed(reply, req.method);
    return true;
  }
  const StreamsView view(*svc.config, *svc.control, nullptr, base::mono_ms(),
                         uint32_t(std::time(nullptr)));
  JsonWriter w;
  if (id.empty()) {
    write_page(w, "dvrs", view.streams(), page_of(req.query),
               [&](const StreamRow& s) { write_dvr(w, view, s); });
    reply->members = w.take();
    return true;
  }
  const StreamRow* s = view.find_stream(id);
  if (!s) {
    not_found(reply, kErrorStreamNotFound, "stream", id);
    return true;
  }
  if (get) {
    w.key("dvr");
    write_dvr(w, view, *s);
    reply->members = w.take();
    return true;
  }
  std::string action =
      req.method == "DELETE" ? "stop" : proto::http::query_param(req.query, "action");
  if (action == "start") {
    request(svc, *s, shm::DvrRequest::kStart, reply);
  } else if (action == "stop") {
    request(svc, *s, shm::DvrRequest::kStop, reply);
  } else {
    bad_action(reply, action);
  }
  return true;
}

}  // namespace srs::worker
