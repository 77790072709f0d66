// Transport: the one seam between a connection and its socket. Every byte a
// connection reads or writes goes through it: recv, writev (ring players and
// queued bytes), sendfile (static files). No call site in the worker calls
// recv/send/writev/sendfile on a socket itself.
//
// PlainTransport is a TCP socket; a TLS transport (RTMPS, HTTPS) implements
// the same calls over OpenSSL. The transport owns the descriptor; the
// connection uses fd() for its events and socket options.
//
// Results are states, not errors: kWouldBlock means "arm EV_WRITE (or wait
// for EV_READ) and come back"; kClosed is an orderly end of the peer;
// kError carries errno's value for the log line.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "base/fd.hpp"

namespace srs::worker {

enum class Io : uint8_t { kOk, kWouldBlock, kClosed, kError };

struct IoResult {
  Io status = Io::kOk;
  size_t bytes = 0;  // transferred
  int error = 0;     // errno when kError
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int fd() const noexcept = 0;
  // What the log calls it ("tcp"; "tls" once there is one).
  virtual const char* name() const noexcept = 0;
  virtual IoResult recv(uint8_t* buf, size_t cap) noexcept = 0;
  // One vectored write of up to `count` entries (at most IOV_MAX).
  virtual IoResult writev(const iovec* iov, int count) noexcept = 0;
  // Up to `count` bytes of `file_fd` from *offset on (advanced). kClosed:
  // the file ended first (it shrank while being sent).
  virtual IoResult sendfile(int file_fd, off_t* offset, size_t count) noexcept = 0;

  // A transport that encrypts (TLS) may take bytes it cannot send yet: it
  // then answers writev/sendfile with kWouldBlock and `bytes` > 0 (taken,
  // will go out), and wants_flush() until flush() has sent them; the
  // connection flushes on EV_WRITE before anything else. It may also hold
  // bytes received but not yet handed out (buffered()), which no EV_READ
  // announces. A plain socket has neither.
  virtual bool wants_flush() const noexcept { return false; }
  virtual IoResult flush() noexcept { return {}; }
  virtual bool buffered() const noexcept { return false; }
  // A failed call's reason for the log line: errno's text, or the TLS
  // library's reason.
  virtual std::string error_text(const IoResult& r) const;
};

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(base::Fd fd) noexcept : fd_(std::move(fd)) {}
  int fd() const noexcept override { return fd_.get(); }
  const char* name() const noexcept override { return "tcp"; }
  IoResult recv(uint8_t* buf, size_t cap) noexcept override;
  IoResult writev(const iovec* iov, int count) noexcept override;
  IoResult sendfile(int file_fd, off_t* offset, size_t count) noexcept override;

 private:
  base::Fd fd_;
};

// The socket calls under PlainTransport, for a transport that hands a
// socket to the kernel as it is (TLS once the kernel encrypts: kTLS).
IoResult socket_writev(int fd, const iovec* iov, int count) noexcept;
IoResult socket_sendfile(int fd, int file_fd, off_t* offset, size_t count) noexcept;

// Writes iov[*idx, count) as far as the transport takes it, adjusting the
// first partly written entry in place, and adds what went out to *written.
// kOk with *idx == count: everything went out; kWouldBlock: the socket
// filled up first (arm EV_WRITE), possibly after taking everything (a TLS
// record waits to go out); kError/kClosed: the connection is done.
IoResult write_iovecs(Transport& t, iovec* iov, size_t count, size_t* idx,
                      size_t* written) noexcept;

}  // namespace srs::worker
