// An edge's upstream play (see edge_conn.hpp).
#include "worker/edge/edge_conn.hpp"

#include "base/log.hpp"

namespace srs::worker {

namespace rtmp = proto::rtmp;

EdgeConn::EdgeConn(Services& svc, Owner& owner, base::ContextId id, Connected connected,
                   rtmp::ClientConfig config, std::string key)
    : RtmpClientConn(svc, id, std::move(connected), std::move(config), "edge",
                     shm::ClientType::kEdgePull, std::move(key)),
      owner_(&owner) {
  client().describe(shm::ClientType::kEdgePull, shm::kNoSlot, 0, what());
}

EdgeConn::~EdgeConn() {
  if (owner_ != nullptr) owner_->on_edge_gone();
}

bool EdgeConn::on_session_event(rtmp::ClientEvent event) {
  switch (event) {
    case rtmp::ClientEvent::kLive:
      if (owner_ != nullptr) owner_->on_edge_live(*this);
      return !closing();
    case rtmp::ClientEvent::kMessage: {
      std::string why;
      if (owner_ == nullptr || owner_->on_edge_message(session().message(), &why)) return true;
      close(why);
      return false;
    }
    case rtmp::ClientEvent::kEnded:
      close("the origin ended the stream (" + session().status().code + ")");
      return false;
    case rtmp::ClientEvent::kStatus:
      LOG_INFO("edge %s: the origin says %s (%s)", what().c_str(), session().status().code.c_str(),
               session().status().description.c_str());
      return true;
    case rtmp::ClientEvent::kConnected:
    case rtmp::ClientEvent::kStreamCreated:
      return true;
  }
  return true;
}

void EdgeConn::on_read_done() {
  if (owner_ != nullptr) owner_->on_edge_read_done();
}

void EdgeConn::on_closing(const std::string& why) {
  if (Owner* owner = std::exchange(owner_, nullptr)) owner->on_edge_closed(why);
}

}  // namespace srs::worker
