// A child's output, through the master (see child_output.hpp).
#include "master/child_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace srs::master {
namespace {

constexpr size_t kMaxLastLine = 200;
constexpr size_t kMaxPartial = 4096;  // a longer line is written out in pieces

std::string sys_error(const std::string& call, int err) {
  return call + " failed (" + std::to_string(err) + ": " + std::strerror(err) + ")";
}

base::Fd open_log(const std::string& path) {
  return base::Fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
}

// Trailing spaces, CR and ANSI colour do not make a line worth keeping.
std::string_view trimmed(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
    line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\r')) line.remove_prefix(1);
  return line;
}

}  // namespace

bool ChildOutput::open(const std::string& name, const std::string& log_path, base::Fd* child_end,
                       std::string* error) {
  name_ = name;
  if (log_path == "/dev/null") {
    child_end->reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!child_end->valid()) *error = sys_error("open(/dev/null)", errno);
    return child_end->valid();
  }
  if (!log_path.empty()) {
    path_ = log_path;
    file_ = open_log(path_);
    if (!file_.valid()) {
      *error = sys_error("open(" + path_ + ")", errno);
      return false;
    }
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = sys_error("pipe2()", errno);
    return false;
  }
  read_.reset(fds[0]);
  child_end->reset(fds[1]);
  ::fcntl(read_.get(), F_SETFL, ::fcntl(read_.get(), F_GETFL) | O_NONBLOCK);
  return true;
}

void ChildOutput::drain(bool at_exit) {
  char buf[16384];
  while (read_.valid()) {
    ssize_t n = ::read(read_.get(), buf, sizeof buf);
    if (n > 0) {
      take(buf, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) read_.reset();  // every writer closed it: the child and what it left
    break;                      // EAGAIN: all read for now
  }
  if (at_exit && !partial_.empty()) {
    line_done(partial_);
    partial_.clear();
  }
}

void ChildOutput::take(const char* data, size_t size) {
  if (file_.valid() && ::write(file_.get(), data, size) < 0) {
    // A full disk must not stop the master; the child's log loses these bytes.
  }
  std::string_view rest(data, size);
  while (!rest.empty()) {
    size_t end = rest.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      partial_.append(rest.substr(0, kMaxPartial - std::min(partial_.size(), kMaxPartial)));
      if (partial_.size() >= kMaxPartial) {
        line_done(partial_);
        partial_.clear();
      }
      return;
    }
    partial_.append(rest.substr(0, end));
    line_done(partial_);
    partial_.clear();
    rest.remove_prefix(end + 1);
  }
}

void ChildOutput::line_done(std::string_view line) {
  line = trimmed(line);
  if (line.empty()) return;
  last_line_.assign(line.substr(0, kMaxLastLine));
  if (path_.empty()) LOG_INFO("%s: %.*s", name_.c_str(), int(line.size()), line.data());
}

void ChildOutput::reopen() {
  if (path_.empty()) return;
  base::Fd fresh = open_log(path_);
  if (!fresh.valid()) {
    LOG_ERROR("%s: reopening its log %s failed (%d: %s); it keeps the old one", name_.c_str(),
              path_.c_str(), errno, std::strerror(errno));
    return;
  }
  file_ = std::move(fresh);
}

}  // namespace srs::master
