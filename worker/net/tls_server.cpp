// TLS contexts and SNI (see tls_server.hpp).
#include "worker/net/tls_server.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <strings.h>

#include "worker/net/tls_transport.hpp"

namespace srs::worker {
namespace {

struct BioFree {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};

std::string openssl_error(const char* what) {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return std::string(what) + " failed (" + (reason != nullptr ? reason : "no detail") + ")";
}

// An encrypted key is refused, never prompted for on a terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

// The certificate, then every further certificate of the PEM as its chain.
bool use_chain(SSL_CTX* ctx, const std::string& pem, std::string* error) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr || SSL_CTX_use_certificate(ctx, leaf) != 1) {
    X509_free(leaf);
    *error = openssl_error("SSL_CTX_use_certificate");
    return false;
  }
  X509_free(leaf);
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      *error = openssl_error("SSL_CTX_add0_chain_cert");
      return false;
    }
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return true;
}

bool use_key(SSL_CTX* ctx, const std::string& pem, std::string* error) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  bool ok = key != nullptr && SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
            SSL_CTX_check_private_key(ctx) == 1;
  EVP_PKEY_free(key);
  if (!ok) *error = openssl_error("SSL_CTX_use_PrivateKey");
  return ok;
}

}  // namespace

SslCtxPtr make_server_context(const conf::TlsIdentity& identity, std::string* error) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    *error = openssl_error("SSL_CTX_new");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // No session tickets (TLS 1.2 or 1.3): each worker would sign them with
  // its own key, so a resumption would work only on the same worker.
  uint64_t options = SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                     SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET;
#ifdef SSL_OP_ENABLE_KTLS
  options |= SSL_OP_ENABLE_KTLS;
#endif
  SSL_CTX_set_options(ctx.get(), options);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  // No TLS 1.3 session tickets: each worker would sign them with its own
  // key (a resumption works only on the same worker), and librtmp over
  // GnuTLS (rtmpdump) fails its RTMP handshake on the ticket message.
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  if (!use_chain(ctx.get(), identity.certificate_pem, error)) return nullptr;
  if (!use_key(ctx.get(), identity.key_pem, error)) return nullptr;
  return ctx;
}

std::string TlsServer::setup(const conf::Config& config) {
  std::string error;
  default_ = make_server_context(config.tls, &error);
  if (!default_) return "tls: " + error;
  for (const conf::VhostConfig& vhost : config.vhosts) {
    if (vhost.tls.empty()) continue;
    SslCtxPtr ctx = make_server_context(vhost.tls, &error);
    if (!ctx) return "vhosts." + vhost.name + ".tls: " + error;
    by_name_.emplace_back(vhost.name, std::move(ctx));
  }
  SSL_CTX_set_tlsext_servername_callback(default_.get(), on_servername);
  SSL_CTX_set_tlsext_servername_arg(default_.get(), this);
  return {};
}

// A client that names a vhost with its own certificate gets that one.
int TlsServer::on_servername(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const TlsServer*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  for (const auto& [vhost, ctx] : self->by_name_) {
    if (strcasecmp(vhost.c_str(), name) == 0) {
      SSL_set_SSL_CTX(ssl, ctx.get());
      break;
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

std::unique_ptr<Transport> TlsServer::wrap(base::Fd fd, std::string* error) const {
  SslPtr ssl(SSL_new(default_.get()));
  if (!ssl) {
    *error = openssl_error("SSL_new");
    return nullptr;
  }
  return std::make_unique<TlsTransport>(std::move(fd), std::move(ssl));
}

}  // namespace srs::worker
