// Reading and checking a certificate and its key (see tls_identity.hpp).
#include "conf/tls_identity.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "conf/pem_file.hpp"

namespace srs::conf {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), int(text.size())));
}

std::unique_ptr<X509, X509Free> first_certificate(const std::string& pem) {
  auto bio = memory_bio(pem);
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// An encrypted key is refused, never prompted for on a terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

}  // namespace

std::string load_tls_identity(TlsIdentity* id, const char** which) {
  *which = "certificate";
  if (id->certificate.empty()) return "a key needs its certificate (a PEM file)";
  if (std::string p = read_pem_file(id->certificate, &id->certificate_pem); !p.empty()) return p;
  ERR_clear_error();
  auto cert = first_certificate(id->certificate_pem);
  if (!cert) return "'" + id->certificate + "' holds no PEM certificate (" + openssl_reason() + ")";
  *which = "key";
  if (id->key.empty()) return "a certificate needs its private key (a PEM file)";
  if (std::string p = read_pem_file(id->key, &id->key_pem); !p.empty()) return p;
  auto bio = memory_bio(id->key_pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) return "'" + id->key + "' holds no PEM private key (" + openssl_reason() + ")";
  *which = "certificate";
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return "the key in '" + id->key + "' does not belong to the certificate in '" +
           id->certificate + "'";
  }
  return {};
}

std::string tls_validity_warning(const TlsIdentity& id) {
  auto cert = first_certificate(id.certificate_pem);
  ERR_clear_error();
  if (!cert) return {};
  if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0)
    return "the certificate in '" + id.certificate + "' has expired: clients will refuse it";
  if (X509_cmp_current_time(X509_get0_notBefore(cert.get())) > 0)
    return "the certificate in '" + id.certificate + "' is not valid yet: clients will refuse it";
  return {};
}

}  // namespace srs::conf
