// Named shared-memory segments (POSIX shm_open) and the RAII mapping.
//
// A per-stream ring lives in a named segment: the publisher's worker creates
// it, readers on other workers open it by name, and the name is derived from
// the server instance, the stream slot and the ring epoch:
//
//   /srs.<pid>.<random hex>.<slot>.<epoch>      e.g. /srs.4804.9f3a11c2.7.12
//
// so two servers on one machine, or two rings of one slot, never collide.
// Memory goes back to the system when the name is unlinked AND every process
// has unmapped it (a Segment unmaps in its destructor). Whoever bumps a
// stream's ring epoch unlinks the previous epoch's name; the master's sweep
// unlinks the name of a stream it ends, and remove_instance_segments()
// removes whatever is left at exit (a worker may die between creating a
// segment and publishing its epoch).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "base/status.hpp"

namespace srs::shm {

// Where shm_open puts the segments (glibc's tmpfs): swept for a dead
// instance's rings, and measured by the master's memory budget.
inline constexpr char kShmDir[] = "/dev/shm";

// Identifies one run of the server: chosen by the master at start-up.
struct InstanceId {
  uint32_t random = 0;  // from getrandom()
  uint32_t master_pid = 0;
  uint32_t started_at = 0;  // wall clock, seconds since the epoch

  static InstanceId generate() noexcept;
  bool operator==(const InstanceId&) const = default;
};

// A segment name, NUL-terminated, fits NAME_MAX with room to spare.
struct SegmentName {
  char text[64] = {};
  const char* c_str() const noexcept { return text; }
};
SegmentName segment_name(const InstanceId& instance, uint32_t stream_slot, uint32_t epoch) noexcept;

// A move-only owner of one mmap()ed range; munmap() in the destructor.
class Mapping {
 public:
  Mapping() noexcept = default;
  Mapping(void* addr, std::size_t size) noexcept : addr_(addr), size_(size) {}
  Mapping(Mapping&& o) noexcept
      : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  Mapping& operator=(Mapping&& o) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { reset(); }

  // An anonymous MAP_SHARED mapping, zero-filled, inherited by fork().
  [[nodiscard]] static base::Result<Mapping> anonymous_shared(std::size_t size);

  void* data() const noexcept { return addr_; }
  std::size_t size() const noexcept { return size_; }
  bool valid() const noexcept { return addr_ != nullptr; }
  void reset() noexcept;

 private:
  void* addr_ = nullptr;
  std::size_t size_ = 0;
};

class Segment {
 public:
  Segment() noexcept = default;

  // shm_open(O_CREAT|O_EXCL|O_RDWR|O_CLOEXEC, 0600), reserve `size` bytes with
  // posix_fallocate (a full /dev/shm fails here with ENOSPC, not later with
  // SIGBUS on first touch), mmap MAP_SHARED. Zero-filled. Errors:
  // kExists (name taken), kSystem with errno (ENOSPC, EMFILE, ENOMEM, ...).
  // On failure nothing is left behind (the name is unlinked again).
  [[nodiscard]] static base::Result<Segment> create(const SegmentName& name, std::size_t size);
  // shm_open(O_RDWR|O_CLOEXEC) an existing segment and map all of it.
  // kNotFound when the name does not exist (the stream ended or moved on).
  [[nodiscard]] static base::Result<Segment> open(const SegmentName& name);
  // shm_unlink(); kNotFound when already gone. Mappings stay valid.
  [[nodiscard]] static base::Status unlink(const SegmentName& name);

  void* data() const noexcept { return map_.data(); }
  std::size_t size() const noexcept { return map_.size(); }
  bool valid() const noexcept { return map_.valid(); }
  const SegmentName& name() const noexcept { return name_; }

 private:
  Segment(const SegmentName& name, Mapping map) noexcept : name_(name), map_(std::move(map)) {}

  SegmentName name_;
  Mapping map_;
};

// Unlinks every segment of `instance` still in /dev/shm; returns how many.
// The master calls it when it exits (and may call it at start for a
// previous run of the same pid, which cannot be alive).
int remove_instance_segments(const InstanceId& instance) noexcept;

// The segments of `instance` in kShmDir now, and their bytes (the API's
// /dev/shm figures).
struct SegmentUsage {
  uint32_t count = 0;
  uint64_t bytes = 0;
};
SegmentUsage instance_segments_usage(const InstanceId& instance) noexcept;

}  // namespace srs::shm
