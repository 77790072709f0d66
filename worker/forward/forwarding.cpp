// Forwarders started and stopped with the publishes (see forwarding.hpp).
#include "worker/forward/forwarding.hpp"

namespace srs::worker {

Forwarding::Forwarding(Services& svc) : svc_(svc), resolver_(svc.base) {}

Forwarding::~Forwarding() = default;

void Forwarding::on_publish(const PublishEvent& e) {
  const conf::ForwardConfig& c = e.vhost->forward;
  if (c.destinations.empty()) return;
  auto publish = std::make_unique<Publish>();
  publish->event = e;
  for (const conf::RtmpUrl& dest : c.destinations) {
    publish->forwarders.push_back(std::make_unique<Forwarder>(
        svc_, resolver_, publish->event, forward_target(dest, e.source, e.vhost->name)));
  }
  publishes_[{e.stream_slot, e.generation}] = std::move(publish);
}

void Forwarding::on_unpublish(const PublishEvent& e) {
  publishes_.erase({e.stream_slot, e.generation});
}

}  // namespace srs::worker
