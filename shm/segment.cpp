// Named shared-memory segments and mappings: see segment.hpp.
#include "shm/segment.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/fd.hpp"

namespace srs::shm {

using base::Errc;
using base::Result;
using base::Status;

InstanceId InstanceId::generate() noexcept {
  InstanceId id;
  if (getrandom(&id.random, sizeof(id.random), 0) != sizeof(id.random)) {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    id.random = static_cast<uint32_t>(ts.tv_nsec) ^ static_cast<uint32_t>(getpid() << 16);
  }
  id.master_pid = static_cast<uint32_t>(getpid());
  id.started_at = static_cast<uint32_t>(time(nullptr));
  return id;
}

namespace {

// "srs.<pid>.<random hex>." : the part of every name that is the same for a run.
int format_prefix(const InstanceId& instance, char* out, std::size_t size) noexcept {
  return snprintf(out, size, "srs.%u.%08x.", instance.master_pid, instance.random);
}

}  // namespace

SegmentName segment_name(const InstanceId& instance, uint32_t stream_slot,
                         uint32_t epoch) noexcept {
  SegmentName name;
  name.text[0] = '/';
  const int n = format_prefix(instance, name.text + 1, sizeof(name.text) - 1);
  snprintf(name.text + 1 + n, sizeof(name.text) - 1 - static_cast<std::size_t>(n), "%u.%u",
           stream_slot, epoch);
  return name;
}

Mapping& Mapping::operator=(Mapping&& o) noexcept {
  if (this != &o) {
    reset();
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

void Mapping::reset() noexcept {
  if (addr_ != nullptr) munmap(addr_, size_);
  addr_ = nullptr;
  size_ = 0;
}

Result<Mapping> Mapping::anonymous_shared(std::size_t size) {
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (addr == MAP_FAILED) return Status::sys("mmap(MAP_SHARED|MAP_ANONYMOUS)");
  return Mapping(addr, size);
}

namespace {

// Rings up to this size are mapped with MAP_POPULATE: their page tables are
// built at once, per ring and process, not by a fault per 4 KiB page as the
// writer and its readers first touch each one (with a thousand streams, those
// faults were 7% of a worker's time). Measured here: 16 MiB populated in
// 0.9 ms against 11.8 ms of faults, 64 MiB in 4.9 ms; above, one call would
// stall the worker's loop too long (256 MiB: 24 ms), and those pages fault in
// as the ring fills. The pages exist already (posix_fallocate): this maps
// them, it allocates nothing, and a ring's first lap would map them anyway.
constexpr std::size_t kPopulateMaxBytes = std::size_t{64} << 20;

Result<Mapping> map_fd(int fd, std::size_t size) {
  const int populate = size <= kPopulateMaxBytes ? MAP_POPULATE : 0;
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | populate, fd, 0);
  if (addr == MAP_FAILED) return Status::sys("mmap(MAP_SHARED) of a shm segment");
  return Mapping(addr, size);
}

}  // namespace

Result<Segment> Segment::create(const SegmentName& name, std::size_t size) {
  if (size == 0) return Status::fail(Errc::kInvalid, "shm segment size must not be zero");
  base::Fd fd(shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST)
      return Status::fail(Errc::kExists, "shm_open(O_EXCL): segment name exists");
    return Status::sys("shm_open(O_CREAT|O_EXCL)");
  }
  // posix_fallocate returns the error instead of setting errno.
  if (const int err = posix_fallocate(fd.get(), 0, static_cast<off_t>(size)); err != 0) {
    shm_unlink(name.c_str());
    return Status::sys("posix_fallocate (is /dev/shm full?)", err);
  }
  auto map = map_fd(fd.get(), size);
  if (!map.is_ok()) {
    shm_unlink(name.c_str());
    return map.status();
  }
  return Segment(name, std::move(map).value());
}

Result<Segment> Segment::open(const SegmentName& name) {
  base::Fd fd(shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status::fail(Errc::kNotFound, "shm_open: no such segment");
    return Status::sys("shm_open(O_RDWR)");
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Status::sys("fstat of a shm segment");
  if (st.st_size <= 0) return Status::fail(Errc::kInvalid, "shm segment is empty (creator died?)");
  auto map = map_fd(fd.get(), static_cast<std::size_t>(st.st_size));
  if (!map.is_ok()) return map.status();
  return Segment(name, std::move(map).value());
}

Status Segment::unlink(const SegmentName& name) {
  if (shm_unlink(name.c_str()) == 0) return Status::ok();
  if (errno == ENOENT) return Status::fail(Errc::kNotFound, "shm_unlink: no such segment");
  return Status::sys("shm_unlink");
}

namespace {

// Calls fn(dir, name) for each segment of `instance` in kShmDir.
template <typename Fn>
void for_each_instance_segment(const InstanceId& instance, Fn&& fn) noexcept {
  char prefix[48];
  const int len = format_prefix(instance, prefix, sizeof(prefix));
  DIR* dir = opendir(kShmDir);
  if (dir == nullptr) return;
  while (const dirent* e = readdir(dir)) {
    if (strncmp(e->d_name, prefix, static_cast<std::size_t>(len)) == 0) fn(dir, e->d_name);
  }
  closedir(dir);
}

}  // namespace

int remove_instance_segments(const InstanceId& instance) noexcept {
  int removed = 0;
  for_each_instance_segment(instance, [&](DIR*, const char* name) {
    char path[NAME_MAX + 2];
    snprintf(path, sizeof(path), "/%s", name);
    if (shm_unlink(path) == 0) ++removed;
  });
  return removed;
}

SegmentUsage instance_segments_usage(const InstanceId& instance) noexcept {
  SegmentUsage usage;
  for_each_instance_segment(instance, [&](DIR* dir, const char* name) {
    struct stat st;
    if (fstatat(dirfd(dir), name, &st, 0) != 0) return;  // unlinked meanwhile
    ++usage.count;
    usage.bytes += uint64_t(st.st_blocks) * 512;  // what tmpfs holds, not the apparent size
  });
  return usage;
}

}  // namespace srs::shm
