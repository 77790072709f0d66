// Forwarding: the publish observer that starts and stops the forwarders of
// this worker's publishes: one Forwarder per destination of the stream's
// vhost (forward.destinations), one per URL the vhost's forward.backend
// answers to SRS's on_forward call, and on an edge vhost one to its origins
// (push through, the next origin after each failure), from the publish
// until the unpublish. An edge's own pulls are never forwarded.
// A backend that fails or answers garbage costs a log line, never the
// publish.
#pragma once

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "worker/forward/forwarder.hpp"
#include "worker/net/connector.hpp"
#include "worker/stream/publish_observer.hpp"

namespace srs::worker {

class Forwarding final : public PublishObserver {
 public:
  explicit Forwarding(Services& svc);
  ~Forwarding() override;

  void on_publish(const PublishEvent& e) override;
  void on_unpublish(const PublishEvent& e) override;

 private:
  // One publish and its forwarders (which point at `event`).
  struct Publish {
    PublishEvent event;
    std::vector<std::unique_ptr<Forwarder>> forwarders;
    uint64_t backend_call = 0;  // the on_forward call in flight
  };
  using Key = std::pair<uint32_t, uint32_t>;  // stream slot, generation

  void start(Publish& p, const conf::RtmpUrl& dest);
  void push_to_origins(Publish& p);
  void ask_backend(Publish& p, const conf::HookUrl& backend);
  void on_backend(Key key, const HookResult& r);
  void cancel_backend(Publish& p);

  Services& svc_;
  Resolver resolver_;
  std::map<Key, std::unique_ptr<Publish>> publishes_;
};

}  // namespace srs::worker
