// fanout-floor: the bare kernel floor for `make bench` (see fanout.hpp).
//
//   fanout-floor --listen 127.0.0.1:PORT --players 400 --bitrate 1100kbps
//                --window 350ms --duration 20s [--json FILE]
//
// Prints "listening on HOST:PORT", accepts --players connections (srs-bench
// --play tcp://HOST:PORT reads them), then streams for --duration and reports
// its own CPU seconds (getrusage) for the streaming phase, as text on stdout
// and as JSON with --json.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "tools/fanout-floor/fanout.hpp"

namespace {

using srs::tools::fanout_floor::Fanout;
using srs::tools::fanout_floor::FanoutConfig;
using srs::tools::fanout_floor::FanoutResult;

constexpr const char* kUsage =
    "fanout-floor: the same bytes to N sockets, one writev() per player per window.\n"
    "Usage: fanout-floor --players N [--listen HOST:PORT] [--bitrate 1100kbps] [--gop 2s]\n"
    "                    [--window 350ms] [--duration 20s] [--accept-timeout 30s] [--json FILE]\n"
    "  --window 0 writes every message as it is produced (realtime).\n"
    "  Players: srs-bench --play tcp://HOST:PORT --players N (raw TCP readers).\n";

struct Args {
  std::string host = "127.0.0.1";
  int port = 0;
  uint32_t players = 0;
  FanoutConfig config;
  uint64_t accept_timeout_ms = 30000;
  std::string json;
};

// "350ms", "2s", "1m", or a bare number of seconds; -1 when invalid.
int64_t duration_ms(std::string_view s) {
  double mult = 1000;
  if (s.ends_with("ms"))
    mult = 1, s.remove_suffix(2);
  else if (s.ends_with("s"))
    s.remove_suffix(1);
  else if (s.ends_with("m"))
    mult = 60000, s.remove_suffix(1);
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || v < 0) return -1;
  return static_cast<int64_t>(v * mult + 0.5);
}

// "1100kbps", "1.1mbps", or bits per second; 0 when invalid.
uint64_t bitrate(std::string_view s) {
  double mult = 1;
  if (s.ends_with("kbps"))
    mult = 1e3, s.remove_suffix(4);
  else if (s.ends_with("mbps"))
    mult = 1e6, s.remove_suffix(4);
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || v <= 0) return 0;
  return static_cast<uint64_t>(v * mult);
}

bool parse_endpoint(std::string_view s, Args* a) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  a->host = std::string(s.substr(0, colon));
  a->port = std::atoi(std::string(s.substr(colon + 1)).c_str());
  return a->port >= 0 && a->port < 65536;
}

bool parse_flag(Args* a, std::string_view flag, const char* v) {
  if (flag == "--listen") return parse_endpoint(v, a);
  if (flag == "--players") return (a->players = static_cast<uint32_t>(std::atoi(v))) > 0;
  if (flag == "--json") return !(a->json = v).empty();
  if (flag == "--bitrate") return (a->config.stream.bitrate_bps = bitrate(v)) >= 8000;
  int64_t d = duration_ms(v);
  if (d < 0) return false;
  if (flag == "--window")
    a->config.window_ms = static_cast<uint32_t>(d);
  else if (flag == "--duration")
    a->config.duration_ms = static_cast<uint64_t>(d);
  else if (flag == "--gop")
    a->config.stream.gop_ms = static_cast<uint32_t>(d);
  else if (flag == "--accept-timeout")
    a->accept_timeout_ms = static_cast<uint64_t>(d);
  else
    return false;
  return true;
}

int listen_on(const Args& a) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(a.port));
  if (fd < 0 || inet_pton(AF_INET, a.host.c_str(), &addr.sin_addr) != 1 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1024) != 0) {
    std::fprintf(stderr, "fanout-floor: cannot listen on %s:%d (%s)\n", a.host.c_str(), a.port,
                 std::strerror(errno));
    return -1;
  }
  socklen_t len = sizeof addr;
  (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("listening on %s:%d\n", a.host.c_str(), ntohs(addr.sin_port));
  std::fflush(stdout);
  return fd;
}

// Accepts until `players` sockets or the timeout; returns them non-blocking.
std::vector<int> accept_players(int lfd, const Args& a) {
  std::vector<int> fds;
  int64_t deadline = srs::base::mono_ms() + static_cast<int64_t>(a.accept_timeout_ms);
  while (fds.size() < a.players) {
    int64_t left = deadline - srs::base::mono_ms();
    pollfd p{lfd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) fds.push_back(fd);
  }
  return fds;
}

void report(const Args& a, size_t players, const FanoutResult& r) {
  double cpu = r.cpu_user_s + r.cpu_sys_s;
  std::printf(
      "fanout-floor: %zu players, window %u ms, %.1f s: cpu %.3f s (user %.3f, sys %.3f), "
      "%" PRIu64 " writes, %.1f MB, %" PRIu64 " short writes\n",
      players, a.config.window_ms, r.seconds, cpu, r.cpu_user_s, r.cpu_sys_s, r.writes,
      static_cast<double>(r.bytes) / 1e6, r.short_writes);
  if (a.json.empty()) return;
  FILE* f = std::fopen(a.json.c_str(), "w");
  if (f == nullptr) return;
  std::fprintf(f,
               "{\"players\": %zu, \"window_ms\": %u, \"seconds\": %.3f, \"cpu_s\": %.4f, "
               "\"cpu_user_s\": %.4f, \"cpu_sys_s\": %.4f, \"writes\": %" PRIu64
               ", \"bytes\": %" PRIu64 ", \"short_writes\": %" PRIu64 ", \"messages\": %" PRIu64
               ", \"bitrate_bps\": %" PRIu64 "}\n",
               players, a.config.window_ms, r.seconds, cpu, r.cpu_user_s, r.cpu_sys_s, r.writes,
               r.bytes, r.short_writes, r.messages, a.config.stream.bitrate_bps);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return std::fputs(kUsage, stdout), 0;
    if (i + 1 >= argc || !parse_flag(&a, flag, argv[i + 1])) {
      std::fprintf(stderr, "fanout-floor: bad option %s\n%s", argv[i], kUsage);
      return 2;
    }
    ++i;
  }
  if (a.players == 0) return std::fputs(kUsage, stderr), 2;
  std::signal(SIGPIPE, SIG_IGN);
  int lfd = listen_on(a);
  if (lfd < 0) return 1;
  std::vector<int> fds = accept_players(lfd, a);
  ::close(lfd);
  if (fds.size() < a.players) {
    std::fprintf(stderr, "fanout-floor: only %zu of %u players connected\n", fds.size(), a.players);
  }
  FanoutResult r = Fanout(a.config, fds).run();
  report(a, fds.size(), r);
  for (int fd : fds) ::close(fd);
  return fds.empty() ? 1 : 0;
}
