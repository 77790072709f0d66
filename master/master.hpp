// The master process: binds the listeners, forks and supervises the workers,
// and reacts to signals. It handles no client traffic.
//
// Like nginx's master, it sleeps in ppoll() with every signal it handles
// blocked except during the wait; handlers only set flags, and the loop acts
// on them in one visible order: stop, reap children, read worker reports,
// reload, reopen logs, run timers. Stop comes before reaping so that workers
// which a terminal's Ctrl-C ended (SIGINT goes to the whole foreground group)
// read as part of the stop, not as crashes to respawn.
//
// Workers are forked (WorkerTable); exec'd children (ffmpeg, exec commands)
// are the ChildSupervisor's. Both restart with the same RestartPolicy, and
// every reaped pid goes to whichever of the two owns it.
//
//   SIGHUP    reload: validate the file; if valid, start a new generation of
//             workers, and once every new worker reports ready, tell the old
//             generation to drain (SIGQUIT). If the new workers do not become
//             ready in time, they are stopped and the old generation stays.
//   SIGTERM, SIGINT   fast stop: SIGTERM to workers and children (to each
//             child's process group), SIGKILL after 5 s.
//   SIGQUIT   graceful stop: workers drain (bounded by drain_timeout), then
//             exit; children are stopped at once (SIGTERM, SIGKILL after 5 s).
//   SIGUSR1   reopen the log file, in the master and then in every worker.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/fd.hpp"
#include "conf/config.hpp"
#include "master/child_room.hpp"
#include "master/child_supervisor.hpp"
#include "master/listeners.hpp"
#include "master/pid_file.hpp"
#include "master/process.hpp"
#include "master/worker_table.hpp"
#include "shm/control.hpp"
#include "shm/wakeup.hpp"

namespace srs::master {

struct MasterOptions {
  std::string config_path;  // empty: the embedded configuration
};

class Master {
 public:
  Master(MasterOptions options, conf::Config config);
  ~Master();
  // Runs until stopped; returns the process exit status.
  int run();

 private:
  // One configuration snapshot with the listeners its workers inherit.
  struct Generation {
    uint32_t id = 0;
    std::shared_ptr<const conf::Config> config;
    std::shared_ptr<ListenerSet> listeners;
    Credentials creds;
    int64_t ready_deadline_ms = 0;  // a pending generation must be ready by then
    bool announced_ready = false;
  };

  bool start();
  void loop();
  int64_t next_timeout_ms(int64_t now) const;
  void spawn(int slot, const Generation& gen);
  void child_main(int slot, const Generation& gen);
  void reap_children();
  void on_worker_exit(pid_t pid, int status);
  void read_worker_events();
  void on_worker_ready(int slot, pid_t pid);
  void check_generation_ready();

  void reload();
  // On failure, appends one line per error to `error_text` (when given).
  bool prepare_generation(const std::string& source, Generation* gen, std::string* error_text);
  void commit_reload();
  void rollback_reload(const char* why);
  bool use_log_of(const conf::Config& config, std::string* error);
  void reload_failed(const std::string& text);
  void drain_generation(uint32_t id);
  void signal_generation(uint32_t id, int signo);
  void signal_all(int signo);

  void take_stop_requests();
  void begin_fast_stop();
  void begin_graceful_stop();
  void reopen_logs();
  void stop_children();
  void run_timers(int64_t now);
  bool respawnable(uint32_t generation) const;
  const Generation* generation_of(uint32_t id) const;

  MasterOptions options_;
  Generation current_;
  std::optional<Generation> pending_;
  std::map<uint32_t, int64_t> drain_deadlines_;  // generation -> deadline (0: none)
  uint32_t next_generation_ = 1;
  WorkerTable table_;
  ChildSupervisor children_;       // exec'd children
  std::optional<ChildRoom> room_;  // which children the configuration wants (once started)
  PidFile pid_file_;
  std::string server_id_;
  base::Fd events_read_, events_write_;  // workers -> master reports
  base::Fd watch_read_, watch_write_;    // EOF tells workers the master is gone
  enum class Stop { kNone, kFast, kGraceful } stop_ = Stop::kNone;
  int64_t kill_deadline_ms_ = 0;
  std::string partial_line_;
  // Shared with every worker: created before the first fork, kept for life.
  std::optional<shm::Control> control_;
  shm::Wakeups wakeups_;
  int64_t next_sweep_ms_ = 0;
  void sweep(int64_t now);
  void reclaim(int slot, pid_t pid);
};

}  // namespace srs::master
