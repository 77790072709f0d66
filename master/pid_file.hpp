// The pid file: created and locked (fcntl) by the master for its whole life,
// so a second instance started with the same file refuses to run while the
// first is alive, and a stale file left by a crash is simply taken over.
#pragma once

#include <string>

#include "base/fd.hpp"
#include "base/status.hpp"

namespace srs::master {

class PidFile {
 public:
  PidFile() = default;
  PidFile(PidFile&&) = default;
  PidFile& operator=(PidFile&&) = default;
  ~PidFile();

  // Locks `path` and writes our pid. On failure `error` says why, including
  // "another instance (pid N) owns it" when the lock is held.
  bool acquire(const std::string& path, std::string* error);
  // Whether acquire() could lock `path` now, without writing it: what a
  // daemon checks before it detaches (the detached master then acquires).
  static bool available(const std::string& path, std::string* error);
  // Removes the file (on exit). The lock goes with the process.
  void remove();
  int fd() const { return fd_.get(); }

 private:
  std::string path_;
  base::Fd fd_;
};

}  // namespace srs::master
