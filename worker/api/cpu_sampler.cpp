// CPU and memory figures by sampling /proc (see cpu_sampler.hpp).
#include "worker/api/cpu_sampler.hpp"

#include <unistd.h>

#include <cstdio>

#include "base/clock.hpp"

namespace srs::worker {
namespace {

bool read_pid_stat(uint32_t pid, PidStat* out) {
  char path[48];
  std::snprintf(path, sizeof path, "/proc/%u/stat", pid);
  char buf[1024];
  return parse_pid_stat(read_proc(path, buf, sizeof buf), out);
}

}  // namespace

CpuSampler::CpuSampler(const shm::Control* control) : control_(control) {
  last_mono_ms_ = base::mono_ms();
  last_ms_ = base::wall_ms();
  char buf[4096];
  (void)parse_proc_stat(read_proc("/proc/stat", buf, sizeof buf), &cpu_);
  read_processes(0);
}

// The master and every worker slot a process may run in.
std::vector<uint32_t> CpuSampler::server_pids() const {
  std::vector<uint32_t> pids;
  if (!control_) return {uint32_t(::getpid())};
  pids.push_back(control_->header().fixed.master_pid);
  for (uint32_t slot = 0; slot < shm::kWorkerSlots; ++slot) {
    uint32_t pid = control_->workers().pid(slot);
    if (control_->workers().running(slot) && pid != 0) pids.push_back(pid);
  }
  return pids;
}

void CpuSampler::refresh(int64_t now_ms) {
  if (now_ms - last_mono_ms_ < kMinIntervalMs) return;
  double seconds = double(now_ms - last_mono_ms_) / 1000;
  last_mono_ms_ = now_ms;
  last_ms_ = base::wall_ms();
  char buf[4096];  // the "cpu" line comes first; the rest may be cut off
  CpuTimes now;
  if (parse_proc_stat(read_proc("/proc/stat", buf, sizeof buf), &now)) {
    uint64_t total = now.total() - cpu_.total(), busy = now.busy() - cpu_.busy();
    system_cpu_ = total > 0 && now.total() >= cpu_.total() ? double(busy) / double(total) : 0;
    cpu_ = now;
  }
  read_processes(seconds);
}

void CpuSampler::read_processes(double seconds) {
  static const double kTicks = double(::sysconf(_SC_CLK_TCK));
  static const uint64_t kPageKb = uint64_t(::sysconf(_SC_PAGESIZE)) / 1024;
  std::vector<Process> next;
  for (uint32_t pid : server_pids()) {
    PidStat st;
    if (!read_pid_stat(pid, &st)) continue;  // exited since
    Process p{pid, st.field[PidStat::kUtime] + st.field[PidStat::kStime],
              st.field[PidStat::kRss] * kPageKb, 0, int64_t(st.field[PidStat::kStarttime])};
    const Process* before = process(pid);
    if (before && before->starttime == p.starttime && seconds > 0 && p.ticks >= before->ticks) {
      p.cpu = double(p.ticks - before->ticks) / kTicks / seconds;
    }
    next.push_back(p);
  }
  procs_ = std::move(next);
}

double CpuSampler::server_cpu() const {
  double sum = 0;
  for (const Process& p : procs_) sum += p.cpu;
  return sum;
}

uint64_t CpuSampler::server_rss_kbyte() const {
  uint64_t sum = 0;
  for (const Process& p : procs_) sum += p.rss_kbyte;
  return sum;
}

const CpuSampler::Process* CpuSampler::process(uint32_t pid) const {
  for (const Process& p : procs_) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

}  // namespace srs::worker
