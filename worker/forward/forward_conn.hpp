// ForwardConn: one connection of a forwarder to its destination: the
// client side of an RTMP publish (RtmpClientConn: handshake, connect with
// our identity and the stream's path, createStream, publish), then a
// RingPlayer that sends the stream from the ring through a ForwardFraming,
// like any player: a slow or dead destination falls behind or drops to the
// newest keyframe on its own, and never slows the publisher or anyone else.
//
// Its Forwarder hears when it is live and when it closed (and why), and
// decides about the next attempt; detach() cuts it loose first when the
// forwarder goes away.
#pragma once

#include <memory>
#include <string>

#include "worker/forward/forward_framing.hpp"
#include "worker/net/rtmp_client_conn.hpp"
#include "worker/stream/ring_player.hpp"

namespace srs::worker {

class ForwardConn final : public RtmpClientConn {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void on_forward_live(ForwardConn& conn) = 0;
    virtual void on_forward_closed(const std::string& why) = 0;
    // Destroyed without a close (the worker's fast stop).
    virtual void on_forward_gone() = 0;
  };

  // `id`: the forwarder's context id, shared by all its connections.
  ForwardConn(Services& svc, Owner& owner, base::ContextId id, Connected connected,
              proto::rtmp::ClientConfig config, std::string key, const conf::VhostConfig& vhost);
  ~ForwardConn() override;

  void detach() noexcept { owner_ = nullptr; }

 private:
  bool on_session_event(proto::rtmp::ClientEvent event) override;
  void on_send_ready() override;
  void on_closing(const std::string& why) override;
  void go_live();

  Owner* owner_;
  const conf::VhostConfig& vhost_;
  std::unique_ptr<ForwardFraming> framing_;
  std::unique_ptr<RingPlayer> player_;
};

}  // namespace srs::worker
