// Reading PEM files (see pem_file.hpp).
#include "conf/pem_file.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace srs::conf {
namespace {

constexpr size_t kMaxPemBytes = 1u << 20;  // a chain is a few KiB; caps a wrong path

}  // namespace

std::string read_pem_file(const std::string& path, std::string* text) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "cannot open '" + path + "' (" + std::strerror(errno) + ")";
  char buf[4096];
  size_t n = 0;
  text->clear();
  while (text->size() <= kMaxPemBytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0)
    text->append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return "cannot read '" + path + "' (" + std::strerror(err) + ")";
  if (text->size() > kMaxPemBytes) return "'" + path + "' is larger than 1 MiB; not a PEM file";
  if (text->empty()) return "'" + path + "' is empty";
  return {};
}

std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no detail from OpenSSL";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "error " + std::to_string(code);
}

std::string check_public_key_pem(const std::string& pem, const std::string& path) {
  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return "'" + path + "' holds no PEM public key (" + openssl_reason() + ")";
  bool rsa = EVP_PKEY_base_id(key) == EVP_PKEY_RSA;
  int bits = EVP_PKEY_get_bits(key);
  EVP_PKEY_free(key);
  if (!rsa) return "'" + path + "' is not an RSA public key (RS256 needs one)";
  if (bits < 2048)
    return "'" + path + "' is a " + std::to_string(bits) +
           "-bit RSA key; RS256 needs 2048 bits or more";
  return {};
}

}  // namespace srs::conf
