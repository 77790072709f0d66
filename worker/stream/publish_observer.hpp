// PublishObserver: what hears of every publish and unpublish on this worker,
// so that the rooms above stream/ (outputs: HLS, DVR; later forward) start
// and stop their consumers of the stream without the publisher knowing them.
// Observers are registered in Services::publish_observers by the worker's
// entry point.
#pragma once

#include <cstdint>
#include <string>

#include "conf/config.hpp"
#include "worker/hooks/hooks.hpp"

namespace srs::worker {

// Who feeds a publish.
enum class PublishSource : uint8_t {
  kClient,    // an encoder's connection (RTMP publish)
  kEdgePull,  // an edge's upstream play (worker/edge/): never forwarded to the origins
};

struct PublishEvent {
  std::string key;  // "vhost/app/stream"
  const conf::VhostConfig* vhost = nullptr;
  PublishSource kind = PublishSource::kClient;
  HookInfo source;           // the publishing client: app, stream, client_id, ip, param, tcUrl
  uint32_t stream_slot = 0;  // registry slot
  uint32_t generation = 0;   // registry generation: one per publish of the slot
  uint32_t ring_epoch = 0;   // the ring's segment is Control::ring_name(slot, epoch)
  uint32_t tail = 0;         // on_publish: where this publish starts in the ring;
                             // on_unpublish: where it ended (everything before is committed)
};

class PublishObserver {
 public:
  virtual ~PublishObserver() = default;
  // The publisher owns the stream and its ring; nothing is written yet.
  virtual void on_publish(const PublishEvent& e) = 0;
  // The publisher stopped (unpublish, takeover, close, worker exit); its
  // last records are committed up to e.tail.
  virtual void on_unpublish(const PublishEvent& e) = 0;
};

}  // namespace srs::worker
