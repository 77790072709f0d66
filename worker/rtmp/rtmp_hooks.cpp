// The HTTP callbacks of an RTMP connection (see worker/hooks.hpp): connect,
// publish and play wait for the verdict, close/unpublish/stop are notified.
//
// Waiting never blocks the worker: the connection stops handling what it
// reads (the bytes after the command are held, up to kMaxHeld, then reading
// pauses), every other connection keeps streaming, and when the verdict comes
// the command runs again with its hook passed, then the held bytes are fed.
// Reading on while waiting is how a client that leaves is noticed at once:
// its pending callback is cancelled.
#include <unistd.h>

#include "base/log.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/directory/stream_directory.hpp"
#include "worker/rtmp/rtmp_conn.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr size_t kMaxHeld = 256 * 1024;  // then the socket's buffers hold the rest

}  // namespace

HookInfo RtmpConn::hook_info() const {
  HookInfo info;
  info.client_id = cid().c_str();
  info.ip = std::string(peer_address_ip(peer()));
  info.vhost = vhost_name_;
  info.app = hook_url_.app.empty() ? app_ : hook_url_.app;
  info.stream = hook_url_.stream;
  info.param = hook_url_.param;
  info.tc_url = tc_url_;
  info.page_url = page_url_;
  info.via = upstream_.via;
  info.send_bytes = bytes_out();
  info.recv_bytes = bytes_in();
  return info;
}

bool RtmpConn::hook_allows(HookEvent event, const rtmp::StreamUrl& url, double txn,
                           std::function<bool()> again) {
  if (hook_passed_ == int(event)) {
    hook_passed_ = -1;
    return true;  // the command runs again after its verdict
  }
  if (!vhost_ || !vhost_->http_hooks.enabled || !svc_.hooks) return true;
  hook_url_ = url;
  if (!Hooks::wanted(*vhost_, event)) return true;
  std::string why;
  HookInfo info = hook_info();
  if (event == HookEvent::kPlay)
    info.stream_id = api_stream_id(*svc_.control, vhost_name_ + "/" + url.app + "/" + url.stream);
  auto verdict = [this, event, txn, again = std::move(again)](bool ok, const std::string& w) {
    on_hook_verdict(event, txn, ok, w, again);
  };
  hook_ticket_ = svc_.hooks->check(*vhost_, event, info, std::move(verdict), &why);
  if (hook_ticket_ == 0) {
    on_hook_verdict(event, txn, false, why, nullptr);
    return false;
  }
  LOG_DEBUG("rtmp %s: waiting for the callback", hook_action(event));
  (void)flush_out();
  return false;  // feed() holds what follows
}

// An origin of a cluster takes the stream's lease in the directory first
// (directory/stream_directory.hpp); another origin's lease refuses it.
bool RtmpConn::directory_allows(const rtmp::StreamUrl& url, std::function<bool()> again) {
  if (svc_.directory == nullptr || vhost_->cluster.mode != conf::ClusterMode::kOrigin) return true;
  std::string key = vhost_name_ + "/" + url.app + "/" + url.stream;
  if (directory_claimed_ == key) return true;  // the command runs again after its verdict
  // Live here already: the lease is this server's; Publisher::start refuses
  // the second publisher (or lets it take over) without touching the lease.
  base::Result<shm::StreamInfo> here = svc_.control->registry().find(key);
  if (here.is_ok() && here->state == shm::StreamState::kLive) return true;
  uint64_t ticket = svc_.directory->claim(
      key, cid().c_str(), [this, again = std::move(again)](bool ok, const std::string& why) {
        on_directory_verdict(ok, why, again);
      });
  if (ticket == 0) return true;  // nothing to wait for (redis down: the publish goes on)
  directory_ticket_ = ticket;
  directory_claimed_ = key;
  (void)flush_out();
  return false;  // feed() holds what follows
}

void RtmpConn::on_directory_verdict(bool ok, const std::string& why,
                                    const std::function<bool()>& again) {
  base::LogContext ctx(cid());
  directory_ticket_ = 0;
  if (closing()) return;
  if (ok) {
    if (again() && !closing()) resume_after_hook();
    return;
  }
  directory_claimed_.clear();
  reply_status(rtmp::StatusCode::kPublishBadName, why, 1);
  (void)flush_out();
  close("publish refused: " + why);
}

bool RtmpConn::directory_play(const rtmp::StreamUrl& url, std::function<bool()> again) {
  if (svc_.directory == nullptr || vhost_->cluster.mode != conf::ClusterMode::kOrigin) return true;
  std::string key = vhost_name_ + "/" + url.app + "/" + url.stream;
  if (directory_claimed_ == key) return true;  // the command runs again after the answer
  if (svc_.control->registry().find(key).is_ok()) return true;  // here (or waiting here)
  directory_claimed_ = key;
  directory_ticket_ = svc_.directory->find_holder(
      key, [this, url, again = std::move(again)](const StreamDirectory::Holder& h) {
        on_holder(url, h, again);
      });
  (void)flush_out();
  return false;  // feed() holds what follows
}

void RtmpConn::on_holder(const rtmp::StreamUrl& url, const StreamDirectory::Holder& h,
                         const std::function<bool()>& again) {
  base::LogContext ctx(cid());
  directory_ticket_ = 0;
  if (closing()) return;
  if (svc_.directory->holds_elsewhere(h) && !h.rtmp.empty()) {
    if (svc_.directory->redirect()) return redirect_to(url, h);
    pull_through_ = true;
    LOG_INFO("rtmp play %s/%s/%s: held by origin %s (rtmp %s); pulling it through",
             vhost_name_.c_str(), url.app.c_str(), url.stream.c_str(), h.server.c_str(),
             h.rtmp.c_str());
  }
  if (again() && !closing()) resume_after_hook();
}

// SRS's RTMP 302: the player is told the holder's URL and let go.
void RtmpConn::redirect_to(const rtmp::StreamUrl& url, const StreamDirectory::Holder& h) {
  std::string tc_url = "rtmp://" + h.rtmp + "/" + url.app;
  if (vhost_name_ != conf::kDefaultVhost) tc_url += "?vhost=" + vhost_name_;
  std::string full = "rtmp://" + h.rtmp + "/" + url.app + "/" + url.stream + url.param;
  std::string out;
  rtmp::encode_redirect(out, tc_url, full);
  queue_amf(rtmp::kCsidOverStream, rtmp::kTypeCommandAmf0, 1, out);
  (void)flush_out();
  close("play redirected (RTMP 302) to origin " + h.server + ": " + full);
}

// Bytes that arrive while a verdict is pending: kept for later. False: the
// caller stops feeding.
bool RtmpConn::hold(const uint8_t* data, size_t len) {
  held_.insert(held_.end(), data, data + len);
  if (held_.size() >= kMaxHeld) pause_reading();
  return false;
}

void RtmpConn::on_hook_verdict(HookEvent event, double txn, bool ok, const std::string& why,
                               const std::function<bool()>& again) {
  base::LogContext ctx(cid());
  hook_ticket_ = 0;
  if (closing()) return;
  if (ok) {
    hook_passed_ = int(event);
    bool alive = again();
    hook_passed_ = -1;
    if (alive && !closing()) resume_after_hook();
    return;
  }
  // The client learns which callback refused it, not its URL (it may carry a
  // secret); the log line has the URL and the reply.
  std::string out;
  std::string text = std::string("rejected by the ") + hook_action(event) + " callback";
  switch (event) {
    case HookEvent::kConnect:
      rtmp::encode_connect_error(out, txn, text);
      queue_amf(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, out);
      break;
    case HookEvent::kPublish:
      reply_status(rtmp::StatusCode::kPublishBadName, text, 1);
      break;
    default:
      reply_status(rtmp::StatusCode::kPlayStreamNotFound, text, 1);
      break;
  }
  (void)flush_out();
  close("rejected by " + why);
}

// Feeds what was read before the wait, then reads again (unless a held
// command waits for another verdict).
void RtmpConn::resume_after_hook() {
  std::vector<uint8_t> held = std::move(held_);
  held_.clear();
  if (!held.empty()) (void)feed(held.data(), held.size());  // may close, or wait again
  if (closing() || waiting()) return;
  resume_reading();
  if (publisher_ && !publisher_->flush()) return close("another publisher took the stream over");
  on_writable();
}

void RtmpConn::notify_hook(HookEvent event) {
  if (!vhost_ || !Hooks::wanted(*vhost_, event) || !svc_.hooks) return;
  HookInfo info = hook_info();
  if (event != HookEvent::kClose) {
    info.stream_id = api_stream_id(*svc_.control, vhost_name_ + "/" + info.app + "/" + info.stream);
  }
  svc_.hooks->notify(*vhost_, event, info);
}

void RtmpConn::cancel_hook() {
  if (directory_ticket_ && svc_.directory) svc_.directory->cancel(directory_ticket_);
  directory_ticket_ = 0;
  if (hook_ticket_ && svc_.hooks) svc_.hooks->cancel(hook_ticket_);
  hook_ticket_ = 0;
}

void RtmpConn::stop_play(const char* why) {
  if (!player_) return;
  LOG_DEBUG("rtmp play stopped (%s)", why);
  notify_hook(HookEvent::kStop);
  player_.reset();
}

}  // namespace srs::worker
