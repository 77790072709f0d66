// The master's exec'd children and their restarts (see child_supervisor.hpp).
#include "master/child_supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd.hpp"
#include "base/log.hpp"

extern char** environ;

namespace srs::master {
namespace {

// The steps of a child between fork() and exec(). A failed step is reported
// to the parent as {step, errno} through a CLOEXEC pipe that a successful
// exec closes, so the parent knows at once whether the program started.
enum Step : int { kSetpgid, kDup2, kPrivileges, kDeathSignal, kExec };

struct ExecFailure {
  int step = 0;
  int err = 0;
};

// What the child needs, prepared before fork(): after it, the child makes
// system calls only, and the privilege drop (initgroups reads the group
// database, as it does in a worker: the master is single-threaded).
struct ExecPlan {
  std::vector<std::string> env_strings;
  std::vector<char*> argv;  // NULL-terminated
  std::vector<char*> envp;  // NULL-terminated; unused when the master's environment is kept
  char** env = nullptr;
  base::Fd in, out;  // /dev/null and the log, both CLOEXEC and above stdio
  const Credentials* creds = nullptr;
  pid_t parent = 0;
};

std::string sys_error(const std::string& call, int err) {
  return call + " failed (" + std::to_string(err) + ": " + std::strerror(err) + ")";
}

// `fd` moved above 0..2 (a master started with a closed stdin would open
// /dev/null as fd 0, which dup2 onto 0..2 would then clobber), still CLOEXEC.
base::Fd above_stdio(int fd) {
  if (fd < 0 || fd > STDERR_FILENO) return base::Fd(fd);
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return base::Fd(moved);
}

[[noreturn]] void fail_step(int report_fd, Step step) {
  ExecFailure f{step, errno};
  if (::write(report_fd, &f, sizeof f) < 0) {
    // Nothing left to tell it with; the exit status says it failed.
  }
  ::_exit(127);
}

// In the child, between fork() and exec(): it never returns.
[[noreturn]] void exec_child(const ExecPlan& plan, int report_fd) {
  // Ignored signals (the master ignores SIGPIPE) and the mask (the master
  // blocks what it handles outside ppoll) survive exec: reset both.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::setpgid(0, 0) != 0) fail_step(report_fd, kSetpgid);
  if (::dup2(plan.in.get(), STDIN_FILENO) < 0 || ::dup2(plan.out.get(), STDOUT_FILENO) < 0 ||
      ::dup2(plan.out.get(), STDERR_FILENO) < 0) {
    fail_step(report_fd, kDup2);
  }
  std::string why;
  if (!drop_privileges(*plan.creds, &why)) fail_step(report_fd, kPrivileges);
  // After the privilege drop, which clears it. If the master died before
  // this, nobody would ever stop the child: give up now.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail_step(report_fd, kDeathSignal);
  if (::getppid() != plan.parent) ::_exit(127);
  close_fds_except({report_fd});
  ::execvpe(plan.argv[0], plan.argv.data(), plan.env);
  fail_step(report_fd, kExec);
}

std::string describe_failure(const ExecFailure& f, const ChildSpec& spec) {
  switch (f.step) {
    case kSetpgid:
      return sys_error("setpgid(0, 0)", f.err);
    case kDup2:
      return sys_error("dup2()", f.err);
    case kPrivileges:
      return sys_error("dropping privileges to '" + spec.creds.user + "'", f.err);
    case kDeathSignal:
      return sys_error("prctl(PR_SET_PDEATHSIG)", f.err);
    case kExec:
      return sys_error("execvp(" + spec.argv[0] + ")", f.err);
  }
  return "an unknown step failed";
}

// Opens the child's stdin and its output; false with `error` when one fails.
bool open_stdio(const ChildSpec& spec, ChildOutput* output, ExecPlan* plan, std::string* error) {
  plan->in = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!plan->in.valid()) {
    *error = sys_error("open(/dev/null)", errno);
    return false;
  }
  base::Fd child_end;
  if (!output->open(spec.name, spec.log_path, &child_end, error)) return false;
  plan->out = above_stdio(child_end.release());
  return true;
}

void build_vectors(const ChildSpec& spec, ExecPlan* plan) {
  for (const std::string& a : spec.argv) plan->argv.push_back(const_cast<char*>(a.c_str()));
  plan->argv.push_back(nullptr);
  plan->env = environ;
  if (!spec.env) return;
  plan->env_strings = *spec.env;
  for (std::string& e : plan->env_strings) plan->envp.push_back(e.data());
  plan->envp.push_back(nullptr);
  plan->env = plan->envp.data();
}

struct Spawned {
  pid_t pid = -1;
  std::string error;  // when pid < 0
};

// fork() and exec() `spec`; waits only for the exec to succeed or fail.
Spawned fork_exec(const ChildSpec& spec, ChildOutput* output) {
  ExecPlan plan;
  std::string error;
  if (!open_stdio(spec, output, &plan, &error)) return {-1, error};
  build_vectors(spec, &plan);
  plan.creds = &spec.creds;
  plan.parent = ::getpid();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {-1, sys_error("pipe2()", errno)};
  base::Fd report_read(fds[0]), report_write(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return {-1, sys_error("fork()", errno)};
  if (pid == 0) exec_child(plan, report_write.get());
  ::setpgid(pid, pid);  // the child does it too: the group exists whichever runs first
  report_write.reset();
  ExecFailure f;
  ssize_t n;
  do {
    n = ::read(report_read.get(), &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return {pid, ""};  // exec closed the pipe
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (n != ssize_t(sizeof f))
    return {-1, "the child ended before exec (" + describe_exit(status) + ")"};
  return {-1, describe_failure(f, spec)};
}

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

const char* child_state_name(ChildState state) {
  switch (state) {
    case ChildState::kRunning:
      return "running";
    case ChildState::kWaiting:
      return "waiting";
    case ChildState::kFailed:
      return "failed";
    case ChildState::kStopping:
      return "stopping";
  }
  return "?";
}

base::Result<ChildId> ChildSupervisor::start(ChildSpec spec, int64_t now_ms) {
  if (spec.name.empty() || spec.argv.empty() || spec.argv[0].empty()) {
    return base::Status::fail(base::Errc::kInvalid, "a child needs a name and a program");
  }
  if (stopping_all_) return base::Status::fail(base::Errc::kRejected, "the master is stopping");
  ChildId id = next_id_++;
  Child& child = children_[id];
  child.spec = std::move(spec);
  child.first_started_ms = now_ms;
  spawn(&child, now_ms);
  if (child.spec.once && child.state == ChildState::kFailed) {  // nothing will run: forget it
    children_.erase(id);
    return base::Status::fail(base::Errc::kSystem, "the program could not start (logged)");
  }
  return id;
}

void ChildSupervisor::spawn(Child* child, int64_t now_ms) {
  const ChildSpec& spec = child->spec;
  spec.policy.started(&child->history, now_ms);
  ++changes_;
  child->output = ChildOutput();
  Spawned s = fork_exec(spec, &child->output);
  if (s.pid < 0) {
    child->last_exit = s.error;
    if (spec.once) {
      LOG_ERROR("child %s: %s while starting it", spec.name.c_str(), s.error.c_str());
      child->state = ChildState::kFailed;
      return;
    }
    schedule_restart(child, "child " + spec.name + ": " + s.error + " while starting it",
                     base::LogLevel::kError, now_ms);
    return;
  }
  child->state = ChildState::kRunning;
  child->pid = s.pid;
  ++totals_.starts;
  LOG_INFO("child %s pid %d started: %s", spec.name.c_str(), int(s.pid), joined(spec.argv).c_str());
}

// The run of `child` ended (`what` says how): start it again later, or give up.
void ChildSupervisor::schedule_restart(Child* child, const std::string& what, base::LogLevel level,
                                       int64_t now_ms) {
  const RestartPolicy& policy = child->spec.policy;
  child->pid = 0;
  RestartDecision d = policy.exited(&child->history, now_ms);
  int quick = child->history.quick_exits;
  ++changes_;
  if (d.give_up) {
    child->state = ChildState::kFailed;
    ++totals_.crash_loops;
    LOG_ERROR(
        "%s; crash loop: %d quick exits in a row (each within %lld ms of its start), "
        "giving up: not restarting it",
        what.c_str(), quick, (long long)policy.stable_ms);
    return;
  }
  child->state = ChildState::kWaiting;
  child->restart_at_ms = now_ms + d.delay_ms;
  ++totals_.restarts;
  if (d.tripped) {
    ++totals_.crash_loops;
    LOG_ERROR(
        "%s; crash loop: %d quick exits in a row (each within %lld ms of its start): "
        "retrying every %lld ms, logged again only when a run lasts",
        what.c_str(), quick, (long long)policy.stable_ms, (long long)d.delay_ms);
  } else if (d.quiet) {
    LOG_DEBUG("%s; restarting in %lld ms (crash loop)", what.c_str(), (long long)d.delay_ms);
  } else if (quick > 1) {
    SRS_LOG(level, "%s; restarting in %lld ms (%d quick exits in a row)", what.c_str(),
            (long long)d.delay_ms, quick);
  } else {
    SRS_LOG(level, "%s; restarting in %lld ms", what.c_str(), (long long)d.delay_ms);
  }
}

ChildId ChildSupervisor::find_pid(pid_t pid) const {
  for (const auto& [id, child] : children_) {
    bool has_process = child.state == ChildState::kRunning || child.state == ChildState::kStopping;
    if (has_process && child.pid == pid) return id;
  }
  return 0;
}

bool ChildSupervisor::on_exit(pid_t pid, int status, int64_t now_ms) {
  ChildId id = find_pid(pid);
  if (id == 0) return false;
  Child& child = children_.at(id);
  const char* name = child.spec.name.c_str();
  // The group outlives its leader only if something in it was left behind.
  if (::kill(-pid, SIGKILL) == 0) {
    LOG_INFO("child %s pid %d: SIGKILL to what it left in its process group", name, int(pid));
  }
  child.output.drain(true);
  child.last_exit = describe_exit(status);
  if (!child.output.last_line().empty())
    child.last_exit += " (its last line: " + child.output.last_line() + ")";
  ++changes_;
  std::string what =
      "child " + child.spec.name + " pid " + std::to_string(pid) + " " + child.last_exit;
  if (child.state == ChildState::kStopping && !child.restart_after_stop) {
    LOG_INFO("%s; stopped", what.c_str());
    children_.erase(id);
    return true;
  }
  if (child.spec.once) {
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    SRS_LOG(clean ? base::LogLevel::kInfo : base::LogLevel::kWarn, "%s", what.c_str());
    children_.erase(id);
    return true;
  }
  child.restart_after_stop = false;
  // A clean exit (ffmpeg whose input ended) is not a fault; the rest is.
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  schedule_restart(&child, what, clean ? base::LogLevel::kInfo : base::LogLevel::kWarn, now_ms);
  return true;
}

void ChildSupervisor::send_stop(Child* child, int64_t now_ms) {
  child->state = ChildState::kStopping;
  child->kill_at_ms = now_ms + kill_after_ms_;
  child->kill_sent = false;
  ++changes_;
  ::kill(-child->pid, SIGTERM);
  LOG_INFO("child %s pid %d: SIGTERM to its process group; SIGKILL in %lld ms if it still runs",
           child->spec.name.c_str(), int(child->pid), (long long)kill_after_ms_);
}

bool ChildSupervisor::stop(ChildId id, int64_t now_ms) {
  auto it = children_.find(id);
  if (it == children_.end()) return false;
  Child& child = it->second;
  if (child.state == ChildState::kStopping) {
    child.restart_after_stop = false;
    return true;
  }
  if (child.state != ChildState::kRunning) {
    LOG_INFO("child %s stopped (it was %s)", child.spec.name.c_str(),
             child_state_name(child.state));
    children_.erase(it);
    ++changes_;
    return true;
  }
  send_stop(&child, now_ms);
  return true;
}

bool ChildSupervisor::restart(ChildId id, const std::string& why, int64_t now_ms) {
  auto it = children_.find(id);
  if (it == children_.end() || it->second.state != ChildState::kRunning) return false;
  Child& child = it->second;
  LOG_WARN("child %s pid %d: %s; restarting it", child.spec.name.c_str(), int(child.pid),
           why.c_str());
  child.restart_after_stop = true;
  send_stop(&child, now_ms);
  return true;
}

void ChildSupervisor::output_fds(std::vector<int>* fds) const {
  for (const auto& [id, child] : children_) {
    if (child.output.fd() >= 0) fds->push_back(child.output.fd());
  }
}

void ChildSupervisor::drain_output() {
  for (auto& [id, child] : children_) child.output.drain();
}

void ChildSupervisor::reopen_logs() {
  for (auto& [id, child] : children_) child.output.reopen();
}

void ChildSupervisor::stop_all(int64_t now_ms) {
  stopping_all_ = true;
  std::vector<ChildId> ids;
  for (const auto& entry : children_) ids.push_back(entry.first);
  for (ChildId id : ids) (void)stop(id, now_ms);
}

int64_t ChildSupervisor::next_timer_ms() const {
  int64_t next = -1;
  auto consider = [&](int64_t at) {
    if (next < 0 || at < next) next = at;
  };
  for (const auto& [id, child] : children_) {
    if (child.state == ChildState::kWaiting) consider(child.restart_at_ms);
    if (child.state == ChildState::kStopping && !child.kill_sent) consider(child.kill_at_ms);
  }
  return next;
}

void ChildSupervisor::run_timers(int64_t now_ms) {
  for (auto& [id, child] : children_) {
    if (child.state == ChildState::kWaiting && now_ms >= child.restart_at_ms) {
      spawn(&child, now_ms);
      continue;
    }
    if (child.state != ChildState::kStopping || child.kill_sent || now_ms < child.kill_at_ms)
      continue;
    child.kill_sent = true;
    ::kill(-child.pid, SIGKILL);
    LOG_WARN("child %s pid %d still runs %lld ms after SIGTERM; SIGKILL to its process group",
             child.spec.name.c_str(), int(child.pid), (long long)kill_after_ms_);
  }
}

std::vector<ChildInfo> ChildSupervisor::list() const {
  std::vector<ChildInfo> out;
  for (const auto& [id, child] : children_) {
    out.push_back({id, child.spec.name, child.state, child.pid, child.history.restarts,
                   child.history.quick_exits, child.last_exit, child.history.started_ms,
                   child.first_started_ms, child.spec.tags});
  }
  return out;
}

int ChildSupervisor::live_count() const {
  int n = 0;
  for (const auto& entry : children_) {
    ChildState s = entry.second.state;
    n += (s == ChildState::kRunning || s == ChildState::kStopping) ? 1 : 0;
  }
  return n;
}

}  // namespace srs::master
