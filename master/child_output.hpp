// ChildOutput: where a child's stdout and stderr go. The child writes to a
// pipe; the master reads it (never blocking: the read end is O_NONBLOCK)
// and appends what it read to the child's log file, or, without one, to
// the master's log as lines "NAME: text". So the master can reopen the
// file when the logs rotate (SIGUSR1), which a file the child held itself
// would not allow, and it keeps the child's last line, which says why a
// child exited ("rtsp://cam: Connection refused").
//
//   child ── pipe ──> drain() ──> log file (O_APPEND), reopen() on SIGUSR1
//                           └──> or the master's log, one line per line
//
// "/dev/null" as the path: no pipe, the child writes to /dev/null.
#pragma once

#include <string>

#include "base/fd.hpp"

namespace srs::master {

class ChildOutput {
 public:
  ChildOutput() = default;
  ChildOutput(ChildOutput&&) = default;
  ChildOutput& operator=(ChildOutput&&) = default;

  // Opens the log (when `log_path` names a file) and the pipe; `child_end`
  // gets what the child's stdout and stderr become (CLOEXEC: the supervisor
  // dup2()s it). False with `error` when the log or the pipe cannot be opened.
  bool open(const std::string& name, const std::string& log_path, base::Fd* child_end,
            std::string* error);
  // The read end, to poll for POLLIN; -1 without a pipe.
  int fd() const { return read_.get(); }
  // Reads what the pipe holds, writes it out. At the child's exit, call it
  // before last_line(); `at_exit` also writes out a last unfinished line.
  void drain(bool at_exit = false);
  // The log file again, by its path (after logrotate moved it).
  void reopen();
  // The last non-empty line the child wrote (at most 200 bytes), or "".
  const std::string& last_line() const { return last_line_; }

 private:
  void take(const char* data, size_t size);
  void line_done(std::string_view line);

  std::string name_;
  std::string path_;  // empty: the master's log
  base::Fd read_;
  base::Fd file_;
  std::string partial_;  // a line not ended yet (master's log only)
  std::string last_line_;
};

}  // namespace srs::master
