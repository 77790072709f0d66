// The commands of an RTMP connection (Adobe RTMP 1.0 section 7.2, and the
// de-facto FMLE/OBS/ffmpeg ones): connect, createStream, publish, play...
#include <unistd.h>

#include <type_traits>
#include <variant>

#include "base/log.hpp"
#include "base/version.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "proto/rtmp/url.hpp"
#include "worker/access/gatekeeper.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/edge/edge.hpp"
#include "worker/forward/via.hpp"
#include "worker/rtmp/rtmp_conn.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr uint32_t kWindowAckSize = 2500000;  // SRS's out_ack_size
constexpr uint32_t kPeerBandwidth = 2500000;

}  // namespace

void RtmpConn::reply_status(rtmp::StatusCode code, const std::string& description,
                            uint32_t stream_id) {
  std::string payload;
  rtmp::encode_on_status(payload, code, description, {}, cid().c_str());
  queue_amf(rtmp::kCsidOverStream, rtmp::kTypeCommandAmf0, stream_id, payload);
}

bool RtmpConn::on_command(const rtmp::Message& msg) {
  bool amf3 = msg.header.type_id == rtmp::kTypeCommandAmf3;
  base::Result<rtmp::Command> decoded =
      rtmp::decode_command(msg.payload.data(), msg.payload.size(), amf3);
  if (!decoded.is_ok()) {
    close("malformed command: " + decoded.status().to_string());
    return false;
  }
  const rtmp::Command& cmd = *decoded;
  if (!connected_ && !std::holds_alternative<rtmp::ConnectCommand>(cmd)) {
    close("command " + rtmp::command_name(cmd) + " before connect");
    return false;
  }
  return std::visit(
      [this](const auto& c) -> bool {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, rtmp::GenericCommand>) {
          return on_unknown_command(c.name, c.txn);
        } else if constexpr (std::is_same_v<T, rtmp::ReceiveAudioCommand> ||
                             std::is_same_v<T, rtmp::ReceiveVideoCommand> ||
                             std::is_same_v<T, rtmp::FcSubscribeCommand> ||
                             std::is_same_v<T, rtmp::ResultCommand> ||
                             std::is_same_v<T, rtmp::OnStatusCommand> ||
                             std::is_same_v<T, rtmp::OnBwDoneCommand>) {
          return true;  // nothing to answer
        } else {
          return handle(c);
        }
      },
      cmd);
}

void RtmpConn::reply(const std::string& payload) {
  queue_amf(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, payload);
}

bool RtmpConn::handle(const rtmp::CreateStreamCommand& c) {
  std::string out;
  rtmp::encode_create_stream_result(out, c.txn, next_stream_id_++);
  reply(out);
  return true;
}

bool RtmpConn::handle(const rtmp::ReleaseStreamCommand& c) {
  publish_name_ = c.name;
  std::string out;
  rtmp::encode_simple_result(out, c.txn);
  reply(out);
  return true;
}

bool RtmpConn::handle(const rtmp::FcPublishCommand& c) {
  fmle_ = true;
  publish_name_ = c.name;
  std::string out;
  rtmp::encode_simple_result(out, c.txn);
  reply(out);
  return true;
}

bool RtmpConn::handle(const rtmp::FcUnpublishCommand& c) {
  on_unpublish("FCUnpublish");
  std::string out;
  rtmp::encode_simple_result(out, c.txn);
  reply(out);
  return true;
}

bool RtmpConn::handle(const rtmp::PlayCommand& c) {
  return on_play(c.name, c.txn);
}
bool RtmpConn::handle(const rtmp::Play2Command& c) {
  return on_play(c.name, c.txn);
}

bool RtmpConn::handle(const rtmp::DeleteStreamCommand&) {
  on_unpublish("deleteStream");
  stop_play("deleteStream");
  return true;
}

bool RtmpConn::handle(const rtmp::CloseStreamCommand&) {
  on_unpublish("closeStream");
  stop_play("closeStream");
  return true;
}

bool RtmpConn::handle(const rtmp::PauseCommand& c) {
  if (!player_) return true;
  player_->pause(c.pause);
  reply_status(c.pause ? rtmp::StatusCode::kPauseNotify : rtmp::StatusCode::kUnpauseNotify,
               c.pause ? "Paused stream." : "Unpaused stream.", 1);
  return true;
}

bool RtmpConn::handle(const rtmp::GetStreamLengthCommand& c) {
  std::string out;
  rtmp::encode_stream_length_result(out, c.txn, 0);
  reply(out);
  return true;
}

bool RtmpConn::handle(const rtmp::CheckBwCommand& c) {
  std::string out;
  rtmp::encode_check_bw_result(out, c.txn);
  reply(out);
  return true;
}

bool RtmpConn::on_unknown_command(const std::string& name, double txn) {
  std::string out;
  rtmp::encode_call_error(out, txn, "unknown command " + name);
  reply(out);
  (void)flush_out();
  close("unknown command '" + name.substr(0, 64) + "'");
  return false;
}

bool RtmpConn::handle(const rtmp::ConnectCommand& c) {
  tc_url_ = c.tc_url;
  object_encoding_ = c.object_encoding;
  base::Result<rtmp::StreamUrl> url = rtmp::parse_stream_url(c.tc_url, "");
  std::string why;
  const conf::VhostConfig* vhost = nullptr;
  if (!url.is_ok()) {
    why = "bad tcUrl '" + c.tc_url + "': " + url.status().to_string();
  } else {
    app_ = url->app;
    vhost = svc_.config->find_vhost(url->vhost);
    if (!vhost)
      why = "vhost '" + url->vhost + "' is not configured";
    else if (!vhost->enabled)
      why = "vhost '" + vhost->name + "' is disabled";
  }
  std::string out;
  if (!why.empty()) {
    rtmp::encode_connect_error(out, c.txn, why);
    queue_amf(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, out);
    (void)flush_out();
    close("connect rejected: " + why);
    return false;
  }
  vhost_ = vhost;
  vhost_name_ = vhost->name;
  page_url_ = c.page_url;
  if (hooks_on() &&
      !hook_allows(HookEvent::kConnect, *url, c.txn, [this, c] { return handle(c); })) {
    return !closing();
  }
  connected_ = true;
  LOG_INFO("rtmp connect tcUrl=%s app=%s vhost=%s flashVer=%s",
           rtmp::redact_param(c.tc_url).c_str(), app_.c_str(), vhost_name_.c_str(),
           c.flash_ver.c_str());
  if (!c.args.empty()) upstream_ = rtmp::peer_identity_from(c.args[0]);
  if (!upstream_.empty()) {
    // A forwarder or edge announcing itself: its log lines carry this cid.
    LOG_INFO("rtmp connect from upstream server=%s version=%s pid=%.0f cid=%s ip=%s via=%s",
             upstream_.server.c_str(), upstream_.version.c_str(), upstream_.pid,
             upstream_.id.c_str(), upstream_.server_ip.c_str(), upstream_.via.c_str());
  }
  queue_control(rtmp::make_window_ack_size(kWindowAckSize));
  queue_control(rtmp::make_set_peer_bandwidth(kPeerBandwidth, rtmp::LimitType::kDynamic));
  queue_control(rtmp::make_set_chunk_size(svc_.config->rtmp.chunk_size));
  writer_.set_chunk_size(svc_.config->rtmp.chunk_size);
  rtmp::ConnectResult r;
  r.txn = c.txn;
  r.object_encoding = c.object_encoding;
  r.server = base::server_signature();
  r.version = base::kVersion;
  r.pid = double(::getpid());
  r.context_id = cid().c_str();
  rtmp::encode_connect_result(out, r);
  queue_amf(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, out);
  out.clear();
  rtmp::encode_on_bw_done(out);
  queue_amf(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, out);
  return true;
}

bool RtmpConn::resolve(const std::string& stream_name, rtmp::StreamUrl* url, std::string* why) {
  base::Result<rtmp::StreamUrl> parsed = rtmp::parse_stream_url(tc_url_, stream_name);
  if (!parsed.is_ok()) {
    *why = "bad stream url: " + parsed.status().to_string();
    return false;
  }
  if (base::Status s = rtmp::validate_stream_name(parsed->stream); !s.is_ok()) {
    *why = "bad stream name '" + parsed->stream.substr(0, 64) + "': " + s.to_string();
    return false;
  }
  // A vhost in the stream's parameters overrides the tcUrl's (SRS 3 rule).
  const conf::VhostConfig* vhost = svc_.config->find_vhost(parsed->vhost);
  if (!vhost) {
    *why = "vhost '" + parsed->vhost + "' is not configured";
    return false;
  }
  if (!vhost->enabled) {
    *why = "vhost '" + vhost->name + "' is disabled";
    return false;
  }
  vhost_ = vhost;
  vhost_name_ = vhost->name;
  *url = std::move(*parsed);
  return true;
}

// The vhost's access rules (access/gatekeeper.hpp): the token in the
// stream's parameters, the page URL of connect. False: refused, told and closed.
bool RtmpConn::admitted(AccessAction action, const rtmp::StreamUrl& url) {
  if (svc_.gatekeeper == nullptr) return true;
  std::string token = rtmp::query_value(url.param, "token");
  Visitor visitor{peer_address_ip(peer()), token, page_url_};
  AccessVerdict v = svc_.gatekeeper->admit(*vhost_, action, url.app, url.stream, visitor);
  if (v.allowed)
    v = svc_.gatekeeper->within_limits(*vhost_, action,
                                       vhost_name_ + "/" + url.app + "/" + url.stream);
  if (v.allowed) return true;
  bool publish = action == AccessAction::kPublish;
  reply_status(publish ? rtmp::StatusCode::kPublishBadName : rtmp::StatusCode::kPlayStreamNotFound,
               v.why, 1);
  (void)flush_out();
  close(std::string(publish ? "publish " : "play ") + vhost_name_ + "/" + url.app + "/" +
        url.stream + " refused: " + v.why);
  return false;
}

bool RtmpConn::handle(const rtmp::PublishCommand& c) {
  rtmp::StreamUrl url;
  std::string why;
  if (publisher_ || player_)
    why = "this connection already publishes or plays";
  else if (svc_.draining)
    why = "the server is reloading; publish again";
  else if (came_through(upstream_.via, svc_.server_id))
    why = "forward loop: the stream already went through this server (" + svc_.server_id +
          "; via " + upstream_.via + ")";
  if (!why.empty() || !resolve(c.name, &url, &why)) {
    reply_status(rtmp::StatusCode::kPublishBadName, why, 1);
    (void)flush_out();
    close("publish refused: " + why);
    return false;
  }
  if (!admitted(AccessAction::kPublish, url)) return false;
  if (!directory_allows(url, [this, c] { return handle(c); })) return !closing();
  if (hooks_on() &&
      !hook_allows(HookEvent::kPublish, url, c.txn, [this, c] { return handle(c); })) {
    return !closing();
  }
  std::string key = vhost_name_ + "/" + url.app + "/" + url.stream;
  bool busy = false;
  HookInfo source = hook_info();  // for on_hls and on_dvr
  source.app = url.app;
  source.stream = url.stream;
  source.param = url.param;
  publisher_ = Publisher::start(svc_, key, *vhost_, source, &why, &busy);
  if (!publisher_) {
    reply_status(rtmp::StatusCode::kPublishBadName, why, 1);
    (void)flush_out();
    close("publish " + key + " refused: " + why);
    return false;
  }
  LOG_INFO("rtmp publish %s (param '%s', %s flow)", key.c_str(),
           rtmp::redact_param(url.param).c_str(), fmle_ ? "FMLE" : "Flash");
  client().describe(fmle_ ? shm::ClientType::kFmlePublish : shm::ClientType::kFlashPublish,
                    publisher_->slot(), publisher_->generation(), key);
  std::string out;
  if (fmle_) {
    rtmp::encode_on_fc_publish(out);
    queue_amf(rtmp::kCsidOverStream, rtmp::kTypeCommandAmf0, 1, out);
  }
  reply_status(rtmp::StatusCode::kPublishStart, "Started publishing stream.", 1);
  return true;
}

void RtmpConn::on_unpublish(const char* why) {
  if (!publisher_) return;
  LOG_INFO("rtmp unpublish %s (%s), %llu messages", publisher_->key().c_str(), why,
           (unsigned long long)publisher_->messages());
  notify_hook(HookEvent::kUnpublish);
  directory_claimed_.clear();  // its lease goes with the publish
  publisher_->stop();
  publisher_.reset();
  if (fmle_) {
    std::string out;
    rtmp::encode_on_fc_unpublish(out);
    queue_amf(rtmp::kCsidOverStream, rtmp::kTypeCommandAmf0, 1, out);
  }
  reply_status(rtmp::StatusCode::kUnpublishSuccess, "Stream is now unpublished.", 1);
}

bool RtmpConn::on_play(const std::string& name, double txn) {
  (void)txn;
  rtmp::StreamUrl url;
  std::string why;
  if (publisher_ || player_) why = "this connection already publishes or plays";
  if (!why.empty() || !resolve(name, &url, &why)) {
    reply_status(rtmp::StatusCode::kPlayStreamNotFound, why, 1);
    (void)flush_out();
    close("play refused: " + why);
    return false;
  }
  if (!admitted(AccessAction::kPlay, url)) return false;
  if (!directory_play(url, [this, name, txn] { return on_play(name, txn); })) return !closing();
  if (hooks_on() &&
      !hook_allows(HookEvent::kPlay, url, txn, [this, name, txn] { return on_play(name, txn); })) {
    return !closing();
  }
  std::string key = vhost_name_ + "/" + url.app + "/" + url.stream;
  LOG_INFO("rtmp play %s (param '%s')", key.c_str(), rtmp::redact_param(url.param).c_str());
  if (vhost_->cluster.mode == conf::ClusterMode::kEdge && svc_.edge != nullptr) {
    HookInfo player = hook_info();
    player.app = url.app;
    player.stream = url.stream;
    player.param = url.param;
    svc_.edge->want(key, *vhost_, player);
  } else if (pull_through_ && svc_.edge != nullptr) {
    HookInfo player = hook_info();
    player.app = url.app;
    player.stream = url.stream;
    player.param = url.param;
    svc_.edge->pull_through(key, *vhost_, player);
  }
  client().describe(shm::ClientType::kRtmpPlay, shm::kNoSlot, 0, key);
  queue_user_control(rtmp::make_user_control(rtmp::UserControlEvent::kStreamBegin, 1));
  reply_status(rtmp::StatusCode::kPlayReset, "Playing and resetting stream.", 1);
  reply_status(rtmp::StatusCode::kPlayStart, "Started playing stream.", 1);
  std::string out;
  rtmp::encode_sample_access(out);
  queue_amf(rtmp::kCsidOverStream, rtmp::kTypeDataAmf0, 1, out);
  framing_ = std::make_unique<RtmpFraming>(writer_, 1, cid().c_str());
  player_ = std::make_unique<RingPlayer>(svc_, *this, *framing_, key, *vhost_);
  player_->start();
  return true;
}

}  // namespace srs::worker
