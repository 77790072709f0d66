// The complex handshake's digest arithmetic over OpenSSL's one-shot HMAC().
#include "proto/rtmp/handshake_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <initializer_list>

namespace srs::proto::rtmp {

namespace {

constexpr size_t kHalf = 764;   // each half of C1/S1 after time and version
constexpr size_t kRange = 728;  // 764 - 4 (offset field) - 32 (digest)
constexpr size_t kSigned = kHandshakeSize - kDigestSize;  // 1504

}  // namespace

// Both keys end with the same 32-byte constant (nginx-rtmp, SRS, librtmp).
const uint8_t kFpKey[kFpKeySize] = {
    'G',  'e',  'n',  'u',  'i',  'n',  'e',  ' ',  'A',  'd',  'o',  'b',  'e',  ' ',  'F',  'l',
    'a',  's',  'h',  ' ',  'P',  'l',  'a',  'y',  'e',  'r',  ' ',  '0',  '0',  '1',  0xF0, 0xEE,
    0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57, 0x6E, 0xEC,
    0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};

const uint8_t kFmsKey[kFmsKeySize] = {
    'G',  'e',  'n',  'u',  'i',  'n',  'e',  ' ',  'A',  'd',  'o',  'b',  'e',  ' ',
    'F',  'l',  'a',  's',  'h',  ' ',  'M',  'e',  'd',  'i',  'a',  ' ',  'S',  'e',
    'r',  'v',  'e',  'r',  ' ',  '0',  '0',  '1',  0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68,
    0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D,
    0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};

const char* digest_schema_name(DigestSchema schema) noexcept {
  switch (schema) {
    case DigestSchema::kBase772:
      return "base 772";
    case DigestSchema::kBase8:
      return "base 8";
    case DigestSchema::kNone:
      break;
  }
  return "none";
}

size_t digest_offset(const uint8_t* block, DigestSchema schema) noexcept {
  size_t base = schema == DigestSchema::kBase772 ? 8 + kHalf : 8;
  size_t sum = size_t{block[base]} + block[base + 1] + block[base + 2] + block[base + 3];
  return base + 4 + sum % kRange;
}

bool hmac_sha256(const uint8_t* key, size_t key_len, const uint8_t* data, size_t len,
                 uint8_t out[kDigestSize]) noexcept {
  unsigned int out_len = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(key_len), data, len, out, &out_len) == nullptr) {
    return false;
  }
  return out_len == kDigestSize;
}

bool block_digest(const uint8_t* block, DigestSchema schema, const uint8_t* key, size_t key_len,
                  uint8_t out[kDigestSize]) noexcept {
  size_t at = digest_offset(block, schema);
  uint8_t rest[kSigned];
  std::memcpy(rest, block, at);
  std::memcpy(rest + at, block + at + kDigestSize, kHandshakeSize - at - kDigestSize);
  return hmac_sha256(key, key_len, rest, kSigned, out);
}

DigestSchema find_digest(const uint8_t* block, const uint8_t* key, size_t key_len) noexcept {
  for (DigestSchema schema : {DigestSchema::kBase772, DigestSchema::kBase8}) {
    uint8_t digest[kDigestSize];
    if (!block_digest(block, schema, key, key_len, digest)) continue;
    if (CRYPTO_memcmp(digest, block + digest_offset(block, schema), kDigestSize) == 0) {
      return schema;
    }
  }
  return DigestSchema::kNone;
}

bool sign_block(uint8_t* block, DigestSchema schema, const uint8_t* key, size_t key_len) noexcept {
  uint8_t digest[kDigestSize];
  if (!block_digest(block, schema, key, key_len, digest)) return false;
  std::memcpy(block + digest_offset(block, schema), digest, kDigestSize);
  return true;
}

bool sign_response(const uint8_t* peer_digest, const uint8_t* key, size_t key_len,
                   uint8_t* block) noexcept {
  uint8_t temp_key[kDigestSize];
  if (!hmac_sha256(key, key_len, peer_digest, kDigestSize, temp_key)) return false;
  return hmac_sha256(temp_key, kDigestSize, block, kSigned, block + kSigned);
}

bool verify_response(const uint8_t* our_digest, const uint8_t* key, size_t key_len,
                     const uint8_t* block) noexcept {
  uint8_t temp_key[kDigestSize];
  uint8_t expect[kDigestSize];
  if (!hmac_sha256(key, key_len, our_digest, kDigestSize, temp_key)) return false;
  if (!hmac_sha256(temp_key, kDigestSize, block, kSigned, expect)) return false;
  return CRYPTO_memcmp(expect, block + kSigned, kDigestSize) == 0;
}

}  // namespace srs::proto::rtmp
