// The locked pid file (see pid_file.hpp).
#include "master/pid_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace srs::master {
namespace {

// mkdir -p for the pid file's directory (./objs/ does not exist on a fresh checkout).
void make_parent_dirs(const std::string& path) {
  for (size_t i = 1; i < path.size(); i++) {
    if (path[i] != '/') continue;
    ::mkdir(path.substr(0, i).c_str(), 0755);
  }
}

std::string read_pid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "?";
  std::string s(buf, size_t(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The pid file, created (with its folders) when missing; invalid, and
// *error set, when it cannot be opened.
base::Fd open_pid_file(const std::string& path, int mode, std::string* error) {
  make_parent_dirs(path);
  base::Fd fd(::open(path.c_str(), mode | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    *error =
        "open(" + path + ") failed (" + std::to_string(errno) + ": " + std::strerror(errno) + ")";
  }
  return fd;
}

// A write lock over the whole file (fcntl(2) record locks: l_len 0 is "to the end").
struct flock whole_file_lock() {
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  return lock;
}

}  // namespace

PidFile::~PidFile() = default;

bool PidFile::acquire(const std::string& path, std::string* error) {
  base::Fd fd = open_pid_file(path, O_RDWR, error);
  if (!fd.valid()) return false;
  struct flock lock = whole_file_lock();
  if (::fcntl(fd.get(), F_SETLK, &lock) != 0) {
    if (errno == EAGAIN || errno == EACCES) {
      *error = "another instance (pid " + read_pid(fd.get()) + ") owns the pid file " + path;
    } else {
      *error = "fcntl(F_SETLK, " + path + ") failed (" + std::strerror(errno) + ")";
    }
    return false;
  }
  std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), text.data(), text.size(), 0) < 0) {
    *error = "write(" + path + ") failed (" + std::string(std::strerror(errno)) + ")";
    return false;
  }
  path_ = path;
  fd_ = std::move(fd);
  return true;
}

bool PidFile::available(const std::string& path, std::string* error) {
  base::Fd fd = open_pid_file(path, O_RDONLY, error);
  if (!fd.valid()) return false;
  struct flock lock = whole_file_lock();
  if (::fcntl(fd.get(), F_GETLK, &lock) != 0) {
    *error = "fcntl(F_GETLK, " + path + ") failed (" + std::strerror(errno) + ")";
    return false;
  }
  if (lock.l_type == F_UNLCK) return true;
  *error = "another instance (pid " + std::to_string(lock.l_pid) + ") owns the pid file " + path;
  return false;
}

void PidFile::remove() {
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
  fd_.reset();
}

}  // namespace srs::master
