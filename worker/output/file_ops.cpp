// File operations of the outputs (see file_ops.hpp).
#include "worker/output/file_ops.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/fd.hpp"

namespace srs::worker {

bool make_parent_dirs(const std::string& path) {
  for (size_t i = 1; i < path.size(); i++) {
    if (path[i] != '/') continue;
    if (::mkdir(path.substr(0, i).c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

bool write_all(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w == 0) errno = ENOSPC;
    if (w <= 0) return false;
    data += w;
    n -= size_t(w);
  }
  return true;
}

bool write_file_atomically(const std::string& path, const std::string& tmp,
                           std::span<const uint8_t> bytes) {
  if (!make_parent_dirs(tmp)) return false;
  base::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid() || !write_all(fd.get(), bytes.data(), bytes.size())) return false;
  fd.reset();
  return ::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace srs::worker
