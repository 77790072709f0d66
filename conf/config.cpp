// The typed configuration's own behaviour: comparison, vhost lookup, worker
// count, error text, and what a reload may not change (see config.hpp).
#include "conf/config.hpp"

#include <unistd.h>

namespace srs::conf {
namespace {

constexpr char kNeedsRestart[] = "cannot change on reload (restart the server)";

std::string text_of(bool v) {
  return v ? "true" : "false";
}
std::string text_of(uint64_t v) {
  return std::to_string(v);
}
std::string text_of(const std::string& v) {
  return "'" + v + "'";
}

void check_same(const std::string& file, const char* path, const std::string& running,
                const std::string& next, std::vector<ConfigError>* errors) {
  if (running == next) return;
  errors->push_back({file, 0, 0, path,
                     std::string(kNeedsRestart) + ": running with " + running + ", new " + next});
}

}  // namespace

bool Config::same_settings(const Config& other) const {
  // Compare everything but the source, without listing members here (a new
  // member is compared the day it is added).
  Config mine = *this;
  mine.source = other.source;
  return mine == other;
}

const VhostConfig* Config::find_vhost(std::string_view name) const {
  const VhostConfig* fallback = nullptr;
  for (const VhostConfig& v : vhosts) {
    if (v.name == name) return &v;
    if (v.name == kDefaultVhost) fallback = &v;
  }
  return fallback;
}

int Config::resolved_workers() const {
  if (worker_processes > 0) return worker_processes;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? static_cast<int>(cores) : 1;
}

std::string LoadResult::error_text() const {
  std::string text;
  for (const ConfigError& e : errors) text += e.to_string() + "\n";
  return text;
}

std::string ConfigError::to_string() const {
  std::string text = file;
  if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
  text += ": ";
  if (!path.empty()) text += path + ": ";
  return text + message;
}

void check_reload(const Config& running, const Config& next, std::vector<ConfigError>* errors) {
  const std::string& f = next.source;
  check_same(f, "daemon", text_of(running.daemon), text_of(next.daemon), errors);
  check_same(f, "pid_file", text_of(running.pid_file), text_of(next.pid_file), errors);
  check_same(f, "shm.max_streams", text_of(uint64_t{running.shm.max_streams}),
             text_of(uint64_t{next.shm.max_streams}), errors);
  check_same(f, "shm.ring_bytes", text_of(running.shm.ring_bytes), text_of(next.shm.ring_bytes),
             errors);
  check_same(f, "shm.max_clients", text_of(uint64_t{running.shm.max_clients}),
             text_of(uint64_t{next.shm.max_clients}), errors);
  // A reload moves the log (the master and the new workers); a daemon has no
  // stderr to move it to.
  if (next.daemon && next.log.file.empty()) {
    errors->push_back({f, 0, 0, "log.file", "daemon: true needs log.file (stderr is closed)"});
  }
}

}  // namespace srs::conf
