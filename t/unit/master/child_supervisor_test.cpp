// The child supervisor with real processes (/bin/sh, /bin/sleep): restarts
// with the back-off, the crash-loop breaker, stops that reach the whole
// process group, SIGKILL after the grace period, the child's stdio.
//
// Time is the supervisor's `now`, passed in; the tests only wait for
// processes, by polling waitpid() or /proc in loops with a bound that a hang
// hits and a slow machine does not (30 s).
#include "master/child_supervisor.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.hpp"

using namespace srs::master;
using srs::base::Log;
using srs::base::LogLevel;

namespace {

constexpr int kMaxPolls = 3000;  // 10 ms apart

template <typename Done>
bool eventually(Done done) {
  for (int i = 0; i < kMaxPolls; i++) {
    if (done()) return true;
    ::usleep(10000);
  }
  return done();
}

// Reaps `pid`, a child of this process: its waitpid status, or -1 if it did not exit.
int reap(pid_t pid) {
  int status = -1;
  bool exited = eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
  return exited ? status : -1;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Not running: no such process, or a zombie nobody has reaped yet.
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(") ");
  return paren == std::string::npos || stat[paren + 2] == 'Z';
}

// A pid a shell script wrote to `path` once it is complete ("1234\n").
pid_t pid_written_to(const std::string& path) {
  std::string text;
  bool written = eventually([&] {
    text = read_file(path);
    return !text.empty() && text.back() == '\n';
  });
  return written ? pid_t(std::atoi(text.c_str())) : -1;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/srs-supervisor-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const char* name) const { return path + "/" + name; }
};

// The master's log, in a file the test reads; restored on the way out.
struct LogCapture {
  std::string path;
  std::string saved_path = Log::path();
  LogLevel saved_level = Log::level();
  explicit LogCapture(const TempDir& dir) : path(dir.file("master.log")) {
    REQUIRE(Log::open(path, LogLevel::kInfo).is_ok());
  }
  ~LogCapture() { (void)Log::open(saved_path, saved_level); }
  std::string text() const { return read_file(path); }
};

ChildSpec spec(const std::string& name, std::vector<std::string> argv,
               RestartPolicy policy = RestartPolicy{}) {
  ChildSpec s;
  s.name = name;
  s.argv = std::move(argv);
  s.policy = policy;
  return s;
}

ChildSpec shell(const std::string& name, const std::string& script,
                RestartPolicy policy = RestartPolicy{}) {
  return spec(name, {"/bin/sh", "-c", script}, policy);
}

ChildInfo info_of(const ChildSupervisor& sup, ChildId id) {
  for (const ChildInfo& c : sup.list()) {
    if (c.id == id) return c;
  }
  return ChildInfo{};
}

// Reaps the running child `id` and hands its exit to the supervisor at `now`.
int reap_into(ChildSupervisor* sup, ChildId id, int64_t now) {
  pid_t pid = info_of(*sup, id).pid;
  REQUIRE(pid > 0);
  int status = reap(pid);
  REQUIRE(status != -1);
  CHECK(sup->on_exit(pid, status, now));
  return status;
}

bool logged(const LogCapture& log, const std::string& text) {
  return log.text().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("child supervisor: a child that exits is restarted with the back-off") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  int64_t now = 1000;
  srs::base::Result<ChildId> id = sup.start(shell("exit3", "exit 3"), now);
  REQUIRE(id.is_ok());
  pid_t first = info_of(sup, *id).pid;
  REQUIRE(first > 0);
  int status = reap_into(&sup, *id, now + 10);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 3));
  ChildInfo c = info_of(sup, *id);
  CHECK(c.state == ChildState::kWaiting);
  CHECK(c.pid == 0);
  CHECK(c.last_exit == "exited with status 3");
  CHECK(c.restarts == 1);
  CHECK(c.quick_exits == 1);
  CHECK(sup.live_count() == 0);
  CHECK(sup.next_timer_ms() == now + 10 + 100);

  sup.run_timers(now + 109);  // not yet
  CHECK(info_of(sup, *id).state == ChildState::kWaiting);
  sup.run_timers(now + 110);
  pid_t second = info_of(sup, *id).pid;
  CHECK(info_of(sup, *id).state == ChildState::kRunning);
  REQUIRE(second > 0);
  CHECK(second != first);
  reap_into(&sup, *id, now + 120);
  CHECK(sup.next_timer_ms() == now + 120 + 200);
  CHECK(info_of(sup, *id).restarts == 2);

  std::string p1 = std::to_string(first), p2 = std::to_string(second);
  CHECK(logged(log, "[WARN]"));
  CHECK(logged(log, "child exit3 pid " + p1 + " exited with status 3; restarting in 100 ms\n"));
  CHECK(logged(log, "child exit3 pid " + p2 +
                        " exited with status 3; restarting in 200 ms (2 quick exits in a row)"));

  CHECK(sup.stop(*id, now + 130));  // waiting: forgotten at once
  CHECK(sup.list().empty());
  CHECK(sup.next_timer_ms() == -1);
  CHECK_FALSE(sup.stop(*id, now + 130));
}

TEST_CASE("child supervisor: the breaker stops restarting after N quick exits in a row") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  int64_t now = 1000;
  srs::base::Result<ChildId> id =
      sup.start(shell("crasher", "exit 1", RestartPolicy::give_up_after_quick_exits(3)), now);
  REQUIRE(id.is_ok());
  for (int run = 1; run <= 3; run++) {
    CAPTURE(run);
    REQUIRE(info_of(sup, *id).state == ChildState::kRunning);
    reap_into(&sup, *id, now + 5);
    now = sup.next_timer_ms();
    if (run < 3) sup.run_timers(now);
  }
  ChildInfo c = info_of(sup, *id);
  CHECK(c.state == ChildState::kFailed);
  CHECK(c.quick_exits == 3);
  CHECK(c.restarts == 2);
  CHECK(now == -1);           // no timer left
  sup.run_timers(100000000);  // however long it waits
  CHECK(info_of(sup, *id).state == ChildState::kFailed);
  CHECK(sup.live_count() == 0);
  std::string text = log.text();
  CHECK(text.find("child crasher pid ") != std::string::npos);
  CHECK(text.find("exited with status 1; crash loop: 3 quick exits in a row (each within 10000 ms "
                  "of its start), giving up: not restarting it") != std::string::npos);
  CHECK(text.find("[ERROR]") != std::string::npos);
  CHECK(sup.stop(*id, 0));  // a failed child stays listed until stopped
  CHECK(sup.list().empty());
}

TEST_CASE("child supervisor: stop ends the whole process group, a grandchild too") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  int64_t now = 1000;
  std::string grand_file = dir.file("grandchild");
  srs::base::Result<ChildId> id =
      sup.start(shell("family", "/bin/sleep 30 & echo $! > " + grand_file + "; wait"), now);
  REQUIRE(id.is_ok());
  pid_t pid = info_of(sup, *id).pid;
  pid_t grandchild = pid_written_to(grand_file);
  REQUIRE(grandchild > 0);
  CHECK(::getpgid(pid) == pid);  // a group of its own...
  CHECK(::getpgid(pid) != ::getpgrp());
  CHECK(::getpgid(grandchild) == pid);  // ...that the grandchild is in
  CHECK(sup.live_count() == 1);

  CHECK(sup.stop(*id, now));
  CHECK(info_of(sup, *id).state == ChildState::kStopping);
  CHECK(sup.next_timer_ms() == now + ChildSupervisor::kDefaultKillAfterMs);
  int status = reap_into(&sup, *id, now + 20);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
  CHECK(sup.list().empty());  // a stopped child is not restarted
  CHECK(sup.next_timer_ms() == -1);
  CHECK(eventually([&] { return gone(grandchild); }));
}

TEST_CASE("child supervisor: a child that ignores SIGTERM is killed once the grace is over") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup(3000);
  int64_t now = 1000;
  std::string ready = dir.file("ready");
  srs::base::Result<ChildId> id = sup.start(
      shell("stubborn", "trap '' TERM; echo $$ > " + ready + "; exec /bin/sleep 30"), now);
  REQUIRE(id.is_ok());
  pid_t pid = info_of(sup, *id).pid;
  REQUIRE(pid_written_to(ready) == pid);  // the trap is set

  CHECK(sup.stop(*id, now));
  CHECK(sup.next_timer_ms() == now + 3000);
  sup.run_timers(now + 2999);
  int status = 0;
  CHECK(::waitpid(pid, &status, WNOHANG) == 0);  // SIGTERM changed nothing
  sup.run_timers(now + 3000);
  CHECK(sup.next_timer_ms() == -1);  // SIGKILL sent, nothing left to time
  status = reap(pid);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  CHECK(sup.on_exit(pid, status, now + 3010));
  CHECK(sup.list().empty());
  CHECK(logged(log, "child stubborn pid " + std::to_string(pid) +
                        " still runs 3000 ms after SIGTERM; SIGKILL to its process group"));
}

TEST_CASE("child supervisor: a child that exits takes what it left in its group") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  std::string grand_file = dir.file("grandchild");
  srs::base::Result<ChildId> id =
      sup.start(shell("leaver", "/bin/sleep 30 & echo $! > " + grand_file + "; exit 3"), 1000);
  REQUIRE(id.is_ok());
  pid_t grandchild = pid_written_to(grand_file);
  REQUIRE(grandchild > 0);
  reap_into(&sup, *id, 1010);
  // Before any restart: a restart never runs next to the old run's leftovers.
  CHECK(eventually([&] { return gone(grandchild); }));
  CHECK(sup.stop(*id, 1020));
}

TEST_CASE("child supervisor: on_exit of a pid that is not one of its children returns false") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  srs::base::Result<ChildId> id = sup.start(spec("sleeper", {"/bin/sleep", "30"}), 1000);
  REQUIRE(id.is_ok());
  pid_t other = ::fork();
  REQUIRE(other >= 0);
  if (other == 0) ::_exit(0);
  int status = reap(other);
  CHECK_FALSE(sup.on_exit(other, status, 1010));
  CHECK_FALSE(sup.on_exit(0, 0, 1010));
  CHECK(info_of(sup, *id).state == ChildState::kRunning);
  CHECK(sup.live_count() == 1);

  sup.stop_all(1020);
  pid_t pid = info_of(sup, *id).pid;
  status = reap(pid);
  CHECK(sup.on_exit(pid, status, 1030));
  CHECK_FALSE(sup.on_exit(pid, status, 1030));  // once only
}

TEST_CASE("child supervisor: stop_all stops running children and forgets waiting ones") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  int64_t now = 1000;
  ChildId a = sup.start(spec("a", {"/bin/sleep", "30"}), now).value();
  ChildId b = sup.start(spec("b", {"/bin/sleep", "30"}), now).value();
  ChildId c = sup.start(shell("c", "exit 3"), now).value();
  reap_into(&sup, c, now + 5);
  CHECK(info_of(sup, c).state == ChildState::kWaiting);
  CHECK(sup.live_count() == 2);

  sup.stop_all(now + 10);
  CHECK(sup.list().size() == 2);
  CHECK(info_of(sup, a).state == ChildState::kStopping);
  CHECK(info_of(sup, b).state == ChildState::kStopping);
  reap_into(&sup, a, now + 20);
  reap_into(&sup, b, now + 20);
  CHECK(sup.list().empty());
  CHECK(sup.live_count() == 0);
  // The master is on its way out: a child started now would keep it alive.
  srs::base::Result<ChildId> late = sup.start(spec("late", {"/bin/sleep", "30"}), now + 30);
  CHECK(late.status().code() == srs::base::Errc::kRejected);
  CHECK(sup.list().empty());
}

TEST_CASE("child supervisor: stdin is /dev/null, output goes to the given file, only fds 0-2") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  ChildSpec s = shell("stdio",
                      "echo \"out $GREETING\"; echo err >&2; readlink /proc/$$/fd/0; "
                      "ls /proc/$$/fd | tr '\\n' ' '");
  s.env = std::vector<std::string>{"GREETING=hello", "PATH=/usr/bin:/bin"};
  s.log_path = dir.file("child.log");
  srs::base::Result<ChildId> id = sup.start(std::move(s), 1000);
  REQUIRE(id.is_ok());
  int status = reap_into(&sup, *id, 1010);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK(read_file(dir.file("child.log")) == "out hello\nerr\n/dev/null\n0 1 2 ");
  CHECK(sup.stop(*id, 1020));
}

TEST_CASE("child supervisor: what the master blocks and ignores does not reach the program") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  // The program reads its own mask (a shell in between would show its own).
  ChildSpec s = spec("signals", {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
  s.log_path = dir.file("child.log");
  sigset_t block, saved;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &block, &saved);
  struct sigaction ignore {};
  struct sigaction saved_pipe {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &saved_pipe);
  srs::base::Result<ChildId> id = sup.start(std::move(s), 1000);
  ::sigaction(SIGPIPE, &saved_pipe, nullptr);
  ::sigprocmask(SIG_SETMASK, &saved, nullptr);
  REQUIRE(id.is_ok());
  int status = reap_into(&sup, *id, 1010);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  // Every signal unblocked, and none of the classic ones (1..31) ignored.
  // Signals 32 and 33 are glibc's own: sigaction() refuses them, and what
  // the test's environment set for them passes through exec unchanged.
  std::string masks = read_file(dir.file("child.log"));
  unsigned long long blocked = 0, ignored = 0;
  REQUIRE(std::sscanf(masks.c_str(), "SigBlk:\t%llx\nSigIgn:\t%llx", &blocked, &ignored) == 2);
  CHECK(blocked == 0);
  CHECK((ignored & 0x7fffffffull) == 0);
  CHECK(sup.stop(*id, 1020));
}

TEST_CASE("child supervisor: without a log path, output goes to the master's log, line by line") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  srs::base::Result<ChildId> id =
      sup.start(shell("chatty", "echo $((6 * 7)) from the child; printf 'no newline'"), 1000);
  REQUIRE(id.is_ok());
  pid_t pid = info_of(sup, *id).pid;
  reap_into(&sup, *id, 1010);
  CHECK(logged(log, "child chatty pid " + std::to_string(pid) + " started: /bin/sh -c echo"));
  CHECK(logged(log, "chatty: 42 from the child\n"));
  CHECK(logged(log, "chatty: no newline\n"));  // the last piece, at the exit
  CHECK(logged(log, "exited with status 0 (its last line: no newline)"));
  CHECK(sup.stop(*id, 1020));
}

TEST_CASE("child supervisor: the last line of a child says why it exited; the pipe is polled") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  ChildSpec s = shell("why", "echo starting; while [ ! -e " + dir.file("go") +
                                 " ]; do sleep 0.01; done; "
                                 "echo 'rtsp://cam: Connection refused' >&2; echo; exit 1");
  s.log_path = dir.file("why.log");
  srs::base::Result<ChildId> id = sup.start(std::move(s), 1000);
  REQUIRE(id.is_ok());
  std::vector<int> fds;
  sup.output_fds(&fds);
  REQUIRE(fds.size() == 1);
  // What it wrote while running reaches its log when the master drains the pipe.
  CHECK(eventually([&] {
    sup.drain_output();
    return read_file(dir.file("why.log")) == "starting\n";
  }));
  std::ofstream(dir.file("go")).put('\n');
  reap_into(&sup, *id, 1010);
  CHECK(info_of(sup, *id).last_exit ==
        "exited with status 1 (its last line: rtsp://cam: Connection refused)");
  CHECK(read_file(dir.file("why.log")) == "starting\nrtsp://cam: Connection refused\n\n");
  CHECK(sup.stop(*id, 1020));
}

TEST_CASE("child supervisor: a per-child log is reopened by its path (logrotate)") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  ChildSpec s = shell("rotated", "echo one; exec sleep 30");
  s.log_path = dir.file("rotated.log");
  srs::base::Result<ChildId> id = sup.start(std::move(s), 1000);
  REQUIRE(id.is_ok());
  CHECK(eventually([&] {
    sup.drain_output();
    return read_file(dir.file("rotated.log")) == "one\n";
  }));
  REQUIRE(::rename(dir.file("rotated.log").c_str(), dir.file("rotated.log.1").c_str()) == 0);
  sup.reopen_logs();
  CHECK(read_file(dir.file("rotated.log")).empty());  // created again, empty
  CHECK(sup.stop(*id, 1020));
  reap_into(&sup, *id, 1030);
}

TEST_CASE("child supervisor: a run-once child is never restarted and forgotten at its exit") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  ChildSpec s = shell("once", "exit 2");
  s.once = true;
  srs::base::Result<ChildId> id = sup.start(std::move(s), 1000);
  REQUIRE(id.is_ok());
  pid_t pid = info_of(sup, *id).pid;
  reap_into(&sup, *id, 1010);
  CHECK(sup.list().empty());
  CHECK(sup.next_timer_ms() == -1);
  CHECK(logged(log, "[WARN]"));
  CHECK(logged(log, "child once pid " + std::to_string(pid) + " exited with status 2\n"));
  ChildSpec missing = spec("missing once", {"/nonexistent/program"});
  missing.once = true;
  CHECK_FALSE(sup.start(std::move(missing), 1020).is_ok());
  CHECK(sup.list().empty());
  CHECK(sup.totals().starts == 1);
  CHECK(sup.totals().restarts == 0);
}

TEST_CASE("child supervisor: restart() stops a run and starts it again, as after an exit") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  srs::base::Result<ChildId> id = sup.start(spec("stalled", {"/bin/sleep", "30"}), 1000);
  REQUIRE(id.is_ok());
  pid_t first = info_of(sup, *id).pid;
  CHECK(sup.restart(*id, "its output got no media for 10000 ms", 20000));
  CHECK(info_of(sup, *id).state == ChildState::kStopping);
  CHECK(logged(log, "child stalled pid " + std::to_string(first) +
                        ": its output got no media for 10000 ms; restarting it"));
  reap_into(&sup, *id, 20010);
  ChildInfo c = info_of(sup, *id);
  CHECK(c.state == ChildState::kWaiting);  // the run lasted 19 s: restarted at once
  CHECK(sup.next_timer_ms() == 20010);
  sup.run_timers(20010);
  CHECK(info_of(sup, *id).state == ChildState::kRunning);
  CHECK(info_of(sup, *id).pid != first);
  CHECK_FALSE(sup.restart(999, "none", 20020));
  CHECK(sup.totals().starts == 2);
  CHECK(sup.totals().restarts == 1);
  CHECK(sup.stop(*id, 20030));
  reap_into(&sup, *id, 20040);
}

TEST_CASE("child supervisor: the ffmpeg policy's breaker retries every 30 s and says so once") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  int64_t now = 1000;
  srs::base::Result<ChildId> id = sup.start(shell("loop", "exit 1", RestartPolicy::ffmpeg()), now);
  REQUIRE(id.is_ok());
  std::vector<int64_t> delays;
  for (int i = 0; i < 7; i++) {
    reap_into(&sup, *id, now + 10);
    delays.push_back(sup.next_timer_ms() - (now + 10));
    now = sup.next_timer_ms();
    sup.run_timers(now);
  }
  CHECK(delays == std::vector<int64_t>{1000, 2000, 4000, 8000, 30000, 30000, 30000});
  CHECK(info_of(sup, *id).state == ChildState::kRunning);  // never given up
  std::string text = log.text();
  size_t first = text.find("crash loop: 5 quick exits in a row");
  CHECK(first != std::string::npos);
  CHECK(text.find("crash loop", first + 1) == std::string::npos);  // once
  CHECK(sup.totals().crash_loops == 1);
  CHECK(sup.stop(*id, now + 20));
  reap_into(&sup, *id, now + 30);
}

TEST_CASE("child supervisor: a program that cannot start counts as a quick exit") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  srs::base::Result<ChildId> id = sup.start(
      spec("missing", {"/nonexistent/program", "-x"}, RestartPolicy::give_up_after_quick_exits(2)),
      1000);
  REQUIRE(id.is_ok());
  ChildInfo c = info_of(sup, *id);
  CHECK(c.state == ChildState::kWaiting);
  CHECK(c.pid == 0);
  CHECK(c.last_exit == "execvp(/nonexistent/program) failed (2: No such file or directory)");
  CHECK(sup.next_timer_ms() == 1100);
  sup.run_timers(1100);
  CHECK(info_of(sup, *id).state == ChildState::kFailed);
  std::string text = log.text();
  CHECK(text.find("child missing: execvp(/nonexistent/program) failed (2: No such file or "
                  "directory) while starting it; restarting in 100 ms") != std::string::npos);
  CHECK(text.find("while starting it; crash loop: 2 quick exits in a row") != std::string::npos);

  CHECK_FALSE(sup.start(spec("", {"/bin/true"}), 1000).is_ok());
  CHECK_FALSE(sup.start(spec("noprogram", {}), 1000).is_ok());
}

TEST_CASE("child supervisor: a per-child log that cannot be opened is a failed start") {
  TempDir dir;
  LogCapture log(dir);
  ChildSupervisor sup;
  ChildSpec s = spec("nolog", {"/bin/true"}, RestartPolicy::give_up_after_quick_exits(1));
  s.log_path = "/nonexistent/dir/child.log";
  srs::base::Result<ChildId> id = sup.start(std::move(s), 1000);
  REQUIRE(id.is_ok());
  ChildInfo c = info_of(sup, *id);
  CHECK(c.state == ChildState::kFailed);
  CHECK(c.last_exit == "open(/nonexistent/dir/child.log) failed (2: No such file or directory)");
}

TEST_CASE("child supervisor: the kernel kills a child whose supervisor died") {
  TempDir dir;
  LogCapture log(dir);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t master = ::fork();
  REQUIRE(master >= 0);
  if (master == 0) {  // a master that dies without stopping its child
    ChildSupervisor sup;
    srs::base::Result<ChildId> id = sup.start(spec("orphan", {"/bin/sleep", "30"}), 1000);
    pid_t pid = id.is_ok() ? sup.list()[0].pid : 0;
    if (::write(fds[1], &pid, sizeof pid) != sizeof pid) ::_exit(1);
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_t child = 0;
  CHECK(::read(fds[0], &child, sizeof child) == sizeof child);
  ::close(fds[0]);
  int status = reap(master);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  REQUIRE(child > 0);
  CHECK(eventually([&] { return gone(child); }));
}
