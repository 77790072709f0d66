// Parsers of the Linux /proc files the system API reports (proc(5)):
// /proc/stat, /proc/<pid>/stat, /proc/meminfo, /proc/loadavg, /proc/uptime,
// /proc/net/sockstat, /proc/net/snmp and /proc/net/dev. Each parser takes
// the file's text and fills a struct; it returns false (and leaves what it
// could not read at zero) when the text is not what the kernel writes, so a
// missing or odd file degrades one figure, never the reply. read_proc()
// reads a whole small file into a caller's stack buffer: no iostreams, no
// allocation. Unit tests feed captured texts (t/unit/worker/proc_stats_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace srs::worker {

// Reads `path` into `buf` (at most size - 1 bytes, NUL-terminated). The
// text, or empty when the file cannot be read.
std::string_view read_proc(const char* path, char* buf, size_t size) noexcept;

// The aggregate "cpu" line of /proc/stat, in clock ticks.
struct CpuTimes {
  uint64_t user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0,
           guest = 0;
  uint64_t total() const noexcept {
    return user + nice + sys + idle + iowait + irq + softirq + steal;
  }
  uint64_t busy() const noexcept { return total() - idle - iowait; }
};
bool parse_proc_stat(std::string_view text, CpuTimes* out) noexcept;

// /proc/<pid>/stat: pid, comm, state, then fields 4 (ppid) .. 44
// (cguest_time), named as SRS's self_proc_stats names them.
struct PidStat {
  static constexpr size_t kFields = 41;
  static constexpr size_t kPpid = 0, kUtime = 10, kStime = 11, kNumThreads = 16, kStarttime = 18,
                          kVsize = 19, kRss = 20;
  int pid = 0;
  char comm[32] = {};  // without the parentheses (the kernel truncates it to 15)
  char state = '?';
  // Signed fields (cutime, nice, ...) are stored as their two's complement.
  uint64_t field[kFields] = {};
  size_t count = 0;  // fields read (older kernels write fewer)
};
bool parse_pid_stat(std::string_view text, PidStat* out) noexcept;
// The name of field[i] ("ppid", "utime", ...) and whether it is signed.
const char* pid_stat_field_name(size_t i) noexcept;
bool pid_stat_field_signed(size_t i) noexcept;

// /proc/meminfo, in kB.
struct MemInfo {
  uint64_t mem_total = 0, mem_free = 0, mem_available = 0, buffers = 0, cached = 0, swap_total = 0,
           swap_free = 0;
};
bool parse_meminfo(std::string_view text, MemInfo* out) noexcept;

struct LoadAvg {
  double load_1m = 0, load_5m = 0, load_15m = 0;
};
bool parse_loadavg(std::string_view text, LoadAvg* out) noexcept;

struct Uptime {
  double uptime = 0, idle = 0;  // seconds (idle: summed over CPUs)
};
bool parse_uptime(std::string_view text, Uptime* out) noexcept;

// /proc/net/sockstat ("TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1", "UDP: inuse 3 ...").
struct SockStat {
  uint64_t tcp_inuse = 0, tcp_tw = 0, tcp_alloc = 0, udp_inuse = 0;
};
bool parse_sockstat(std::string_view text, SockStat* out) noexcept;

// CurrEstab of the "Tcp:" lines of /proc/net/snmp (a header line, then values).
bool parse_snmp_tcp_established(std::string_view text, uint64_t* out) noexcept;

// /proc/net/dev, summed over the interfaces: `lo` apart from the others.
struct NetDev {
  uint64_t recv_bytes = 0, send_bytes = 0;        // every interface but lo
  uint64_t lo_recv_bytes = 0, lo_send_bytes = 0;  // lo
};
bool parse_net_dev(std::string_view text, NetDev* out) noexcept;

}  // namespace srs::worker
