// TlsServer: this worker's TLS contexts, one for the TLS listeners
// (tls.certificate) and one per vhost with its own certificate
// (vhosts.NAME.tls), chosen by the name the client asks for (SNI); and the
// step that turns an accepted socket into a TlsTransport.
//
// Built from the configuration's PEM text (read and checked by the loader),
// once per worker generation: a reload that swaps a certificate starts
// workers with the new contexts while the old ones keep theirs, so a new
// client sees the new certificate and a connected one keeps streaming.
//
// TLS 1.2 and 1.3 only; no renegotiation; kTLS asked for (used when the
// kernel offers it: /proc/sys/net/ipv4/tcp_available_ulp lists "tls").
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/fd.hpp"
#include "conf/config.hpp"
#include "worker/net/transport.hpp"

namespace srs::worker {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

class TlsServer {
 public:
  // Empty on success, else what failed (OpenSSL's reason): the files were
  // checked at load, so only a failure of OpenSSL itself lands here.
  std::string setup(const conf::Config& config);
  bool ready() const noexcept { return default_ != nullptr; }
  // The transport of an accepted socket; null (with *error) when OpenSSL
  // cannot make a connection object (out of memory).
  std::unique_ptr<Transport> wrap(base::Fd fd, std::string* error) const;

 private:
  static int on_servername(SSL* ssl, int* alert, void* arg);

  SslCtxPtr default_;
  std::vector<std::pair<std::string, SslCtxPtr>> by_name_;  // vhost name, its context
};

// A server context holding `identity`'s certificate chain and key.
SslCtxPtr make_server_context(const conf::TlsIdentity& identity, std::string* error);

}  // namespace srs::worker
