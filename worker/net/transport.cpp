// The plain TCP transport and the vectored-write loop over any transport
// (see transport.hpp).
#include "worker/net/transport.hpp"

#include <limits.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace srs::worker {
namespace {

// A failed call's errno as a state (EINTR is retried by the caller).
IoResult failed(int err) noexcept {
  if (err == EAGAIN || err == EWOULDBLOCK) return {Io::kWouldBlock, 0, 0};
  return {Io::kError, 0, err};
}

}  // namespace

std::string Transport::error_text(const IoResult& r) const {
  return std::strerror(r.error);
}

IoResult PlainTransport::recv(uint8_t* buf, size_t cap) noexcept {
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, cap, 0);
    if (n > 0) return {Io::kOk, size_t(n), 0};
    if (n == 0) return {Io::kClosed, 0, 0};
    if (errno != EINTR) return failed(errno);
  }
}

IoResult PlainTransport::writev(const iovec* iov, int count) noexcept {
  return socket_writev(fd_.get(), iov, count);
}

IoResult PlainTransport::sendfile(int file_fd, off_t* offset, size_t count) noexcept {
  return socket_sendfile(fd_.get(), file_fd, offset, count);
}

IoResult socket_writev(int fd, const iovec* iov, int count) noexcept {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = size_t(count);
  for (;;) {
    // sendmsg(MSG_NOSIGNAL): a peer that left is an EPIPE, never a SIGPIPE.
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) return {Io::kOk, size_t(n), 0};
    if (errno != EINTR) return failed(errno);
  }
}

IoResult socket_sendfile(int fd, int file_fd, off_t* offset, size_t count) noexcept {
  for (;;) {
    ssize_t n = ::sendfile(fd, file_fd, offset, count);
    if (n > 0) return {Io::kOk, size_t(n), 0};
    if (n == 0) return {Io::kClosed, 0, 0};
    if (errno != EINTR) return failed(errno);
  }
}

IoResult write_iovecs(Transport& t, iovec* iov, size_t count, size_t* idx,
                      size_t* written) noexcept {
  while (*idx < count) {
    int n = int(std::min<size_t>(count - *idx, IOV_MAX));
    IoResult r = t.writev(iov + *idx, n);
    *written += r.bytes;  // also with kWouldBlock: bytes a TLS transport took
    size_t left = r.bytes;
    while (*idx < count && left >= iov[*idx].iov_len) left -= iov[(*idx)++].iov_len;
    if (left > 0) {
      iov[*idx].iov_base = static_cast<uint8_t*>(iov[*idx].iov_base) + left;
      iov[*idx].iov_len -= left;
    }
    if (r.status != Io::kOk) return r;
    if (left > 0) return {Io::kWouldBlock, 0, 0};  // the socket took part of it: it is full
  }
  return {Io::kOk, 0, 0};
}

}  // namespace srs::worker
