// ForwardConn: one connection of a forwarder to its destination: the
// client side of an RTMP publish (proto's ClientSession: handshake,
// connect with our identity and the stream's path, createStream,
// publish), then a RingPlayer that sends the stream from the ring through
// a ForwardFraming, like any player: a slow or dead destination falls
// behind or drops to the newest keyframe on its own, and never slows the
// publisher or anyone else.
//
// Its Forwarder hears when it is live and when it closed (and why), and
// decides about the next attempt; detach() cuts it loose first when the
// forwarder goes away.
#pragma once

#include <memory>
#include <string>

#include "proto/rtmp/client_session.hpp"
#include "worker/forward/forward_framing.hpp"
#include "worker/net/connector.hpp"
#include "worker/net/socket_conn.hpp"
#include "worker/stream/ring_player.hpp"

namespace srs::worker {

class ForwardConn final : public SocketConn {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void on_forward_live(ForwardConn& conn) = 0;
    virtual void on_forward_closed(const std::string& why) = 0;
    // Destroyed without a close (the worker's fast stop).
    virtual void on_forward_gone() = 0;
  };

  // `cid`: the forwarder's, shared by all its connections.
  ForwardConn(Services& svc, Owner& owner, base::ContextId cid, Connected connected,
              proto::rtmp::ClientConfig config, std::string key, const conf::VhostConfig& vhost);
  ~ForwardConn() override;

  // Waits for the connect to finish, within `timeout_ms` for the whole
  // set-up (connect to NetStream.Publish.Start).
  void start(int64_t timeout_ms);
  void detach() noexcept { owner_ = nullptr; }
  // The destination's identity from connect's _result (SRS-compatible servers).
  const proto::rtmp::PeerIdentity& upstream() const noexcept { return session_.upstream(); }

 private:
  bool on_bytes(const uint8_t* data, size_t len) override;
  void on_readable() override;
  void on_writable() override;
  void on_timer() override;
  void on_closing(const std::string& why) override;
  bool handle(proto::rtmp::ClientEvent event);
  void go_live();

  Owner* owner_;
  proto::rtmp::ClientSession session_;
  std::string key_;
  const conf::VhostConfig& vhost_;
  bool connected_ = false;  // the TCP connect finished
  std::unique_ptr<ForwardFraming> framing_;
  std::unique_ptr<RingPlayer> player_;
};

}  // namespace srs::worker
