// TlsTransport: the Transport of a TLS client (RTMPS, HTTPS), over OpenSSL
// on a non-blocking socket.
//
//   handshake  runs inside the first recv() (the client speaks first); a
//              reply the socket cannot take yet makes wants_flush() true
//   reading    SSL_read until the buffer is full or the socket is empty;
//              with read-ahead on, a record may wait inside OpenSSL
//              (buffered()), which the connection reads without an EV_READ
//   writing    one TLS record (at most 16 KiB of plain text) per SSL_write:
//              a large iovec entry goes to OpenSSL as it is, small ones are
//              gathered into a per-thread buffer first. An SSL_write that
//              cannot finish counts its bytes as taken: the call answers
//              kWouldBlock with them, the transport keeps a copy, and
//              flush() retries with it (same bytes, same length, as
//              OpenSSL requires; ACCEPT_MOVING_WRITE_BUFFER lets the
//              address change)
//   kTLS       when the kernel and OpenSSL set up kernel TLS for sending,
//              writev and sendfile go straight to the socket (the kernel
//              makes the records; the ring is sent without a copy)
//
// Memory per idle connection stays small: SSL_MODE_RELEASE_BUFFERS gives
// OpenSSL's buffers back between records.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "worker/net/transport.hpp"

namespace srs::worker {

struct SslFree {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

class TlsTransport final : public Transport {
 public:
  // `ssl` is new, in accept state; it is bound to `fd` here.
  TlsTransport(base::Fd fd, SslPtr ssl) noexcept;
  int fd() const noexcept override { return fd_.get(); }
  const char* name() const noexcept override { return "tls"; }
  IoResult recv(uint8_t* buf, size_t cap) noexcept override;
  IoResult writev(const iovec* iov, int count) noexcept override;
  IoResult sendfile(int file_fd, off_t* offset, size_t count) noexcept override;
  bool wants_flush() const noexcept override { return pending_ > 0 || handshake_wants_write_; }
  IoResult flush() noexcept override;
  bool buffered() const noexcept override;
  std::string error_text(const IoResult& r) const override;

  bool established() const noexcept { return established_; }
  // "TLSv1.3 TLS_AES_256_GCM_SHA384, sni example.com, ktls send": for logs.
  std::string describe() const;

 private:
  IoResult handshake() noexcept;
  // SSL_write of at most one record; kWouldBlock with `len` taken when the
  // record is encrypted but waits (pending_).
  IoResult write_record(const void* data, size_t len) noexcept;
  IoResult failed(int ret, const char* what) noexcept;

  base::Fd fd_;
  SslPtr ssl_;
  bool established_ = false;
  bool handshake_wants_write_ = false;
  bool ktls_send_ = false;
  size_t pending_ = 0;        // plain-text length of the record OpenSSL still holds
  std::string pending_copy_;  // its bytes, for SSL_write's retry
  std::string error_;         // the last failure's reason
};

}  // namespace srs::worker
