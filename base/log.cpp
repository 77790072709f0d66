// The traceable log (see log.hpp for the line format and the rules).
#include "base/log.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace srs::base {
namespace {

// Per-process logging state. The log is the one place where process-wide
// state is simpler than threading a context through every call.
struct LogState {
  int fd = STDERR_FILENO;
  bool owns_fd = false;
  std::string path;
  LogLevel level = LogLevel::kInfo;
  ContextId process_cid;
  ContextId current;
  const char* role = "srs";
  uint64_t cid_seed = 0;
  uint64_t cid_counter = 0;
  pid_t pid = 0;
  // Formatted "YYYY-MM-DD HH:MM:SS" for the cached second.
  time_t cached_sec = -1;
  char cached_time[24] = {};
};

LogState& state() noexcept {
  static LogState s;
  return s;
}

uint64_t splitmix64(uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t random_seed() noexcept {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != sizeof seed) {
    timeval tv;
    gettimeofday(&tv, nullptr);
    seed = (uint64_t(tv.tv_sec) << 20) ^ uint64_t(tv.tv_usec) ^ (uint64_t(getpid()) << 40);
  }
  return seed;
}

const char* level_tag(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace:
      return "TRACE";
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

int open_append(const std::string& path) noexcept {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

}  // namespace

bool parse_log_level(const std::string& text, LogLevel* out) noexcept {
  static const struct {
    const char* name;
    LogLevel level;
  } kLevels[] = {{"trace", LogLevel::kTrace},
                 {"debug", LogLevel::kDebug},
                 {"info", LogLevel::kInfo},
                 {"warn", LogLevel::kWarn},
                 {"error", LogLevel::kError}};
  for (const auto& l : kLevels) {
    if (text == l.name) {
      *out = l.level;
      return true;
    }
  }
  return false;
}

const char* log_level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

ContextId ContextId::of(std::string_view text) noexcept {
  ContextId cid;
  std::memcpy(cid.text, text.data(), std::min(text.size(), sizeof cid.text - 1));
  return cid;
}

bool ContextId::operator==(const ContextId& o) const noexcept {
  return std::memcmp(text, o.text, sizeof text) == 0;
}

ContextId new_context_id() noexcept {
  LogState& s = state();
  if (s.cid_seed == 0) s.cid_seed = random_seed() | 1;
  // splitmix64 is a bijection, so distinct counters give distinct 64-bit values.
  uint64_t v = splitmix64(s.cid_seed + s.cid_counter++);
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  ContextId cid;
  for (int i = 0; i < 8; i++) {
    cid.text[i] = kDigits[v % 36];
    v /= 36;
  }
  return cid;
}

const ContextId& current_context() noexcept {
  return state().current;
}

LogContext::LogContext(const ContextId& cid) noexcept : saved_(state().current) {
  state().current = cid;
}
LogContext::~LogContext() {
  state().current = saved_;
}

void Log::init_process(const char* role) noexcept {
  LogState& s = state();
  s.cid_seed = random_seed() | 1;  // a forked child must not repeat its parent's ids
  s.cid_counter = 0;
  s.pid = getpid();
  s.role = role;
  s.process_cid = new_context_id();
  s.current = s.process_cid;
  s.cached_sec = -1;
}

const char* Log::role() noexcept {
  return state().role;
}

int Log::fd() noexcept {
  return state().fd;
}

Status Log::open(const std::string& path, LogLevel level) {
  LogState& s = state();
  s.level = level;
  if (path.empty()) {
    if (s.owns_fd) ::close(s.fd);
    s.fd = STDERR_FILENO;
    s.owns_fd = false;
    s.path.clear();
    return Status::ok();
  }
  int fd = open_append(path);
  if (fd < 0) return Status::sys("open");
  if (s.owns_fd) ::close(s.fd);
  s.fd = fd;
  s.owns_fd = true;
  s.path = path;
  return Status::ok();
}

Status Log::reopen() {
  LogState& s = state();
  if (s.path.empty()) return Status::ok();
  int fd = open_append(s.path);
  if (fd < 0) return Status::sys("open");
  if (s.owns_fd) ::close(s.fd);
  s.fd = fd;
  s.owns_fd = true;
  return Status::ok();
}

void Log::set_level(LogLevel level) noexcept {
  state().level = level;
}

LogLevel Log::level() noexcept {
  return state().level;
}

const std::string& Log::path() noexcept {
  return state().path;
}

bool Log::enabled(LogLevel level) noexcept {
  return level >= state().level;
}

void Log::write(LogLevel level, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  vwrite(level, fmt, ap);
  va_end(ap);
}

void Log::vwrite(LogLevel level, const char* fmt, va_list ap) noexcept {
  LogState& s = state();
  if (s.pid == 0) init_process("srs");
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (ts.tv_sec != s.cached_sec) {
    tm local;
    localtime_r(&ts.tv_sec, &local);
    strftime(s.cached_time, sizeof s.cached_time, "%Y-%m-%d %H:%M:%S", &local);
    s.cached_sec = ts.tv_sec;
  }
  char line[4096];
  int n = std::snprintf(line, sizeof line, "[%s.%03ld][%s][%d][%s] ", s.cached_time,
                        ts.tv_nsec / 1000000, level_tag(level), int(s.pid), s.current.c_str());
  if (n < 0) return;
  int room = int(sizeof line) - n - 1;
  int m = std::vsnprintf(line + n, size_t(room) + 1, fmt, ap);
  if (m < 0) m = 0;
  if (m > room) m = room;  // truncated: keep the line whole
  n += m;
  line[n++] = '\n';
  ssize_t unused = ::write(s.fd, line, size_t(n));
  (void)unused;
}

}  // namespace srs::base
