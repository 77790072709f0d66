// Daemonizing, privileges and descriptor hygiene (see process.hpp).
#include "master/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace srs::master {
namespace {

std::string errno_text(const char* call) {
  return std::string(call) + "() failed (" + std::to_string(errno) + ": " + std::strerror(errno) +
         ")";
}

void close_range_compat(unsigned first, unsigned last) {
  if (first > last) return;
  if (::syscall(SYS_close_range, first, last, 0) == 0) return;
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  unsigned limit = rl.rlim_cur == RLIM_INFINITY ? 65536u : unsigned(rl.rlim_cur);
  for (unsigned fd = first; fd <= last && fd < limit; fd++) ::close(int(fd));
}

}  // namespace

void raise_fd_limit(uint32_t per_worker) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t before = rl.rlim_cur;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
      LOG_WARN("%s while raising the descriptor limit from %llu", errno_text("setrlimit").c_str(),
               (unsigned long long)before);
      rl.rlim_cur = before;
    } else {
      LOG_INFO("descriptor limit raised from %llu to %llu (the hard limit)",
               (unsigned long long)before, (unsigned long long)rl.rlim_cur);
    }
  }
  const uint64_t needed = uint64_t{per_worker} + 64;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
    LOG_WARN(
        "rtmp.max_connections %u needs about %llu descriptors per worker, the limit is %llu: "
        "raise it (ulimit -n, systemd's LimitNOFILE)",
        per_worker, (unsigned long long)needed, (unsigned long long)rl.rlim_cur);
  }
}

bool daemonize(std::string* error) {
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = errno_text("fork");
    return false;
  }
  if (pid > 0) ::_exit(0);
  ::setsid();
  pid = ::fork();
  if (pid < 0) ::_exit(1);
  if (pid > 0) ::_exit(0);
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) ::close(null);
  }
  return true;
}

bool resolve_credentials(const std::string& user, Credentials* out, std::string* error) {
  *out = Credentials{};
  if (user.empty() || ::geteuid() != 0) return true;
  passwd* pw = ::getpwnam(user.c_str());
  if (!pw) {
    *error = "user: no such user '" + user + "'";
    return false;
  }
  out->drop = true;
  out->uid = pw->pw_uid;
  out->gid = pw->pw_gid;
  out->user = user;
  return true;
}

bool drop_privileges(const Credentials& creds, std::string* error) {
  if (!creds.drop) return true;
  if (::initgroups(creds.user.c_str(), creds.gid) != 0) {
    *error = errno_text("initgroups");
    return false;
  }
  if (::setgid(creds.gid) != 0) {
    *error = errno_text("setgid");
    return false;
  }
  if (::setuid(creds.uid) != 0) {
    *error = errno_text("setuid");
    return false;
  }
  return true;
}

void close_fds_except(std::vector<int> keep) {
  keep.erase(std::remove_if(keep.begin(), keep.end(), [](int fd) { return fd <= 2; }), keep.end());
  std::sort(keep.begin(), keep.end());
  unsigned next = 3;
  for (int fd : keep) {
    if (unsigned(fd) > next) close_range_compat(next, unsigned(fd) - 1);
    next = unsigned(fd) + 1;
  }
  close_range_compat(next, ~0u);
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string s = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                    strsignal(WTERMSIG(status)) + ")";
    if (WCOREDUMP(status)) s += ", core dumped";
    return s;
  }
  return "ended with status " + std::to_string(status);
}

}  // namespace srs::master
