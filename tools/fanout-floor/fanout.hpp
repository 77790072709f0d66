// Fanout: the bare kernel floor of DESIGN.md "Performance model". It sends the
// same bytes to every player socket and does nothing else: a live stream of
// SyntheticStream frames (the tags srs-bench publishes), framed as RTMP chunks
// of 60000 bytes (RTMP 1.0 5.3.1: a 12-byte fmt-0 header, then a 1-byte fmt-3
// header per further chunk), written with one writev() per player every
// `window_ms` (0: one per message as it is produced). What it costs in CPU is
// what the kernel charges for the copies and the system calls: any server's
// per-player cost is measured against it.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <vector>

#include "tools/srs-bench/synthetic_stream.hpp"

namespace srs::tools::fanout_floor {

struct FanoutConfig {
  srs_bench::SyntheticConfig stream;
  uint32_t window_ms = 350;
  uint64_t duration_ms = 20000;
  uint32_t chunk_size = 60000;
};

struct FanoutResult {
  double cpu_user_s = 0;  // getrusage over the streaming phase
  double cpu_sys_s = 0;
  uint64_t writes = 0;        // writev() calls
  uint64_t bytes = 0;         // bytes the kernel accepted, all players
  uint64_t short_writes = 0;  // writes the socket did not take whole (rest dropped)
  uint64_t messages = 0;
  double seconds = 0;
};

class Fanout {
 public:
  Fanout(const FanoutConfig& config, std::vector<int> fds);
  FanoutResult run();

 private:
  void append_message(const srs_bench::MediaFrame& frame);
  void flush_all();

  FanoutConfig config_;
  std::vector<int> fds_;
  std::vector<uint8_t> bytes_;  // the pending messages, chunk headers included
  FanoutResult result_;
};

}  // namespace srs::tools::fanout_floor
