// Forwarder: one publish forwarded to one destination, for as long as the
// publish lasts. It connects (Connector, then a ForwardConn), and when the
// connection fails or drops it tries again after a back-off: the first
// retry within a second, then twice as long each time up to 30 s, back to
// the start once a connection went live. Its entry in the server-wide link
// table (shm/links.hpp) says where it forwards, its state, its traffic and
// its retries, for the API.
//
// Its log lines carry the publisher's context id; the connection's own
// lines carry the connection's, which the destination logs too (our
// identity goes in connect), so one grep follows the stream across hops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worker/core/ev.hpp"
#include "worker/core/link_entry.hpp"
#include "worker/forward/forward_conn.hpp"
#include "worker/net/connector.hpp"
#include "worker/stream/publish_observer.hpp"
#include "worker/stream/rtmp_target.hpp"

namespace srs::worker {

class Forwarder final : public ForwardConn::Owner {
 public:
  static constexpr int64_t kFirstRetryMs = 1000;
  static constexpr int64_t kMaxRetryMs = 30000;
  static constexpr int64_t kSetupTimeoutMs = 10000;  // connect to Publish.Start

  // `publish` (the publisher's event, with its srs_via path) must outlive it.
  // `targets`: one destination, or an edge's origins (the next one after
  // each failure, round robin).
  Forwarder(Services& svc, Resolver& resolver, const PublishEvent& publish,
            std::vector<RtmpTarget> targets);
  ~Forwarder() override;
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Where it publishes now.
  const RtmpTarget& target() const noexcept { return targets_[current_]; }

 private:
  void connect();
  void on_connected(base::Result<Connected> r);
  void retry(const std::string& why);
  void on_forward_live(ForwardConn& conn) override;
  void on_forward_closed(const std::string& why) override;
  void on_forward_gone() override { conn_ = nullptr; }
  static void on_timer_cb(evutil_socket_t, short, void* arg);
  proto::rtmp::ClientConfig client_config() const;

  Services& svc_;
  const PublishEvent& publish_;  // owned by the Forwarding, which outlives this
  std::vector<RtmpTarget> targets_;
  size_t current_ = 0;
  base::ContextId cid_;  // its own, and its connections'
  Connector connector_;
  EventPtr timer_;
  ForwardConn* conn_ = nullptr;  // owned by Connections; detached before this goes
  int64_t backoff_ms_ = kFirstRetryMs;
  LinkEntryHolder link_;
  bool live_ = false;
};

}  // namespace srs::worker
