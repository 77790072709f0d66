// EdgeConn: an edge's upstream play: the client side of an RTMP play from
// an origin (RtmpClientConn), whose media messages go to its EdgePuller,
// which feeds the stream's Publisher. It hears when the play is live, each
// message, the end of each socket read (the publisher commits then) and
// the close; detach() cuts it loose first when the puller goes away.
#pragma once

#include <string>

#include "proto/rtmp/message.hpp"
#include "worker/net/rtmp_client_conn.hpp"

namespace srs::worker {

class EdgeConn final : public RtmpClientConn {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void on_edge_live(EdgeConn& conn) = 0;
    // An audio, video, data or aggregate message; false closes the connection.
    virtual bool on_edge_message(const proto::rtmp::Message& msg, std::string* why) = 0;
    virtual void on_edge_read_done() = 0;
    virtual void on_edge_closed(const std::string& why) = 0;
    // Destroyed without a close (the worker's fast stop).
    virtual void on_edge_gone() = 0;
  };

  // `id`: the puller's context id, shared by all its connections.
  EdgeConn(Services& svc, Owner& owner, base::ContextId id, Connected connected,
           proto::rtmp::ClientConfig config, std::string key);
  ~EdgeConn() override;

  void detach() noexcept { owner_ = nullptr; }

 private:
  bool on_session_event(proto::rtmp::ClientEvent event) override;
  void on_read_done() override;
  void on_closing(const std::string& why) override;

  Owner* owner_;
};

}  // namespace srs::worker
