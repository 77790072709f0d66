// ChildSupervisor: the master's exec'd children (ffmpeg for transcode and
// ingest, exec commands), restarted with the same RestartPolicy as the
// workers. Children are the master's, never a worker's: a restarted worker
// neither orphans nor duplicates them.
//
//   start() ─> running ──exit──> waiting ──restart time──> running ...
//                 │        └──(breaker: N quick exits)──> failed
//                 └─ stop() ─> stopping ──exit──> forgotten
//                                 └─ grace over: SIGKILL to the group
//
// Invariants:
// - A child is fork+exec'd in a process group of its own (pgid == pid), with
//   /dev/null as stdin, stdout and stderr to a pipe the master reads into the
//   child's log file or its own log (child_output.hpp), an empty signal mask
//   and default dispositions, and no descriptor but those three. A stop signals the whole group, so
//   whatever the child started goes too; a terminal's Ctrl-C (SIGINT to the foreground group) never
//   reaches it, the master decides.
// - The child is its group's life: when it exits, what it left in its group
//   is killed before any restart, so a restart never duplicates a grandchild.
//   If the master dies, the kernel kills the child (PR_SET_PDEATHSIG).
// - The supervisor never waits for a child and installs no signal handler:
//   the master reaps (waitpid) and hands every pid that is not a worker to
//   on_exit(). Time comes in as `now` (monotonic ms), so tests drive it.
// - stop() answers for itself: SIGTERM now, SIGKILL from run_timers() once
//   the grace period is over, whatever the child does with SIGTERM.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/status.hpp"
#include "master/child_output.hpp"
#include "master/process.hpp"
#include "master/restart_policy.hpp"
#include "shm/children.hpp"

namespace srs::master {

using ChildId = uint32_t;  // 0 is never a child

// What the API says a child is for (shm/children.hpp).
struct ChildTags {
  shm::ChildKind kind = shm::ChildKind::kExec;
  std::string name;    // the engine, the ingest, the exec event
  std::string source;  // the stream it reads ("vhost/app/stream"), or an ingest's input
  std::string output;  // the stream it publishes here, or ""
  bool operator==(const ChildTags&) const = default;
};

struct ChildSpec {
  std::string name;               // in log lines and the API: "ingest live/cam1"
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in PATH
  // "KEY=value" strings; none: the master's own environment.
  std::optional<std::vector<std::string>> env;
  // stdout and stderr, appended; empty: the master's log; "/dev/null": none
  std::string log_path;
  RestartPolicy policy;  // RestartPolicy::give_up_after_quick_exits(N) opts in to the breaker
  Credentials creds;     // dropped to before exec (the workers' user); default: unchanged
  bool once = false;     // run once (an exec command): never restarted, forgotten at its exit
  ChildTags tags;
  // Same program, arguments, environment, log and policy (a reload keeps such a child).
  bool same_run(const ChildSpec& o) const {
    return argv == o.argv && env == o.env && log_path == o.log_path && once == o.once &&
           policy.give_up_after == o.policy.give_up_after && creds.uid == o.creds.uid &&
           creds.gid == o.creds.gid;
  }
};

enum class ChildState : uint8_t {
  kRunning,
  kWaiting,   // exited (or failed to start); restart scheduled
  kFailed,    // the crash-loop breaker tripped; stays listed until stop()
  kStopping,  // stop() sent SIGTERM; SIGKILL follows after the grace period
};
const char* child_state_name(ChildState state);

// One child as the API shows it.
struct ChildInfo {
  ChildId id = 0;
  std::string name;
  ChildState state = ChildState::kRunning;
  pid_t pid = 0;  // 0 unless running or stopping
  uint32_t restarts = 0;
  int quick_exits = 0;         // in a row, the breaker's count
  std::string last_exit;       // "exited with status 3", a failed exec...; empty before the first
  int64_t run_started_ms = 0;  // the current (or last) run's start
  int64_t first_started_ms = 0;
  ChildTags tags;
};

// What the supervisor did since it was made (counters for /metrics).
struct SupervisorTotals {
  uint32_t starts = 0;       // processes started
  uint32_t restarts = 0;     // starts after an exit
  uint32_t crash_loops = 0;  // children given up
};

class ChildSupervisor {
 public:
  static constexpr int64_t kDefaultKillAfterMs = 5000;
  explicit ChildSupervisor(int64_t kill_after_ms = kDefaultKillAfterMs)
      : kill_after_ms_(kill_after_ms) {}
  ChildSupervisor(const ChildSupervisor&) = delete;
  ChildSupervisor& operator=(const ChildSupervisor&) = delete;

  // Starts `spec` now. A program that cannot be started (no such file, say)
  // still makes a child: the failure is logged and counts as a quick exit.
  // Fails for a spec without a name or a program, and after stop_all().
  base::Result<ChildId> start(ChildSpec spec, int64_t now_ms);
  // The master reaped `pid` with `status`. True when it was one of ours: the
  // restart is then scheduled (or the breaker trips, or a stopped child is
  // forgotten), and logged.
  bool on_exit(pid_t pid, int status, int64_t now_ms);
  // SIGTERM to the child's group; SIGKILL after the grace period. A child
  // without a process (waiting, failed) is forgotten at once. False when
  // `id` is unknown.
  bool stop(ChildId id, int64_t now_ms);
  // The master is stopping: stop() every child, and start no more (the
  // master exits once live_count() is 0; a child started now would hold it).
  void stop_all(int64_t now_ms);
  // Stops the child's run (SIGTERM, SIGKILL after the grace) and starts it
  // again as after an exit (`why` is logged: "its output got no media for 10 s").
  bool restart(ChildId id, const std::string& why, int64_t now_ms);

  // The children's output pipes, to poll for POLLIN, and reading them.
  void output_fds(std::vector<int>* fds) const;
  void drain_output();
  // Every per-child log file again (SIGUSR1).
  void reopen_logs();

  // The earliest restart or SIGKILL time, or -1 when there is none.
  int64_t next_timer_ms() const;
  // Restarts and SIGKILLs that are due.
  void run_timers(int64_t now_ms);

  std::vector<ChildInfo> list() const;
  int live_count() const;  // children with a process (running, stopping)
  const SupervisorTotals& totals() const { return totals_; }
  // Grows at every change list() would show (start, exit, stop, restart).
  uint64_t changes() const { return changes_; }

 private:
  struct Child {
    ChildSpec spec;
    ChildState state = ChildState::kRunning;
    pid_t pid = 0;
    int64_t restart_at_ms = 0;  // waiting
    int64_t kill_at_ms = 0;     // stopping
    bool kill_sent = false;     // stopping: SIGKILL is sent
    bool restart_after_stop = false;
    RestartHistory history;
    std::string last_exit;
    int64_t first_started_ms = 0;
    ChildOutput output;
  };

  void spawn(Child* child, int64_t now_ms);
  void send_stop(Child* child, int64_t now_ms);
  void schedule_restart(Child* child, const std::string& what, base::LogLevel level,
                        int64_t now_ms);
  ChildId find_pid(pid_t pid) const;

  int64_t kill_after_ms_;
  ChildId next_id_ = 1;
  bool stopping_all_ = false;
  std::map<ChildId, Child> children_;
  SupervisorTotals totals_;
  uint64_t changes_ = 0;
};

}  // namespace srs::master
