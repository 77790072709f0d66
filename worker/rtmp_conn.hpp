// An accepted RTMP connection. The foundation only accepts, logs and holds
// the socket until the peer leaves or stays silent too long; the RTMP session
// (handshake, chunk stream, publish and play) builds on this object.
#pragma once

#include <event2/bufferevent.h>

#include <string>

#include "worker/connections.hpp"

namespace srs::worker {

class RtmpConn final : public Connection {
 public:
  RtmpConn(Connections* owner, event_base* base, evutil_socket_t fd, std::string peer);
  ~RtmpConn() override;

 private:
  static void on_read(bufferevent* bev, void* arg);
  static void on_event(bufferevent* bev, short what, void* arg);
  void close(const char* why);

  Connections* owner_;
  bufferevent* bev_ = nullptr;
  std::string peer_;
  uint64_t bytes_in_ = 0;
};

}  // namespace srs::worker
