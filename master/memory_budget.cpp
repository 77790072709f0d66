#include "master/memory_budget.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>

#include "shm/control.hpp"
#include "shm/ring_layout.hpp"
#include "shm/segment.hpp"

namespace srs::master {

namespace {

// A 32-bit worker maps every live ring next to its heap, stacks and libraries:
// leave it half of its 4 GiB.
constexpr uint64_t k32BitMappable = uint64_t{2} << 30;

std::string mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / double(1 << 20));
  return text;
}

}  // namespace

ShmBudget shm_budget(const conf::ShmConfig& shm) {
  ShmBudget b;
  b.control_bytes = shm::Control::required_size({shm.max_streams, shm.max_clients});
  b.ring_bytes = shm::bytes_for(uint32_t(shm.ring_bytes));
  b.max_streams = shm.max_streams;
  return b;
}

std::string describe(const ShmBudget& b) {
  return "this configuration maps at most " + mib(b.total_bytes()) + " of shared memory (" +
         std::to_string(b.max_streams) + " stream rings of " + mib(b.ring_bytes) + " in " +
         shm::kShmDir + ", " + mib(b.control_bytes) + " of tables)";
}

std::string describe_workers(int workers, uint32_t max_connections) {
  const uint64_t each = kWorkerStartBytes + uint64_t{max_connections} * kConnectionBytes;
  return "workers: " + std::to_string(workers) + " x (about " + mib(kWorkerStartBytes) +
         " + 10 KiB per connection) of private memory: at most about " +
         mib(each * uint64_t(workers)) + " with rtmp.max_connections " +
         std::to_string(max_connections);
}

std::string does_not_fit(const ShmBudget& b, uint64_t fs_bytes, const std::string& dir,
                         unsigned pointer_bits) {
  const std::string fix =
      ": lower shm.max_streams or shm.ring_bytes (etc/srs-board.yaml is sized for a 512 MB board)";
  if (b.rings_bytes() > fs_bytes) {
    return "shm: " + std::to_string(b.max_streams) + " stream rings of " + mib(b.ring_bytes) +
           " need " + mib(b.rings_bytes()) + " but " + dir + " holds " + mib(fs_bytes) + fix +
           ", or enlarge " + dir + " (mount -o remount,size=...)";
  }
  if (pointer_bits < 64 && b.total_bytes() > k32BitMappable) {
    return "shm: this " + std::to_string(pointer_bits) + "-bit build maps at most " +
           mib(k32BitMappable) + " of shared memory per process, the configuration " +
           mib(b.total_bytes()) + fix;
  }
  return "";
}

base::Result<uint64_t> filesystem_bytes(const std::string& dir) {
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) return base::Status::sys("statvfs");
  return uint64_t(fs.f_blocks) * uint64_t(fs.f_frsize);
}

}  // namespace srs::master
