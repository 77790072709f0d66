// StreamsView: one consistent-enough picture of the whole server's streams
// and clients for one API request, read from shared memory (the registry and
// the client table), with the joins the API needs: a client's stream (by
// key), a stream's publisher and players, a vhost's sums, and the kbps from
// the worker's TrafficSampler.
//
// Ids, stable while the thing they name lives:
//   stream  "s<slot>-<generation>": the registry slot and its generation
//           (a republish is a new generation, hence a new id)
//   client  the connection's 8-character context id (what its log lines show)
//   vhost   "v<index>": the vhost's position in the configuration
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.hpp"
#include "shm/control.hpp"
#include "worker/api/traffic_sampler.hpp"

namespace srs::worker {

// "vhost/app/stream" split at the first and the last '/'.
struct KeyParts {
  std::string_view vhost, app, stream;
};
KeyParts split_key(std::string_view key) noexcept;

struct StreamRow {
  shm::StreamInfo info;
  std::string id;
  const shm::ClientInfo* publisher = nullptr;  // the publishing client, if listed
  uint32_t clients = 0;                        // listed clients of this key
  uint64_t send_bytes = 0;                     // their bytes out
  uint32_t forwards = 0;                       // its forwarders (links)
  const shm::LinkInfo* upstream = nullptr;     // an edge's pull of it
  const shm::ChildInfo* made_by = nullptr;     // the transcode or ingest that publishes it
  Kbps kbps;
  struct WorkerPlayers {
    uint32_t slot = 0, pid = 0, players = 0;
  };
  std::vector<WorkerPlayers> players_per_worker;  // the workers with players of it
};

struct ClientRow {
  shm::ClientInfo info;
  const StreamRow* stream = nullptr;  // by key; null while none is Live or Lost
  Kbps kbps;
};

// An outbound link (a forward to a destination), with its stream.
struct LinkRow {
  shm::LinkInfo info;
  const StreamRow* stream = nullptr;  // null when the publish is gone meanwhile
};

struct VhostRow {
  const conf::VhostConfig* config = nullptr;
  std::string id;
  uint32_t clients = 0, streams = 0;
  uint64_t send_bytes = 0, recv_bytes = 0;
  Kbps kbps;
};

class StreamsView {
 public:
  // `traffic` may be null (no kbps: zeros). Times: CLOCK_MONOTONIC ms and
  // wall seconds.
  StreamsView(const conf::Config& config, const shm::Control& control,
              const TrafficSampler* traffic, int64_t now_ms, uint32_t now_wall);
  StreamsView(const StreamsView&) = delete;
  StreamsView& operator=(const StreamsView&) = delete;

  const std::vector<StreamRow>& streams() const { return streams_; }
  const std::vector<ClientRow>& clients() const { return clients_; }
  const std::vector<VhostRow>& vhosts() const { return vhosts_; }
  const std::vector<LinkRow>& links() const { return links_; }
  const std::vector<shm::ChildInfo>& children() const { return children_; }
  // By the link's context id.
  const LinkRow* find_link(std::string_view id) const;
  const StreamRow* find_stream(std::string_view id) const;
  const ClientRow* find_client(std::string_view id) const;
  // By id ("v0") or by name.
  const VhostRow* find_vhost(std::string_view id_or_name) const;
  const VhostRow* vhost_of(std::string_view key) const;
  uint32_t now_wall() const { return now_wall_; }

 private:
  void read_streams(const shm::Control& control, const TrafficSampler* traffic);
  void read_clients(const shm::Control& control, const TrafficSampler* traffic);
  void read_links(const shm::Control& control);
  void read_children(const shm::Control& control);
  void join();
  int vhost_index(std::string_view key) const;  // -1: none

  int64_t now_ms_;
  uint32_t now_wall_;
  std::vector<StreamRow> streams_;
  std::vector<ClientRow> clients_;
  std::vector<VhostRow> vhosts_;
  std::vector<LinkRow> links_;
  std::vector<shm::ChildInfo> children_;
};

// The API lists no http-api connection (SRS does not list API calls).
bool client_listed(const shm::ClientInfo& c) noexcept;

}  // namespace srs::worker
