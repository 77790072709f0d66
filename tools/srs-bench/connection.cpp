// Connection: a non-blocking TCP client on libevent (see connection.hpp).
#include "tools/srs-bench/connection.hpp"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/clock.hpp"

namespace srs::tools::srs_bench {

namespace {

constexpr size_t kReadBufferSize = 256 * 1024;
constexpr int kMaxReadsPerEvent = 4;  // then let other connections run
uint8_t g_read_buffer[kReadBufferSize];

}  // namespace

Connection::~Connection() {
  close("destroyed", false);
}

base::Status Connection::start(const sockaddr_in& addr) noexcept {
  start_ns_ = base::mono_ns();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    close("socket() failed", true);
    return base::Status::sys("socket");
  }
  int one = 1;
  (void)::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno != EINPROGRESS) {
    int err = errno;
    close("connect() failed", true);
    return base::Status::sys("connect", err);
  }
  sockaddr_in local{};
  socklen_t local_len = sizeof local;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &local_len) == 0) {
    local_port_ = ntohs(local.sin_port);
  }
  read_ev_ = event_new(base_, fd_, EV_READ | EV_PERSIST, &Connection::on_event, this);
  write_ev_ = event_new(base_, fd_, EV_WRITE, &Connection::on_event, this);
  if (read_ev_ == nullptr || write_ev_ == nullptr) {
    close("event_new() failed", true);
    return base::Status::fail(base::Errc::kSystem, "event_new");
  }
  event_add(write_ev_, nullptr);  // connect completes when writable
  write_armed_ = true;
  return base::Status::ok();
}

void Connection::close(const char* reason, bool error) noexcept {
  if (read_ev_ != nullptr) event_free(read_ev_);
  if (write_ev_ != nullptr) event_free(write_ev_);
  read_ev_ = write_ev_ = nullptr;
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    closed_ns_ = base::mono_ns();
    close_reason_ = reason;
    failed_ = error;
  }
  out_.clear();
  out_.shrink_to_fit();
  out_pos_ = 0;
}

void Connection::on_event(int /*fd*/, short what, void* arg) noexcept {
  auto* self = static_cast<Connection*>(arg);
  int64_t now = base::mono_ns();
  if ((what & EV_WRITE) != 0) {
    self->write_armed_ = false;
    self->on_writable(now);
  }
  if ((what & EV_READ) != 0 && self->is_open()) self->on_readable(now);
}

void Connection::on_writable(int64_t now_ns) noexcept {
  if (connected_) {
    flush();
    return;
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    close("connect failed", true);
    on_lost(now_ns);
    return;
  }
  connected_ = true;
  connected_ns_ = now_ns;
  event_add(read_ev_, nullptr);
  on_connected(now_ns);
  if (is_open()) flush();
}

void Connection::on_readable(int64_t now_ns) noexcept {
  for (int i = 0; i < kMaxReadsPerEvent && is_open(); ++i) {
    ssize_t n = ::read(fd_, g_read_buffer, kReadBufferSize);
    if (n > 0) {
      bytes_in_ += static_cast<uint64_t>(n);
      on_data(g_read_buffer, static_cast<size_t>(n), now_ns);
      if (static_cast<size_t>(n) < kReadBufferSize) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    close(n == 0 ? "closed by server" : "read() failed", true);
    on_lost(now_ns);
    return;
  }
}

void Connection::flush() noexcept {
  if (!is_open() || !connected_) return;
  while (out_pos_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n > 0) {
      out_pos_ += static_cast<size_t>(n);
      bytes_out_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    close("send() failed", true);
    on_lost(base::mono_ns());
    return;
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    return;
  }
  if (out_pos_ > 64 * 1024) {  // keep the queue from growing at the front
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(out_pos_));
    out_pos_ = 0;
  }
  if (!write_armed_) {
    event_add(write_ev_, nullptr);
    write_armed_ = true;
  }
}

}  // namespace srs::tools::srs_bench
