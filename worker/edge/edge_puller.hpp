// EdgePuller: one stream an edge pulls from its origins, for as long as
// players want it. It owns the stream's Publisher (claimed as an edge pull,
// so the registry guarantees one pull per stream for the whole server:
// players on every worker read it from the ring like any stream) and plays
// the stream from an origin (EdgeConn), writing each message into it.
//
// Origin cluster: with origin_cluster.directory, the first origin tried is
// the one the directory says holds the stream (looked up again before each
// try after a failure, so the pull follows the stream when it moves to
// another origin); the configured origins are the fall-back when the
// directory has no holder or cannot be reached.
//
// Fail-over: an origin that refuses, does not start within the set-up
// timeout, sends no media for cluster.stall_timeout or closes is left for
// the next one in cluster.origins, round robin, at once after a live
// connection, after a back-off (1 s doubling to 30 s) once every origin
// failed in a row. The Publisher stays: players stay connected, get the new
// origin's sequence headers, and timestamps are rebased so that they go on
// from where the last origin stopped. Each gap is logged and counted.
//
// Idle stop: once no worker has a player of the stream for
// cluster.idle_timeout, the pull stops (the publisher unpublishes); a
// player who comes back within that time finds it still running.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "worker/core/ev.hpp"
#include "worker/core/link_entry.hpp"
#include "worker/edge/edge_conn.hpp"
#include "worker/net/connector.hpp"
#include "worker/stream/publisher.hpp"
#include "worker/stream/rtmp_target.hpp"

namespace srs::worker {

class EdgePuller final : public EdgeConn::Owner {
 public:
  static constexpr int64_t kFirstRetryMs = 1000;
  static constexpr int64_t kMaxRetryMs = 30000;
  static constexpr int64_t kSetupTimeoutMs = 5000;  // connect to Play.Start (SRS: 5 s)
  static constexpr int64_t kHolderRetryMs = 500;    // a directory holder that failed

  class Owner {
   public:
    virtual ~Owner() = default;
    // The pull ended (idle, or its stream was taken): destroy it soon.
    virtual void on_pull_done(EdgePuller& puller) = 0;
  };

  // `player`: the first player's request (app, stream, param) the origin
  // gets; `publisher`: the stream, claimed as an edge pull.
  EdgePuller(Services& svc, Owner& owner, Resolver& resolver, std::unique_ptr<Publisher> publisher,
             const conf::VhostConfig& vhost, const HookInfo& player);
  ~EdgePuller() override;
  EdgePuller(const EdgePuller&) = delete;
  EdgePuller& operator=(const EdgePuller&) = delete;

  const std::string& key() const noexcept { return publisher_->key(); }

 private:
  void connect();
  void look_up();
  void start_connect();
  void on_connected(base::Result<Connected> r);
  void failed(const std::string& why);
  bool holder_failed(bool was_live, const std::string& why);
  void on_edge_live(EdgeConn& conn) override;
  bool on_edge_message(const proto::rtmp::Message& msg, std::string* why) override;
  void on_edge_read_done() override;
  void on_edge_closed(const std::string& why) override;
  void on_edge_gone() override { conn_ = nullptr; }
  bool write(const proto::rtmp::Message& msg, std::string* why);
  uint32_t rebase(uint32_t timestamp, bool header);
  static void on_tick_cb(evutil_socket_t, short, void* arg);
  static void on_retry_cb(evutil_socket_t, short, void* arg);
  void tick();
  uint32_t players() const;
  proto::rtmp::ClientConfig client_config() const;
  static std::vector<RtmpTarget> origins_of(const conf::VhostConfig& vhost, const HookInfo& player,
                                            bool directory);
  void stop(const char* why);

  Services& svc_;
  Owner& owner_;
  std::unique_ptr<Publisher> publisher_;
  const conf::VhostConfig& vhost_;
  base::ContextId cid_;  // the first player's, and its connections'
  Connector connector_;
  EventPtr tick_, retry_;
  HookInfo player_;  // the first player's request
  // The stream on each origin; with a directory (origin_cluster.directory),
  // the first is the holder the directory names, looked up before each try.
  std::vector<RtmpTarget> origins_;
  size_t current_ = 0;                                          // the origin tried now
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for lookups in flight
  LinkEntryHolder link_;
  EdgeConn* conn_ = nullptr;  // owned by Connections; detached before this goes
  bool stopped_ = false;
  // This connection's state.
  int64_t attempt_ms_ = 0;     // when the connection was started
  int64_t last_media_ms_ = 0;  // 0: none on this connection yet
  bool live_ = false;
  // Across connections.
  uint32_t failures_in_row_ = 0;  // attempts that never went live
  int64_t holder_failures_ = 0;   // the directory's holder, in a row
  int64_t backoff_ms_ = kFirstRetryMs;
  int64_t idle_since_ms_ = 0;  // 0: players are there
  int64_t gap_since_ms_ = 0;   // media stopped here (an origin lost); 0: none
  bool have_ts_ = false;       // a timestamp was written
  bool based_ = false;         // this connection's timestamps are rebased
  uint32_t last_ts_ = 0;       // the last timestamp written
  int64_t ts_offset_ = 0;      // added to this connection's timestamps
  std::string scratch_;        // metadata re-encoded (rtmp_media.hpp)
};

}  // namespace srs::worker
