// The TLS transport (see tls_transport.hpp).
#include "worker/net/tls_transport.hpp"

#include <openssl/err.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace srs::worker {
namespace {

constexpr size_t kRecord = SSL3_RT_MAX_PLAIN_LENGTH;  // 16 KiB of plain text per record

// Small iovec entries are gathered here into one record; the worker's loop
// writes one connection at a time, so one buffer per thread serves them all.
thread_local uint8_t t_staging[kRecord];

// Copies up to kRecord bytes of iov from entry i, byte off on, into
// t_staging; the count copied.
size_t gather(const iovec* iov, int count, int i, size_t off) noexcept {
  size_t used = 0;
  while (i < count && used < kRecord) {
    const auto* base = static_cast<const uint8_t*>(iov[i].iov_base);
    size_t n = std::min(iov[i].iov_len - off, kRecord - used);
    std::memcpy(t_staging + used, base + off, n);
    used += n;
    off += n;
    if (off == iov[i].iov_len) {
      ++i;
      off = 0;
    }
  }
  return used;
}

// Moves (*i, *off) `n` bytes on through iov.
void advance(const iovec* iov, int count, int* i, size_t* off, size_t n) noexcept {
  while (n > 0 && *i < count) {
    size_t step = std::min(iov[*i].iov_len - *off, n);
    n -= step;
    *off += step;
    if (*off == iov[*i].iov_len) {
      ++*i;
      *off = 0;
    }
  }
}

}  // namespace

TlsTransport::TlsTransport(base::Fd fd, SslPtr ssl) noexcept
    : fd_(std::move(fd)), ssl_(std::move(ssl)) {
  SSL_set_fd(ssl_.get(), fd_.get());
  SSL_set_accept_state(ssl_.get());
}

IoResult TlsTransport::handshake() noexcept {
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_.get());
  if (ret == 1) {
    established_ = true;
    handshake_wants_write_ = false;
    ktls_send_ = BIO_get_ktls_send(SSL_get_wbio(ssl_.get())) != 0;
    LOG_INFO("tls handshake done: %s", describe().c_str());
    return {};
  }
  int err = SSL_get_error(ssl_.get(), ret);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    handshake_wants_write_ = err == SSL_ERROR_WANT_WRITE;
    return {Io::kWouldBlock, 0, 0};
  }
  return failed(ret, "TLS handshake");
}

// A failed SSL call as a state: the peer's end, or an error with its reason
// kept for error_text().
IoResult TlsTransport::failed(int ret, const char* what) noexcept {
  int saved_errno = errno;
  int err = SSL_get_error(ssl_.get(), ret);
  if (err == SSL_ERROR_ZERO_RETURN) return {Io::kClosed, 0, 0};
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (err == SSL_ERROR_SYSCALL && code == 0) {
    if (saved_errno == 0) return {Io::kClosed, 0, 0};  // EOF without close_notify
    error_ = std::string(what) + ": " + std::strerror(saved_errno);
    return {Io::kError, 0, saved_errno};
  }
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  error_ = std::string(what) + ": " + (reason != nullptr ? reason : "failed");
  return {Io::kError, 0, EPROTO};
}

std::string TlsTransport::error_text(const IoResult& r) const {
  return error_.empty() ? Transport::error_text(r) : error_;
}

IoResult TlsTransport::recv(uint8_t* buf, size_t cap) noexcept {
  if (!established_) {
    IoResult h = handshake();
    if (h.status != Io::kOk) return h;
  }
  handshake_wants_write_ = false;
  size_t got = 0;
  while (got < cap) {
    size_t n = 0;
    ERR_clear_error();
    int ret = SSL_read_ex(ssl_.get(), buf + got, cap - got, &n);
    if (ret == 1) {
      got += n;
      continue;
    }
    int err = SSL_get_error(ssl_.get(), ret);
    if (err == SSL_ERROR_WANT_READ) break;
    if (err == SSL_ERROR_WANT_WRITE) {  // a post-handshake message to answer
      handshake_wants_write_ = true;
      break;
    }
    if (got > 0) break;  // hand these out; the failure repeats on the next call
    return failed(ret, "TLS read");
  }
  if (got == 0) return {Io::kWouldBlock, 0, 0};
  return {Io::kOk, got, 0};
}

IoResult TlsTransport::write_record(const void* data, size_t len) noexcept {
  size_t n = 0;
  ERR_clear_error();
  int ret = SSL_write_ex(ssl_.get(), data, len, &n);
  if (ret == 1) return {Io::kOk, n, 0};
  int err = SSL_get_error(ssl_.get(), ret);
  if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) return failed(ret, "TLS write");
  // The retry must pass these bytes again: keep them (the staging buffer
  // and the ring move on). The copy's capacity stays for the next time.
  pending_copy_.assign(static_cast<const char*>(data), len);
  pending_ = len;
  return {Io::kWouldBlock, len, 0};
}

IoResult TlsTransport::flush() noexcept {
  if (!established_) return handshake();
  handshake_wants_write_ = false;  // a post-handshake reply: SSL_read writes it on its next call
  if (pending_ == 0) return {};
  size_t n = 0;
  ERR_clear_error();
  int ret = SSL_write_ex(ssl_.get(), pending_copy_.data(), pending_, &n);
  while (ret == 1 && n < pending_) {  // smaller records (max_fragment_length): the rest
    pending_copy_.erase(0, n);
    pending_ -= n;
    ERR_clear_error();
    ret = SSL_write_ex(ssl_.get(), pending_copy_.data(), pending_, &n);
  }
  if (ret == 1) {
    pending_ = 0;
    return {};  // its bytes were counted when they were taken
  }
  int err = SSL_get_error(ssl_.get(), ret);
  if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) return {Io::kWouldBlock, 0, 0};
  return failed(ret, "TLS write");
}

IoResult TlsTransport::writev(const iovec* iov, int count) noexcept {
  if (!established_ || pending_ > 0) {
    IoResult f = flush();
    if (f.status != Io::kOk) return f;
    if (!established_) return {Io::kWouldBlock, 0, 0};
  }
  if (ktls_send_) return socket_writev(fd_.get(), iov, count);
  size_t total = 0;
  int i = 0;
  size_t off = 0;
  while (i < count) {
    IoResult r;
    if (iov[i].iov_len - off >= kRecord) {  // a large payload goes to OpenSSL from where it is
      r = write_record(static_cast<const uint8_t*>(iov[i].iov_base) + off, kRecord);
    } else {
      r = write_record(t_staging, gather(iov, count, i, off));
    }
    // A client's max_fragment_length (RFC 6066) makes records smaller than
    // what was given: move on by what OpenSSL took, not by what it was offered.
    advance(iov, count, &i, &off, r.bytes);
    total += r.bytes;
    if (r.status != Io::kOk) return {r.status, total, r.error};
  }
  return {Io::kOk, total, 0};
}

IoResult TlsTransport::sendfile(int file_fd, off_t* offset, size_t count) noexcept {
  if (!established_ || pending_ > 0) {
    IoResult f = flush();
    if (f.status != Io::kOk) return f;
    if (!established_) return {Io::kWouldBlock, 0, 0};
  }
  if (ktls_send_) {
    ossl_ssize_t n = SSL_sendfile(ssl_.get(), file_fd, *offset, count, 0);
    if (n > 0) {
      *offset += n;
      return {Io::kOk, size_t(n), 0};
    }
    if (n == 0) return {Io::kClosed, 0, 0};
    int err = SSL_get_error(ssl_.get(), int(n));
    if (err == SSL_ERROR_WANT_WRITE) return {Io::kWouldBlock, 0, 0};
    return failed(int(n), "TLS sendfile");
  }
  size_t total = 0;
  while (total < count) {
    ssize_t n = ::pread(file_fd, t_staging, std::min(count - total, kRecord), *offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return {Io::kError, total, errno};
    if (n == 0) return {total > 0 ? Io::kOk : Io::kClosed, total, 0};
    IoResult r = write_record(t_staging, size_t(n));
    total += r.bytes;
    *offset += off_t(r.bytes);
    if (r.status != Io::kOk) return {r.status, total, r.error};
  }
  return {Io::kOk, total, 0};
}

bool TlsTransport::buffered() const noexcept {
  return SSL_has_pending(ssl_.get()) == 1;
}

std::string TlsTransport::describe() const {
  std::string s = std::string(SSL_get_version(ssl_.get())) + " " +
                  SSL_CIPHER_get_name(SSL_get_current_cipher(ssl_.get()));
  const char* sni = SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name);
  if (sni != nullptr) s += std::string(", sni ") + sni;
  if (ktls_send_) s += ", ktls send";
  return s;
}

}  // namespace srs::worker
