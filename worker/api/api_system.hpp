// The system routes of the HTTP API (SRS 1.13): the navigation of `/`,
// `/api/` and `/api/v1/`, versions, summaries, rusages, self_proc_stats,
// system_proc_stats, meminfos, features, authors; and ours: self (which
// worker answered) and workers (every worker slot in use).
//
// SRS's "self" is its one process; ours is the whole server: `pid` is the
// master's, mem_kbyte / cpu_percent sum the master and every worker (read
// from /proc/<pid> of the pids in the worker table), and the byte and
// connection counts sum every worker's counters in shared memory, so the
// figures do not depend on which worker answers. The per-worker detail is
// under our own name, "srs_workers". rusages and self_proc_stats stay per
// process (the answering worker's), as getrusage() and /proc/self give them.
#pragma once

#include <cstdint>
#include <string>

#include "base/json_writer.hpp"
#include "worker/api/api_route.hpp"
#include "worker/api/cpu_sampler.hpp"

namespace srs::worker {

struct Services;

// Every worker's counters summed (slots Ready or Draining). A worker that
// dies takes its counts with it: the byte totals can go down (a Prometheus
// counter reset).
struct ServerTotals {
  uint32_t workers = 0;
  uint32_t connections = 0, players = 0, publishers = 0;
  uint64_t connections_total = 0, lapped_players = 0, dropped_players = 0, output_gaps = 0,
           forward_retries = 0, edge_retries = 0, handshake_timeouts = 0, header_timeouts = 0,
           refused_token = 0, refused_address = 0, refused_refer = 0, refused_per_ip = 0,
           refused_publishers = 0, refused_players = 0, directory_up = 0, directory_failures = 0;
  uint64_t bytes_in = 0, bytes_out = 0, messages_in = 0, messages_out = 0;
};
ServerTotals server_totals(const shm::WorkerTable& workers);

class SystemApi {
 public:
  explicit SystemApi(Services& svc);

  // False when `req.path` is not a system route.
  bool route(const ApiRequest& req, ApiReply* reply);

  // Refreshed figures (at most once a second; see cpu_sampler.hpp).
  CpuSampler& sampler();

 private:
  std::string summaries();
  void system_members(base::JsonWriter& w, const CpuSampler& cpu, const MemInfo& mem) const;
  void workers_members(base::JsonWriter& w, const CpuSampler& cpu) const;
  void shm_members(base::JsonWriter& w) const;
  std::string workers();
  std::string rusages() const;
  std::string self_proc_stats();
  std::string system_proc_stats();
  std::string meminfos() const;

  Services& svc_;
  CpuSampler sampler_;
};

}  // namespace srs::worker
