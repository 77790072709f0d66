// The HTTP callbacks of an HTTP-FLV play (see worker/hooks.hpp): on_play
// before the stream starts (the request waits for the verdict; refused: 403),
// on_stop when the connection ends.
//
// While waiting, the connection is in its streaming state: process() parses
// no further request, and bytes the client sends are dropped, as for a
// player. The verdict re-runs the request's FLV route with its hook passed.
#include "base/log.hpp"
#include "proto/http/target.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/http/http_conn.hpp"
#include "worker/stream/ring_player.hpp"

namespace srs::worker {
namespace {

namespace http = proto::http;

}  // namespace

bool HttpConn::flv_hook_allows(const http::Request& req, const std::string& path,
                               std::string_view query, const conf::VhostConfig& vhost,
                               const std::string& app, const std::string& stream) {
  if (hook_passed_) {
    hook_passed_ = false;
    return true;
  }
  if (!vhost.http_hooks.enabled || !svc_.hooks) return true;
  auto info = std::make_unique<HookInfo>();
  info->client_id = cid().c_str();
  info->ip = std::string(peer_address_ip(peer()));
  info->vhost = vhost.name;
  info->app = app;
  info->stream = stream;
  info->stream_id = api_stream_id(*svc_.control, vhost.name + "/" + app + "/" + stream);
  if (!query.empty()) info->param = "?" + std::string(query);
  const std::string* host = req.find("Host");
  info->tc_url = "http://" + (host ? *host : std::string("localhost")) + "/" + app;
  if (const std::string* referer = req.find("Referer")) info->page_url = *referer;
  hook_vhost_ = &vhost;
  if (!Hooks::wanted(vhost, HookEvent::kPlay)) {
    flv_hook_ = std::move(info);
    return true;
  }
  std::string why;
  HookInfo copy = *info;
  auto again = [this, req, path, q = std::string(query),
                info = std::shared_ptr<HookInfo>(std::move(info))] {
    flv_hook_ = std::make_unique<HookInfo>(*info);
    hook_passed_ = true;
    (void)handle_flv(req, path, q);
  };
  hook_ticket_ = svc_.hooks->check(
      vhost, HookEvent::kPlay, copy,
      [this, again = std::move(again)](bool ok, const std::string& w) {
        on_flv_verdict(ok, w, again);
      },
      &why);
  if (hook_ticket_ == 0) {
    on_flv_verdict(false, why, nullptr);
    return false;
  }
  state_ = State::kStreaming;  // no further request is parsed until the verdict
  return false;
}

void HttpConn::on_flv_verdict(bool ok, const std::string& why, const std::function<void()>& again) {
  base::LogContext ctx(cid());
  hook_ticket_ = 0;
  if (closing()) return;
  if (ok) {
    again();
    hook_passed_ = false;
    return;
  }
  state_ = State::kWriting;
  keep_alive_ = false;
  reply_error(403, "rejected by " + why);
  if (send_response()) process();
}

void HttpConn::end_flv_hooks() {
  if (directory_ticket_ && svc_.directory) svc_.directory->cancel(directory_ticket_);
  directory_ticket_ = 0;
  if (hook_ticket_ && svc_.hooks) svc_.hooks->cancel(hook_ticket_);
  hook_ticket_ = 0;
  if (!flv_hook_ || !hook_vhost_ || !svc_.hooks) return;
  std::unique_ptr<HookInfo> info = std::move(flv_hook_);  // once
  svc_.hooks->notify(*hook_vhost_, HookEvent::kStop, *info);
}

}  // namespace srs::worker
