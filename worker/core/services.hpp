// What every connection of a worker can reach: the loop, the configuration
// snapshot of its generation, the shared control region and the wake-ups.
// One per worker process, owned by the Worker; connections keep a reference.
#pragma once

#include <event2/event.h>
#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "shm/control.hpp"
#include "shm/wakeup.hpp"

namespace srs::worker {

class Connections;
class AcceptGate;
class Edge;
class Gatekeeper;
class StreamDirectory;
class Hooks;
class PublishObserver;
class StreamHub;
class TrafficSampler;

struct Services {
  event_base* base = nullptr;
  const conf::Config* config = nullptr;
  shm::Control* control = nullptr;
  const shm::Wakeups* wakeups = nullptr;
  Connections* conns = nullptr;
  StreamHub* hub = nullptr;
  Hooks* hooks = nullptr;             // HTTP callbacks (hooks/hooks.hpp)
  TrafficSampler* traffic = nullptr;  // the API's kbps (api/traffic_sampler.hpp)
  AcceptGate* accept_gate = nullptr;  // the share of new connections (core/accept_gate.hpp)
  Edge* edge = nullptr;               // edge vhosts' pulls (edge/edge.hpp)
  Gatekeeper* gatekeeper = nullptr;   // who may publish and play (access/gatekeeper.hpp)
  StreamDirectory* directory =
      nullptr;  // the origin cluster's leases (directory/stream_directory.hpp)
  // Told of every publish and unpublish on this worker (stream/publish_observer.hpp):
  // the outputs; later the forwarders.
  std::vector<PublishObserver*> publish_observers;
  uint32_t slot = 0;        // this worker's slot
  uint32_t generation = 0;  // this worker's configuration generation
  uint32_t pid = 0;
  std::string server_id;
  bool draining = false;
  // Scratch space for building writev() batches (chunk headers, iovecs):
  // one per worker, grown when needed and never shrunk, so sending does not
  // allocate per message.
  std::vector<uint8_t> scratch;
  std::vector<iovec> iov;
  std::vector<uint32_t> message_ends;  // iov index after each message of the batch
};

}  // namespace srs::worker
