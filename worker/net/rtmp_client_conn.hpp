// RtmpClientConn: the client side of one outbound RTMP connection, the
// base of a forwarder's publish and an edge's upstream play: a SocketConn
// that drives proto's ClientSession. It waits for the non-blocking connect
// to finish, runs the handshake, connect (with our identity) and
// createStream, and logs the server's identity from connect's _result (SRS
// peers); the subclass hears every other event of the session.
//
// Until the session is live the whole set-up is bounded by the timeout
// given to start(); a closed socket, a refusal or bad bytes close the
// connection with a line that says which.
#pragma once

#include <cstdint>
#include <string>

#include "proto/rtmp/client_session.hpp"
#include "worker/net/connector.hpp"
#include "worker/net/socket_conn.hpp"

namespace srs::worker {

// Our identity as connect's user arguments carry it (SRS's srs_sig,
// srs_server, srs_version, srs_pid, srs_id): `id` is the context id of the
// link, which the other server logs.
proto::rtmp::PeerIdentity our_identity(const base::ContextId& id);

class RtmpClientConn : public SocketConn {
 public:
  // Waits for the connect to finish; `timeout_ms` bounds the set-up.
  void start(int64_t timeout_ms);
  proto::rtmp::ClientSession& session() noexcept { return session_; }
  // The server's identity from connect's _result (SRS-compatible servers).
  const proto::rtmp::PeerIdentity& upstream() const noexcept { return session_.upstream(); }

 protected:
  // `kind` names it in log lines ("forward", "edge"); `what` is the stream
  // key, for log lines.
  RtmpClientConn(Services& svc, base::ContextId id, Connected connected,
                 proto::rtmp::ClientConfig config, const char* kind, shm::ClientType type,
                 std::string what);

  // Every event but kConnected; false when the connection closed.
  virtual bool on_session_event(proto::rtmp::ClientEvent event) = 0;
  // After the bytes of one socket read were fed (a publisher's flush).
  virtual void on_read_done() {}
  // EV_WRITE once the TCP connect is done.
  virtual void on_send_ready() { (void)flush_out(); }
  const std::string& what() const noexcept { return what_; }

 private:
  bool on_bytes(const uint8_t* data, size_t len) final;
  void on_readable() final;
  void on_writable() final;
  void on_timer() final;

  proto::rtmp::ClientSession session_;
  std::string what_;
  bool connected_ = false;  // the TCP connect finished
};

}  // namespace srs::worker
