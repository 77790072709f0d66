// A forwarder's connection to its destination (see forward_conn.hpp).
#include "worker/forward/forward_conn.hpp"

#include "base/log.hpp"

namespace srs::worker {

namespace rtmp = proto::rtmp;

ForwardConn::ForwardConn(Services& svc, Owner& owner, base::ContextId id, Connected connected,
                         rtmp::ClientConfig config, std::string key, const conf::VhostConfig& vhost)
    : RtmpClientConn(svc, id, std::move(connected), std::move(config), "forward",
                     shm::ClientType::kRtmpForward, std::move(key)),
      owner_(&owner),
      vhost_(vhost) {
  client().describe(shm::ClientType::kRtmpForward, shm::kNoSlot, 0, what());
}

ForwardConn::~ForwardConn() {
  if (owner_ != nullptr) owner_->on_forward_gone();
}

void ForwardConn::on_send_ready() {
  if (player_) {
    (void)player_->on_writable();
    return;
  }
  (void)flush_out();
}

bool ForwardConn::on_session_event(rtmp::ClientEvent event) {
  switch (event) {
    case rtmp::ClientEvent::kLive:
      go_live();
      return !closing();
    case rtmp::ClientEvent::kEnded:
      close("the destination ended the stream (" + session().status().code + ")");
      return false;
    case rtmp::ClientEvent::kStatus:
      LOG_INFO("forward %s: the destination says %s (%s)", what().c_str(),
               session().status().code.c_str(), session().status().description.c_str());
      return true;
    case rtmp::ClientEvent::kConnected:
    case rtmp::ClientEvent::kStreamCreated:
    case rtmp::ClientEvent::kMessage:  // a publisher is sent nothing worth reading
      return true;
  }
  return true;
}

void ForwardConn::go_live() {
  if (owner_ != nullptr) owner_->on_forward_live(*this);
  if (closing()) return;
  framing_ = std::make_unique<ForwardFraming>(session());
  player_ = std::make_unique<RingPlayer>(svc_, *this, *framing_, what(), vhost_, false);
  player_->start();
}

void ForwardConn::on_closing(const std::string& why) {
  if (Owner* owner = std::exchange(owner_, nullptr)) owner->on_forward_closed(why);
}

}  // namespace srs::worker
