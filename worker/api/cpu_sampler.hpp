// CPU and memory of the whole server (the master and every worker) and of
// the machine, for /api/v1/summaries, /api/v1/workers and /metrics.
//
// A CPU percentage needs two readings of tick counters. There is no timer:
// each worker's API keeps one CpuSampler, and a request that needs the
// figures calls refresh(), which reads /proc again only when the previous
// reading is at least kMinIntervalMs old; the percentages are those of the
// interval between the last two readings. The constructor takes a first
// reading, so the first request a second later already has figures. Two
// workers answering API calls sample independently (their intervals differ
// a little; the figures agree).
//
// Units: process percentages are a fraction of ONE core (1.0 = one core
// busy, as top shows it; the server's is the sum over its processes); the
// system percentage is a fraction of all cores (0..1), as SRS reports it.
#pragma once

#include <cstdint>
#include <vector>

#include "shm/control.hpp"
#include "worker/api/proc_stats.hpp"

namespace srs::worker {

class CpuSampler {
 public:
  static constexpr int64_t kMinIntervalMs = 1000;

  struct Process {
    uint32_t pid = 0;
    uint64_t ticks = 0;  // utime + stime
    uint64_t rss_kbyte = 0;
    double cpu = 0;         // fraction of one core over the last interval
    int64_t starttime = 0;  // tells a reused pid apart
  };

  explicit CpuSampler(const shm::Control* control);

  // Reads /proc if the last reading is kMinIntervalMs old (`now_ms` monotonic).
  void refresh(int64_t now_ms);

  double system_cpu() const { return system_cpu_; }  // 0..1 of all cores
  double server_cpu() const;                         // sum over the processes
  uint64_t server_rss_kbyte() const;
  const Process* process(uint32_t pid) const;  // null if not sampled
  const std::vector<Process>& processes() const { return procs_; }
  const CpuTimes& system_ticks() const { return cpu_; }
  int64_t sample_ms() const { return last_ms_; }  // wall ms of the last reading

 private:
  void read_processes(double seconds);
  std::vector<uint32_t> server_pids() const;

  const shm::Control* control_;
  int64_t last_mono_ms_ = 0;
  int64_t last_ms_ = 0;
  CpuTimes cpu_;
  double system_cpu_ = 0;
  std::vector<Process> procs_;
};

}  // namespace srs::worker
