// The worker's edge pulls (see edge.hpp).
#include "worker/edge/edge.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"

namespace srs::worker {

namespace {

constexpr int64_t kCheckMs = 500;

}  // namespace

Edge::Edge(Services& svc)
    : svc_(svc),
      resolver_(svc.base),
      reaper_(make_timer(svc.base, on_reap_cb, this)),
      check_(make_timer(svc.base, on_check_cb, this, EV_PERSIST)),
      hls_timer_(make_timer(svc.base, on_hls_cb, this)) {}

Edge::~Edge() {
  for (const auto& [key, hold] : hls_)
    svc_.control->registry().add_players(hold.slot, svc_.slot, -1);
}

void Edge::want(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player) {
  if (vhost.cluster.mode != conf::ClusterMode::kEdge) return;
  pull_through(key, vhost, player);
}

void Edge::pull_through(const std::string& key, const conf::VhostConfig& vhost,
                        const HookInfo& player) {
  if (wanted_.emplace(key, Wanted{&vhost, player}).second && wanted_.size() == 1)
    add_after_ms(check_.get(), kCheckMs);
  pull(key, vhost, player);
}

void Edge::pull(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player) {
  if (pullers_.count(key) != 0) return;
  base::Result<shm::StreamInfo> found = svc_.control->registry().find(key);
  if (found.is_ok() && found->state == shm::StreamState::kLive) return;  // pulled or published
  std::string why;
  bool busy = false;
  std::unique_ptr<Publisher> publisher =
      Publisher::start(svc_, key, vhost, player, &why, &busy, PublishSource::kEdgePull);
  if (!publisher) {
    if (!busy) LOG_ERROR("edge %s: cannot pull: %s", key.c_str(), why.c_str());
    return;  // busy: another worker pulls it, or a client publishes it here
  }
  pullers_[key] =
      std::make_unique<EdgePuller>(svc_, *this, resolver_, std::move(publisher), vhost, player);
}

void Edge::hls_player(const std::string& key, const conf::VhostConfig& vhost,
                      const HookInfo& player) {
  base::Result<shm::StreamInfo> found = svc_.control->registry().find(key);
  if (!found.is_ok()) return;
  const int64_t until = base::mono_ms() + kHlsHoldMs;
  auto [it, added] = hls_.try_emplace(key, HlsHold{found->slot, until});
  it->second.until_ms = until;
  if (added) {
    svc_.control->registry().add_players(found->slot, svc_.slot, +1);
    if (hls_.size() == 1) add_after_ms(hls_timer_.get(), 1000);
  }
  pull_through(key, vhost, player);  // remembered as wanted: pulled again if it ended
}

void Edge::expire_hls_players() {
  const int64_t now = base::mono_ms();
  for (auto it = hls_.begin(); it != hls_.end();) {
    if (it->second.until_ms > now) {
      ++it;
      continue;
    }
    svc_.control->registry().add_players(it->second.slot, svc_.slot, -1);
    it = hls_.erase(it);
  }
  if (!hls_.empty()) add_after_ms(hls_timer_.get(), 1000);
}

void Edge::on_hls_cb(evutil_socket_t, short, void* arg) {
  static_cast<Edge*>(arg)->expire_hls_players();
}

void Edge::on_pull_done(EdgePuller& puller) {
  auto it = pullers_.find(puller.key());
  if (it == pullers_.end() || it->second.get() != &puller) return;
  done_.push_back(std::move(it->second));
  pullers_.erase(it);
  event_active(reaper_.get(), EV_TIMEOUT, 0);
}

// The streams this worker's players wanted: pulled again when their pull
// ended under them; forgotten once their players left.
void Edge::recheck() {
  const shm::Registry& reg = svc_.control->registry();
  for (auto it = wanted_.begin(); it != wanted_.end();) {
    base::Result<shm::StreamInfo> found = reg.find(it->first);
    const bool here = found.is_ok() && reg.players_on(found->slot, svc_.slot) != 0;
    if (!here && pullers_.count(it->first) == 0) {
      it = wanted_.erase(it);
      continue;
    }
    if (here && found->state != shm::StreamState::kLive && !svc_.draining) {
      LOG_WARN("edge %s: the stream's pull ended while players wait here; pulling it again",
               it->first.c_str());
      pull(it->first, *it->second.vhost, it->second.player);
    }
    ++it;
  }
  if (wanted_.empty()) event_del(check_.get());
}

void Edge::on_check_cb(evutil_socket_t, short, void* arg) {
  static_cast<Edge*>(arg)->recheck();
}

void Edge::on_reap_cb(evutil_socket_t, short, void* arg) {
  static_cast<Edge*>(arg)->done_.clear();
}

}  // namespace srs::worker
