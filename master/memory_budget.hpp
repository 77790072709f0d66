// What a configuration costs in memory: the shared memory it maps (exactly),
// whether this machine can hold it, and the workers' private memory (an
// estimate from measured figures).
//
// Two kinds: the control region (one anonymous shared mapping the master makes
// before forking: the tables of streams, clients, workers, links, children)
// and one media ring per live stream, a file in /dev/shm made at publish and
// mapped by every worker with a player of it. At most shm.max_streams rings
// live at once, so /dev/shm (a tmpfs, half the RAM by default: 256 MiB on a
// 512 MB board) must hold that many, and a 32-bit worker must be able to map
// them all next to its heap.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.hpp"
#include "conf/config.hpp"

namespace srs::master {

struct ShmBudget {
  uint64_t control_bytes = 0;  // the control region
  uint64_t ring_bytes = 0;     // one ring's file: header, sticky slots, data
  uint32_t max_streams = 0;    // rings at once

  uint64_t rings_bytes() const { return ring_bytes * max_streams; }
  uint64_t total_bytes() const { return control_bytes + rings_bytes(); }
};

ShmBudget shm_budget(const conf::ShmConfig& shm);

// "this configuration maps at most N MiB of shared memory (...)", for srs -t.
std::string describe(const ShmBudget& budget);

// Empty when the rings fit a filesystem of `fs_bytes` at `dir` and, for a
// process of `pointer_bits`, its address space; else what does not fit and
// what to change.
std::string does_not_fit(const ShmBudget& budget, uint64_t fs_bytes, const std::string& dir,
                         unsigned pointer_bits);

// A worker's private memory, measured (RssAnon, x86-64, etc/srs-board.yaml):
// about 5.5 MiB once started, about 10 KiB more per connection (9 KB per RTMP
// player was measured at 10,000 players; BENCH.md's issue 13: 4.9 KB of heap
// per idle connection).
inline constexpr uint64_t kWorkerStartBytes = uint64_t{11} << 19;  // 5.5 MiB
inline constexpr uint64_t kConnectionBytes = uint64_t{10} << 10;

// "workers: 4 x (about 5.5 MiB + 10 KiB per connection) ...", for srs -t.
std::string describe_workers(int workers, uint32_t max_connections);

// The size of the filesystem at `dir` (statvfs: blocks x fragment size).
base::Result<uint64_t> filesystem_bytes(const std::string& dir);

}  // namespace srs::master
