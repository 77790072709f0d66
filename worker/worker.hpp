// The worker's single entry point, called by the master in a freshly forked
// child. A worker runs one libevent loop and owns its connections from accept
// to close; it handles no signal but through that loop.
//
//   SIGQUIT   stop accepting, finish the connections it has, then exit 0
//   SIGTERM   exit now
//   SIGINT    ignored: a terminal's Ctrl-C reaches the whole process group, and
//             the stop is the master's to make (it sends SIGTERM)
//   SIGUSR1   reopen the log file
//   EOF on the master-watch pipe: the master is gone; behave as on SIGQUIT
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conf/config.hpp"
#include "shm/control.hpp"
#include "shm/wakeup.hpp"
#include "worker/core/listener.hpp"

namespace srs::worker {

struct WorkerContext {
  int slot = 0;
  uint32_t generation = 0;
  const conf::Config* config = nullptr;
  std::vector<ListenerFd> listeners;
  int events_fd = -1;        // write end of the pipe to the master ("ready ...")
  int master_watch_fd = -1;  // read end of a pipe whose write end only the master holds
  std::string server_id;
  shm::Control* control = nullptr;        // the shared control region (mapped before fork)
  const shm::Wakeups* wakeups = nullptr;  // one eventfd per worker slot
};

// Runs the worker until it has drained or is told to exit; returns the exit status.
int run(const WorkerContext& ctx) noexcept;

}  // namespace srs::worker
