// Edge: a worker's side of the edge vhosts (cluster.mode: edge). A player
// of a stream that is not live asks want(): the first such player of the
// whole server starts one EdgePuller (its Publisher's registry claim is the
// server-wide lock; a player on another worker finds the stream live, or
// claimed, and just waits for it like for any publisher). Pullers end
// when idle; they are destroyed outside their own callbacks.
//
// A pull that ends while players still want the stream (its worker died,
// or drained away after a reload) leaves the stream waiting for a
// republish: twice a second each worker looks at the streams its players
// wanted, and one whose players are still here and whose stream is not live
// is pulled again by this worker (the registry claim decides which one),
// continuing the same ring: its players keep playing.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "worker/core/ev.hpp"
#include "worker/edge/edge_puller.hpp"
#include "worker/net/connector.hpp"

namespace srs::worker {

class Edge final : public EdgePuller::Owner {
 public:
  explicit Edge(Services& svc);
  ~Edge() override;

  // A player of `key` on an edge `vhost` (after its own on_play callback):
  // pulls the stream unless it is live or being pulled. `player` carries
  // the app, stream and parameters the origin gets.
  void want(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player);
  // An origin of a cluster asked for a stream another origin holds
  // (origin_cluster.directory, redirect off): pulled like an edge pulls it,
  // one upstream for the whole server.
  void pull_through(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player);
  // An HLS player of a pulled stream (a playlist request on an edge, or on
  // an origin pulling through): HLS has no connection to count, so each
  // request keeps one player of this worker counted for kHlsHoldMs; the
  // pull is not stopped under HLS players, and is pulled again if it ended.
  void hls_player(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player);
  static constexpr int64_t kHlsHoldMs = 20000;

 private:
  void expire_hls_players();
  static void on_hls_cb(evutil_socket_t, short, void* arg);
  void on_pull_done(EdgePuller& puller) override;
  void pull(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player);
  void recheck();
  static void on_reap_cb(evutil_socket_t, short, void* arg);
  static void on_check_cb(evutil_socket_t, short, void* arg);

  // What this worker's players asked for.
  struct Wanted {
    const conf::VhostConfig* vhost = nullptr;
    HookInfo player;  // the first player's request, for a pull again
  };

  Services& svc_;
  Resolver resolver_;
  std::map<std::string, std::unique_ptr<EdgePuller>> pullers_;
  std::vector<std::unique_ptr<EdgePuller>> done_;  // destroyed by the reaper
  std::map<std::string, Wanted> wanted_;
  struct HlsHold {
    uint32_t slot = 0;  // the stream's registry slot, counted +1 for this worker
    int64_t until_ms = 0;
  };
  std::map<std::string, HlsHold> hls_;
  EventPtr reaper_;
  EventPtr check_;
  EventPtr hls_timer_;
};

}  // namespace srs::worker
