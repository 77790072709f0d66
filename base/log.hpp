// The traceable log: one line per event, each carrying the time with
// milliseconds, the level, the pid and a context id:
//
//   [2026-11-24 03:58:33.123][INFO][4804][l33qz6k1] rtmp connect app=live ...
//
// A context id names one connection (or one job: the master, a worker's own
// housekeeping) for its whole life; (pid, context id) finds every line about
// it, across workers and restarts. Lines are written with one write(2) on an
// O_APPEND descriptor, so workers sharing one file never interleave mid-line.
// SIGUSR1 makes the owner call Log::reopen() from its event loop (logrotate).
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.hpp"

namespace srs::base {

enum class LogLevel : unsigned char { kTrace, kDebug, kInfo, kWarn, kError };

// Parses "trace", "debug", "info", "warn", "error". False when unknown.
bool parse_log_level(const std::string& text, LogLevel* out) noexcept;
const char* log_level_name(LogLevel level) noexcept;

// An 8-character base-36 context id (SRS's format), NUL-terminated.
struct ContextId {
  char text[9] = {};
  const char* c_str() const noexcept { return text; }
  // The id written as `text` (what c_str() gave), truncated to 8 characters.
  static ContextId of(std::string_view text) noexcept;
  bool operator==(const ContextId& o) const noexcept;
};

class Log {
 public:
  // Opens `path` for appending, or uses stderr when `path` is empty.
  static Status open(const std::string& path, LogLevel level);
  // Re-opens the same path (after logrotate moved it). Keeps the old fd on failure.
  static Status reopen();
  static void set_level(LogLevel level) noexcept;
  static LogLevel level() noexcept;
  // The file lines go to; empty for stderr.
  static const std::string& path() noexcept;
  static bool enabled(LogLevel level) noexcept;
  // The process's own context id, used when no connection is current. Call
  // after fork() so that each process gets its own.
  static void init_process(const char* role) noexcept;
  static const char* role() noexcept;
  // The descriptor lines go to (a forked worker keeps it open).
  static int fd() noexcept;

  static void write(LogLevel level, const char* fmt, ...) noexcept
      __attribute__((format(printf, 2, 3)));
  static void vwrite(LogLevel level, const char* fmt, va_list ap) noexcept
      __attribute__((format(printf, 2, 0)));
};

// A new context id, unique across processes with overwhelming probability
// (random per process, then a counter mixed through a bijection).
ContextId new_context_id() noexcept;
const ContextId& current_context() noexcept;

// RAII: lines logged while it lives carry `cid`; the previous id comes back after.
class LogContext {
 public:
  explicit LogContext(const ContextId& cid) noexcept;
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

 private:
  ContextId saved_;
};

}  // namespace srs::base

#define SRS_LOG(level, ...)                                                            \
  do {                                                                                 \
    if (::srs::base::Log::enabled(level)) ::srs::base::Log::write(level, __VA_ARGS__); \
  } while (0)
#define LOG_TRACE(...) SRS_LOG(::srs::base::LogLevel::kTrace, __VA_ARGS__)
#define LOG_DEBUG(...) SRS_LOG(::srs::base::LogLevel::kDebug, __VA_ARGS__)
#define LOG_INFO(...) SRS_LOG(::srs::base::LogLevel::kInfo, __VA_ARGS__)
#define LOG_WARN(...) SRS_LOG(::srs::base::LogLevel::kWarn, __VA_ARGS__)
#define LOG_ERROR(...) SRS_LOG(::srs::base::LogLevel::kError, __VA_ARGS__)
