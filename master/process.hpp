// Process-level chores of the master and of a freshly forked worker:
// daemonizing, dropping privileges, closing inherited descriptors, and
// describing how a child ended.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <string>
#include <vector>

namespace srs::master {

// The classic double fork; stdin/stdout/stderr go to /dev/null. Returns
// false (with `error`) in the original process if it failed.
bool daemonize(std::string* error);

struct Credentials {
  bool drop = false;  // true when running as root with a `user` configured
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;
};
// Resolves `user` (empty: no change). Not root: no change either.
bool resolve_credentials(const std::string& user, Credentials* out, std::string* error);
// initgroups + setgid + setuid; in a worker, right after fork.
bool drop_privileges(const Credentials& creds, std::string* error);

// Raises the soft limit on open descriptors to the hard one (workers
// inherit it: each connection is one), and says so in the log; warns when
// it stays below what `per_worker` connections need (max_connections and a
// margin for files, pipes and the loop).
void raise_fd_limit(uint32_t per_worker);

// Closes every descriptor except stdin/stdout/stderr and `keep`.
void close_fds_except(std::vector<int> keep);

// A waitpid() status in words: "exited with status 3", "killed by signal 9
// (Killed)", with ", core dumped" when it did.
std::string describe_exit(int status);

}  // namespace srs::master
