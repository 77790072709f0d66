// GET /metrics: the Prometheus text exposition format 0.0.4
// (Content-Type "text/plain; version=0.0.4"), on the API listener as SRS
// serves it (research/srs.md 1.20). SRS's metrics (srs_build_info,
// srs_cpu_percent, srs_memory, srs_streams, srs_clients, srs_clients_total,
// srs_send_bytes_total, srs_receive_bytes_total) with the same meaning, for
// the whole server; then ours: workers by state, connections per worker
// slot, players, publishers, lapped and dropped players, messages, the
// configuration generation and the reload verdicts.
//
// gather_metrics() reads shared memory; metrics_text() only formats, so
// the unit test can check the text on figures it chose.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worker/api/api_system.hpp"

namespace srs::worker {

inline constexpr const char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

struct MetricsInput {
  std::string server_id, service;
  uint32_t pid = 0;
  ServerTotals totals;
  uint32_t streams = 0;                // Live streams
  uint32_t clients = 0;                // connections in the client table (API calls excepted)
  uint32_t forwards_by_state[4] = {};  // index: shm::LinkState (1..3)
  uint32_t pulls_by_state[4] = {};     // the same, edge pulls
  uint32_t children[4][4] = {};        // [shm::ChildKind 1..3][shm::ChildPhase 0..3]
  shm::ChildTotals child_totals;
  double cpu_percent = 0;     // of one core, summed over the server's processes (x100 like SRS)
  uint64_t memory_kbyte = 0;  // RSS summed over the server's processes
  uint32_t workers_by_state[5] = {};  // index: shm::WorkerState
  struct Slot {
    uint32_t slot = 0;
    uint32_t connections = 0;
  };
  std::vector<Slot> slots;    // Ready or Draining
  bool directory = false;     // origin_cluster.directory is set
  uint32_t generation = 0;    // serving: the master's word, else the answering worker's
  bool have_reloads = false;  // the master's verdicts could be read
  uint64_t reloads_ok = 0, reloads_failed = 0;
};

MetricsInput gather_metrics(Services& svc, CpuSampler& cpu, const std::string& server_id,
                            const std::string& service);
std::string metrics_text(const MetricsInput& in);

// A label value escaped as the format requires: '\\', '"' and newline.
std::string escape_label(std::string_view value);

}  // namespace srs::worker
