// The worker's edge pulls (see edge.hpp).
#include "worker/edge/edge.hpp"

#include "base/log.hpp"

namespace srs::worker {

Edge::Edge(Services& svc)
    : svc_(svc), resolver_(svc.base), reaper_(make_timer(svc.base, on_reap_cb, this)) {}

Edge::~Edge() = default;

void Edge::want(const std::string& key, const conf::VhostConfig& vhost, const HookInfo& player) {
  if (vhost.cluster.mode != conf::ClusterMode::kEdge || pullers_.count(key) != 0) return;
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

void Edge::on_pull_done(EdgePuller& puller) {
  auto it = pullers_.find(puller.key());
  if (it == pullers_.end() || it->second.get() != &puller) return;
  done_.push_back(std::move(it->second));
  pullers_.erase(it);
  event_active(reaper_.get(), EV_TIMEOUT, 0);
}

void Edge::on_reap_cb(evutil_socket_t, short, void* arg) {
  static_cast<Edge*>(arg)->done_.clear();
}

}  // namespace srs::worker
