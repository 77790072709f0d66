// StreamDirectory: this worker's part of the origin cluster's stream
// directory in Redis (origin_cluster.directory).
//
//   claim    before a publish on an origin vhost starts, the origin takes a
//            lease on the stream's key ("vhost/app/stream"): SET NX with a
//            TTL of origin_cluster.lease. A key held by this server already
//            (a republish, the old lease still running) is taken over; a key
//            held by another origin refuses the publish, naming the holder.
//            Redis down or slow: the publish goes on (local streaming never
//            waits for the directory) and the lease is taken once Redis
//            answers again.
//   renew    every third of the lease, each lease of a stream this worker
//            publishes is renewed if it is still ours (a compare-and-expire
//            script); one this worker no longer publishes is released.
//   release  at unpublish (a compare-and-delete script), so another origin
//            can take the stream at once; a dead origin's leases expire.
//   lookup   an edge asks who holds a stream: the holder's RTMP endpoint.
//
// The lease's value is one JSON object: the holder's server id, the RTMP and
// HTTP endpoints other servers reach it at, and the publisher's context id.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"
#include "worker/directory/redis_link.hpp"
#include "worker/stream/publish_observer.hpp"

namespace srs::worker {

class StreamDirectory final : public PublishObserver {
 public:
  using Verdict = std::function<void(bool ok, const std::string& why)>;
  using Found = std::function<void(const std::string& rtmp_endpoint)>;
  // Who holds a stream: its server id and the endpoints it gave; all empty
  // when nobody (or Redis cannot say).
  struct Holder {
    std::string server, rtmp, http;
  };
  using HolderFound = std::function<void(const Holder& holder)>;

  // Does nothing (enabled() false) without origin_cluster.directory.
  explicit StreamDirectory(Services& svc);
  ~StreamDirectory() override;
  bool enabled() const noexcept { return link_ != nullptr; }
  bool redirect() const noexcept;  // origin_cluster.redirect

  // Takes the lease of `key` for a publish by `cid`. 0: decided at once
  // (no directory; Redis down: allowed), `done` not called; else a ticket,
  // and `done` runs later (never inside this call) unless cancelled.
  uint64_t claim(const std::string& key, const std::string& cid, Verdict done);
  void cancel(uint64_t ticket);
  // The RTMP endpoint ("host:port") of the origin holding `key`, empty when
  // none or Redis cannot say; `done` runs later.
  void lookup(const std::string& key, Found done);
  // The holder of `key` for a player on an origin (redirect or pull
  // through): a ticket (cancel() it if the player leaves); `done` runs later.
  uint64_t find_holder(const std::string& key, HolderFound done);
  bool holds_elsewhere(const Holder& h) const { return !h.server.empty() && h.server != self_; }

  void on_publish(const PublishEvent& e) override;
  void on_unpublish(const PublishEvent& e) override;

 private:
  struct Lease {
    std::string value;
    bool confirmed = false;   // Redis said it is ours
    bool publishing = false;  // a publish of this worker uses it
    bool claiming = false;    // a claim waits for Redis
    bool conflict_logged = false;
  };
  std::string value_for(const std::string& cid) const;
  void set_nx(const std::string& key, uint64_t ticket);
  void after_set(const std::string& key, uint64_t ticket, const redisReply* reply);
  void after_get(const std::string& key, uint64_t ticket, const redisReply* reply);
  void decide(const std::string& key, uint64_t ticket, bool ok, const std::string& why);
  void take(const std::string& key);
  void renew_all();
  void release(const std::string& key);
  static void on_renew_cb(evutil_socket_t, short, void* arg);
  void on_link_state(bool up);

  Services& svc_;
  std::unique_ptr<RedisLink> link_;
  std::map<std::string, Lease> leases_;      // by stream key
  std::map<uint64_t, Verdict> waiting_;      // claims waiting for Redis, by ticket
  std::map<uint64_t, HolderFound> finding_;  // holder lookups, by ticket
  std::string self_;                         // this server's id
  uint64_t next_ticket_ = 1;
  EventPtr renew_timer_;
};

// The "rtmp" endpoint of a lease's value (holder), and its "server" id.
std::string lease_field(const std::string& value, const char* name);

}  // namespace srs::worker
