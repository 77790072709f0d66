// /proc parsers (see proc_stats.hpp). Layouts from proc(5).
#include "worker/api/proc_stats.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace srs::worker {
namespace {

// A cursor over one text: numbers and words separated by blanks.
struct Scan {
  std::string_view s;

  void skip_blanks() noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  }
  bool number(uint64_t* out) noexcept {
    skip_blanks();
    bool negative = !s.empty() && s.front() == '-';
    if (negative) s.remove_prefix(1);
    if (s.empty() || s.front() < '0' || s.front() > '9') return false;
    uint64_t v = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      v = v * 10 + uint64_t(s.front() - '0');
      s.remove_prefix(1);
    }
    *out = negative ? ~v + 1 : v;  // two's complement of a negative value
    return true;
  }
  // A decimal with an optional fraction ("0.53", "12345.67").
  bool real(double* out) noexcept {
    uint64_t whole = 0;
    if (!number(&whole)) return false;
    double v = double(whole), scale = 0.1;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
        v += scale * (s.front() - '0');
        scale /= 10;
        s.remove_prefix(1);
      }
    }
    *out = v;
    return true;
  }
  std::string_view word() noexcept {
    skip_blanks();
    size_t n = 0;
    while (n < s.size() && s[n] != ' ' && s[n] != '\t' && s[n] != '\n') ++n;
    std::string_view w = s.substr(0, n);
    s.remove_prefix(n);
    return w;
  }
};

// The line of `text` that starts with `prefix` (without it), or empty.
std::string_view line_after(std::string_view text, std::string_view prefix) noexcept {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (line.substr(0, prefix.size()) == prefix) return line.substr(prefix.size());
    at = end + 1;
  }
  return {};
}

constexpr const char* kPidStatNames[PidStat::kFields] = {
    "ppid",        "pgrp",        "session",
    "tty_nr",      "tpgid",       "flags",
    "minflt",      "cminflt",     "majflt",
    "cmajflt",     "utime",       "stime",
    "cutime",      "cstime",      "priority",
    "nice",        "num_threads", "itrealvalue",
    "starttime",   "vsize",       "rss",
    "rsslim",      "startcode",   "endcode",
    "startstack",  "kstkesp",     "kstkeip",
    "signal",      "blocked",     "sigignore",
    "sigcatch",    "wchan",       "nswap",
    "cnswap",      "exit_signal", "processor",
    "rt_priority", "policy",      "delayacct_blkio_ticks",
    "guest_time",  "cguest_time"};

}  // namespace

std::string_view read_proc(const char* path, char* buf, size_t size) noexcept {
  if (size == 0) return {};
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  size_t n = 0;
  while (n + 1 < size) {
    ssize_t r = ::read(fd, buf + n, size - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += size_t(r);
  }
  ::close(fd);
  buf[n] = '\0';
  return std::string_view(buf, n);
}

// "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
bool parse_proc_stat(std::string_view text, CpuTimes* out) noexcept {
  Scan sc{line_after(text, "cpu ")};
  uint64_t* fields[] = {&out->user, &out->nice,    &out->sys,   &out->idle, &out->iowait,
                        &out->irq,  &out->softirq, &out->steal, &out->guest};
  size_t read = 0;
  for (uint64_t* f : fields) {
    if (!sc.number(f)) break;
    ++read;
  }
  return read >= 4;  // user nice system idle: every kernel
}

// "pid (comm) state ppid ...". comm may hold spaces and parentheses: it
// ends at the LAST ')'.
bool parse_pid_stat(std::string_view text, PidStat* out) noexcept {
  size_t open = text.find('('), close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return false;
  uint64_t pid = 0;
  Scan head{text.substr(0, open)};
  if (!head.number(&pid)) return false;
  out->pid = int(pid);
  std::string_view comm = text.substr(open + 1, close - open - 1);
  size_t n = comm.size() < sizeof out->comm - 1 ? comm.size() : sizeof out->comm - 1;
  std::memcpy(out->comm, comm.data(), n);
  out->comm[n] = '\0';
  Scan sc{text.substr(close + 1)};
  std::string_view state = sc.word();
  if (state.size() != 1) return false;
  out->state = state[0];
  out->count = 0;
  while (out->count < PidStat::kFields && sc.number(&out->field[out->count])) ++out->count;
  return out->count > PidStat::kRss;
}

const char* pid_stat_field_name(size_t i) noexcept {
  return i < PidStat::kFields ? kPidStatNames[i] : "";
}

// %ld in proc(5): cutime, cstime, priority, nice, num_threads, itrealvalue, rss.
bool pid_stat_field_signed(size_t i) noexcept {
  return (i >= 12 && i <= 17) || i == PidStat::kRss;
}

// "MemTotal:       16316412 kB"
bool parse_meminfo(std::string_view text, MemInfo* out) noexcept {
  struct Key {
    const char* name;
    uint64_t* value;
  } keys[] = {{"MemTotal:", &out->mem_total},
              {"MemFree:", &out->mem_free},
              {"MemAvailable:", &out->mem_available},
              {"Buffers:", &out->buffers},
              {"Cached:", &out->cached},
              {"SwapTotal:", &out->swap_total},
              {"SwapFree:", &out->swap_free}};
  for (const Key& k : keys) {
    Scan sc{line_after(text, k.name)};
    if (!sc.number(k.value)) *k.value = 0;
  }
  return out->mem_total > 0;
}

// "0.52 0.58 0.59 2/870 12345"
bool parse_loadavg(std::string_view text, LoadAvg* out) noexcept {
  Scan sc{text};
  return sc.real(&out->load_1m) && sc.real(&out->load_5m) && sc.real(&out->load_15m);
}

// "350735.47 234388.90"
bool parse_uptime(std::string_view text, Uptime* out) noexcept {
  Scan sc{text};
  return sc.real(&out->uptime) && sc.real(&out->idle);
}

// Reads "name value" pairs of one line into the matching outputs.
template <size_t N>
void read_pairs(std::string_view line, const std::pair<std::string_view, uint64_t*> (&keys)[N]) {
  Scan sc{line};
  for (std::string_view name = sc.word(); !name.empty(); name = sc.word()) {
    uint64_t v = 0;
    if (!sc.number(&v)) return;
    for (const auto& [key, out] : keys) {
      if (key == name) *out = v;
    }
  }
}

bool parse_sockstat(std::string_view text, SockStat* out) noexcept {
  std::string_view tcp = line_after(text, "TCP:"), udp = line_after(text, "UDP:");
  const std::pair<std::string_view, uint64_t*> tcp_keys[] = {
      {"inuse", &out->tcp_inuse}, {"tw", &out->tcp_tw}, {"alloc", &out->tcp_alloc}};
  const std::pair<std::string_view, uint64_t*> udp_keys[] = {{"inuse", &out->udp_inuse}};
  read_pairs(tcp, tcp_keys);
  read_pairs(udp, udp_keys);
  return !tcp.empty();
}

// "Tcp: RtoAlgorithm RtoMin ... CurrEstab ...\nTcp: 1 200 ... 7 ..."
bool parse_snmp_tcp_established(std::string_view text, uint64_t* out) noexcept {
  size_t first = text.find("Tcp:");
  if (first == std::string_view::npos) return false;
  std::string_view names = line_after(text.substr(first), "Tcp:");
  size_t second = text.find("Tcp:", first + 4);
  if (second == std::string_view::npos) return false;
  Scan n{names}, v{line_after(text.substr(second), "Tcp:")};
  for (std::string_view name = n.word(); !name.empty(); name = n.word()) {
    uint64_t value = 0;
    if (!v.number(&value)) return false;
    if (name == "CurrEstab") {
      *out = value;
      return true;
    }
  }
  return false;
}

// Two header lines, then "  eth0: rx_bytes rx_packets ... (8 rx) tx_bytes ...".
bool parse_net_dev(std::string_view text, NetDev* out) noexcept {
  *out = NetDev{};
  bool any = false;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || line.find('|') != std::string_view::npos) continue;
    Scan name{line.substr(0, colon)}, sc{line.substr(colon + 1)};
    uint64_t f[9] = {};
    size_t i = 0;
    while (i < 9 && sc.number(&f[i])) ++i;
    if (i < 9) continue;
    bool lo = name.word() == "lo";
    (lo ? out->lo_recv_bytes : out->recv_bytes) += f[0];
    (lo ? out->lo_send_bytes : out->send_bytes) += f[8];
    any = true;
  }
  return any;
}

}  // namespace srs::worker
