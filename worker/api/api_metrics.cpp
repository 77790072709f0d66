// The Prometheus exposition of the server's figures (see api_metrics.hpp).
// Format: https://prometheus.io/docs/instrumenting/exposition_formats/
// ("Text format details": HELP and TYPE lines before the samples of a metric
// family, label values escaped, one sample per line, '\n' line ends).
#include "worker/api/api_metrics.hpp"

#include <cinttypes>
#include <cstdio>

#include "base/version.hpp"
#include "shm/registry.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {
namespace {

// One metric family being written.
class Family {
 public:
  Family(std::string* out, const char* name, const char* type, const char* help)
      : out_(out), name_(name) {
    *out_ += std::string("# HELP ") + name + " " + help + "\n";
    *out_ += std::string("# TYPE ") + name + " " + type + "\n";
  }
  void sample(uint64_t v, const std::string& labels = {}) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%" PRIu64, v);
    line(labels, buf);
  }
  void sample_real(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    line({}, buf);
  }

 private:
  void line(const std::string& labels, const char* value) {
    *out_ += name_;
    if (!labels.empty()) *out_ += "{" + labels + "}";
    *out_ += " ";
    *out_ += value;
    *out_ += "\n";
  }
  std::string* out_;
  const char* name_;
};

std::string label(const char* name, std::string_view value) {
  return std::string(name) + "=\"" + escape_label(value) + "\"";
}

void srs_families(std::string* out, const MetricsInput& in) {
  Family build(out, "srs_build_info", "gauge", "The server's identity and version.");
  build.sample(1, label("server", in.server_id) + "," + label("service", in.service) + "," +
                      label("pid", std::to_string(in.pid)) + "," +
                      label("major", std::to_string(base::kVersionMajor)) + "," +
                      label("version", base::kVersion));
  Family(out, "srs_cpu_percent", "gauge",
         "CPU used by the server's processes, percent of one core.")
      .sample_real(in.cpu_percent * 100);
  Family(out, "srs_memory", "gauge", "Resident memory of the server's processes, in KiB.")
      .sample(in.memory_kbyte);
  Family(out, "srs_send_bytes_total", "counter", "Bytes sent to clients.")
      .sample(in.totals.bytes_out);
  Family(out, "srs_receive_bytes_total", "counter", "Bytes received from clients.")
      .sample(in.totals.bytes_in);
  Family(out, "srs_streams", "gauge", "Live streams.").sample(in.streams);
  Family(out, "srs_clients", "gauge", "Connected clients.").sample(in.clients);
  Family(out, "srs_clients_total", "counter", "Connections accepted by the running workers.")
      .sample(in.totals.connections_total);
}

void our_families(std::string* out, const MetricsInput& in) {
  Family workers(out, "srs_workers", "gauge", "Worker slots by state.");
  for (uint32_t s = 1; s < 5; ++s) {
    workers.sample(in.workers_by_state[s],
                   label("state", shm::worker_state_name(shm::WorkerState(s))));
  }
  Family conns(out, "srs_worker_connections", "gauge", "Connections of each running worker.");
  for (const MetricsInput::Slot& s : in.slots) {
    conns.sample(s.connections, label("slot", std::to_string(s.slot)));
  }
  Family(out, "srs_players", "gauge", "Players (RTMP and HTTP-FLV).").sample(in.totals.players);
  Family(out, "srs_publishers", "gauge", "Publishers.").sample(in.totals.publishers);
  Family(out, "srs_lapped_players_total", "counter",
         "Players that fell behind and jumped forward to a keyframe.")
      .sample(in.totals.lapped_players);
  Family(out, "srs_dropped_players_total", "counter", "Players disconnected for being too slow.")
      .sample(in.totals.dropped_players);
  Family(out, "srs_output_gaps_total", "counter",
         "Times the outputs (HLS, DVR) fell a ring behind and lost records.")
      .sample(in.totals.output_gaps);
  Family(out, "srs_messages_in_total", "counter", "Media messages received from publishers.")
      .sample(in.totals.messages_in);
  Family(out, "srs_messages_out_total", "counter", "Media messages sent to players.")
      .sample(in.totals.messages_out);
  Family forwards(out, "srs_forwards", "gauge", "Forwards to destinations, by state.");
  for (shm::LinkState s :
       {shm::LinkState::kConnecting, shm::LinkState::kLive, shm::LinkState::kRetrying}) {
    forwards.sample(in.forwards_by_state[uint32_t(s)],
                    label("state", shm::link_state_name(shm::LinkKind::kForward, s)));
  }
  Family(out, "srs_forward_retries_total", "counter",
         "Forward connections that failed or dropped (each is retried).")
      .sample(in.totals.forward_retries);
  Family pulls(out, "srs_edge_pulls", "gauge", "Streams an edge pulls from its origins, by state.");
  for (shm::LinkState s :
       {shm::LinkState::kConnecting, shm::LinkState::kLive, shm::LinkState::kRetrying}) {
    pulls.sample(in.pulls_by_state[uint32_t(s)],
                 label("state", shm::link_state_name(shm::LinkKind::kEdgePull, s)));
  }
  Family(out, "srs_edge_retries_total", "counter",
         "Edge upstream connections that failed or dropped (each moves to the next origin).")
      .sample(in.totals.edge_retries);
  Family children(out, "srs_children", "gauge",
                  "The master's children (transcode, ingest, exec), by kind and state.");
  for (shm::ChildKind k :
       {shm::ChildKind::kTranscode, shm::ChildKind::kIngest, shm::ChildKind::kExec}) {
    for (shm::ChildPhase p : {shm::ChildPhase::kRunning, shm::ChildPhase::kWaiting,
                              shm::ChildPhase::kFailed, shm::ChildPhase::kStopping}) {
      children.sample(
          in.children[uint32_t(k)][uint32_t(p)],
          label("kind", shm::child_kind_name(k)) + "," + label("state", shm::child_phase_name(p)));
    }
  }
  Family(out, "srs_child_starts_total", "counter", "Child processes started.")
      .sample(in.child_totals.starts);
  Family(out, "srs_child_restarts_total", "counter",
         "Children started again after an exit or a stall.")
      .sample(in.child_totals.restarts);
  Family(out, "srs_child_stalls_total", "counter",
         "Transcodes and ingests restarted because their output got no media.")
      .sample(in.child_totals.stalls);
  Family(out, "srs_child_crash_loops_total", "counter",
         "Children that exited quickly too often in a row (then retried every 30 s).")
      .sample(in.child_totals.crash_loops);
  Family(
      out, "srs_handshake_timeouts_total", "counter",
      "RTMP clients closed for not completing the handshake and connect in rtmp.handshake_timeout.")
      .sample(in.totals.handshake_timeouts);
  Family(out, "srs_http_header_timeouts_total", "counter",
         "HTTP clients closed for not sending a request head in http_server.header_timeout.")
      .sample(in.totals.header_timeouts);
  Family refused(out, "srs_access_refused_total", "counter",
                 "Publishes and plays refused by a vhost's auth, security or refer rules.");
  refused.sample(in.totals.refused_token, label("reason", "token"));
  refused.sample(in.totals.refused_address, label("reason", "address"));
  refused.sample(in.totals.refused_refer, label("reason", "refer"));
  if (in.directory) {
    Family(out, "srs_directory_workers_up", "gauge",
           "Workers connected to the origin cluster's Redis (of srs_workers serving).")
        .sample(in.totals.directory_up);
    Family(out, "srs_directory_failures_total", "counter",
           "Times a worker's connection to the origin cluster's Redis failed or dropped.")
        .sample(in.totals.directory_failures);
  }
  Family limits(out, "srs_limit_refused_total", "counter",
                "Connections, publishes and plays refused by a limit.");
  limits.sample(in.totals.refused_per_ip, label("limit", "per_ip"));
  limits.sample(in.totals.refused_publishers, label("limit", "publishers"));
  limits.sample(in.totals.refused_players, label("limit", "players"));
  Family(out, "srs_generation", "gauge", "The configuration generation serving.")
      .sample(in.generation);
  if (!in.have_reloads) return;
  Family reloads(out, "srs_reloads_total", "counter", "Reloads by verdict.");
  reloads.sample(in.reloads_ok, label("result", "ok"));
  reloads.sample(in.reloads_failed, label("result", "failed"));
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string metrics_text(const MetricsInput& in) {
  std::string out;
  srs_families(&out, in);
  our_families(&out, in);
  return out;
}

MetricsInput gather_metrics(Services& svc, CpuSampler& cpu, const std::string& server_id,
                            const std::string& service) {
  MetricsInput in;
  in.server_id = server_id;
  in.service = service;
  in.pid = svc.control->header().fixed.master_pid;
  in.totals = server_totals(svc.control->workers());
  in.cpu_percent = cpu.server_cpu();
  in.memory_kbyte = cpu.server_rss_kbyte();
  in.generation = svc.generation;
  in.directory = svc.config->origin_cluster.directory.has_value();
  for (uint32_t slot = 0; slot < shm::kWorkerSlots; ++slot) {
    shm::WorkerInfo w = svc.control->workers().read(slot);
    if (uint32_t(w.state) < 5) ++in.workers_by_state[uint32_t(w.state)];
    if (w.state == shm::WorkerState::kReady || w.state == shm::WorkerState::kDraining) {
      in.slots.push_back({slot, w.connections_now});
    }
  }
  const shm::Registry& reg = svc.control->registry();
  for (uint32_t s = 0; s < reg.capacity(); ++s) {
    if (reg.state(s) == shm::StreamState::kLive) ++in.streams;
  }
  svc.control->clients().for_each([&](const shm::ClientInfo& c) {
    if (c.type != shm::ClientType::kHttpApi) ++in.clients;
  });
  svc.control->links().for_each([&](const shm::LinkInfo& l) {
    if (uint32_t(l.state) >= 4) return;
    if (l.kind == shm::LinkKind::kForward) ++in.forwards_by_state[uint32_t(l.state)];
    if (l.kind == shm::LinkKind::kEdgePull) ++in.pulls_by_state[uint32_t(l.state)];
  });
  svc.control->children().for_each([&](const shm::ChildInfo& c) {
    if (uint32_t(c.kind) < 4 && uint32_t(c.state) < 4)
      ++in.children[uint32_t(c.kind)][uint32_t(c.state)];
  });
  in.child_totals = svc.control->children().totals();
  shm::ReloadStatus reload;  // the master's verdicts (shm/master_status.hpp)
  if (svc.control->master_status().read(&reload)) {
    in.have_reloads = true;
    in.reloads_ok = reload.reloads_ok;
    in.reloads_failed = reload.reloads_failed;
    if (reload.generation != 0) in.generation = reload.generation;
  }
  return in;
}

}  // namespace srs::worker
