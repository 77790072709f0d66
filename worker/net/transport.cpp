// The plain TCP transport and the vectored-write loop over any transport
// (see transport.hpp).
#include "worker/net/transport.hpp"

#include <limits.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace srs::worker {
namespace {

// A failed call's errno as a state (EINTR is retried by the caller).
IoResult failed(int err) noexcept {
  if (err == EAGAIN || err == EWOULDBLOCK) return {Io::kWouldBlock, 0, 0};
  return {Io::kError, 0, err};
}

}  // namespace

IoResult PlainTransport::recv(uint8_t* buf, size_t cap) noexcept {
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, cap, 0);
    if (n > 0) return {Io::kOk, size_t(n), 0};
    if (n == 0) return {Io::kClosed, 0, 0};
    if (errno != EINTR) return failed(errno);
  }
}

IoResult PlainTransport::writev(const iovec* iov, int count) noexcept {
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = size_t(count);
  for (;;) {
    // sendmsg(MSG_NOSIGNAL): a peer that left is an EPIPE, never a SIGPIPE.
    ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
    if (n >= 0) return {Io::kOk, size_t(n), 0};
    if (errno != EINTR) return failed(errno);
  }
}

IoResult PlainTransport::sendfile(int file_fd, off_t* offset, size_t count) noexcept {
  for (;;) {
    ssize_t n = ::sendfile(fd_.get(), file_fd, offset, count);
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
    if (r.status != Io::kOk) return r;
    *written += r.bytes;
    size_t left = r.bytes;
    while (*idx < count && left >= iov[*idx].iov_len) left -= iov[(*idx)++].iov_len;
    if (left == 0) continue;
    iov[*idx].iov_base = static_cast<uint8_t*>(iov[*idx].iov_base) + left;
    iov[*idx].iov_len -= left;
    return {Io::kWouldBlock, 0, 0};  // the socket took part of it: it is full
  }
  return {Io::kOk, 0, 0};
}

}  // namespace srs::worker
