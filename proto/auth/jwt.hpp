// JSON Web Tokens for publish and play: a vhost configured with a secret
// (HS256) or an RSA public key (RS256) lets a client publish or play only
// with a token, signed by whoever holds the key, that names the stream and
// the action and has not expired. A token is the JWS compact serialization
// (RFC 7515 section 7.1) of a JWT claims set (RFC 7519):
//
//   base64url(header) "." base64url(claims) "." base64url(signature)
//
//   header: {"alg":"HS256"|"RS256", "typ":"JWT" (optional)}
//   claims: {"stream":"app/stream"|"app/*", "act":"play"|"publish",
//            "exp":<seconds since 1970>, "nbf":<seconds> (optional)}
//
// The rules, in the order they are applied (the verdict is the first that fails):
//   1. kMissing: the token is empty. kMalformed: more than kMaxTokenBytes,
//      not exactly three parts, an empty header or claims part (an empty
//      signature goes on, to be refused by rule 2 or 3), a part that is not
//      canonical unpadded base64url (RFC 7515 section 2), a header that is
//      not a strict JSON object (json_object.hpp: UTF-8, unique names,
//      bounded depth), no "alg" string, a "typ" other than "JWT" (RFC 7519
//      section 5.1; any case, "application/" allowed, RFC 7515 section
//      4.1.9), or any "crit" (RFC 7515 section 4.1.11: we understand no
//      extension, so the token must be refused).
//   2. kUnsupportedAlgorithm: "alg" is not HS256 or RS256 ("none" included,
//      RFC 7518 section 3.6), or names an algorithm whose key this vhost does
//      not have. Each algorithm uses only its own key: the public key is
//      never used as an HMAC secret (the algorithm confusion attack).
//      "kid", "jku", "x5u" and "jwk" are ignored: keys come only from the
//      configuration.
//   3. kBadSignature: HS256 is HMAC-SHA-256 (RFC 7518 section 3.2), compared
//      in constant time over its full 32 bytes; RS256 is RSASSA-PKCS1-v1_5
//      with SHA-256 (section 3.3). Both sign the ASCII bytes
//      "header.claims" as sent (RFC 7515 section 5.2).
//   Only then are the claims read (RFC 7519 section 7.2): kMalformed when they
//   are not a strict JSON object, or "exp", "stream" or "act" is missing or of
//   the wrong type.
//   4. kExpired when now >= "exp" (RFC 7519 section 4.1.4, no leeway);
//      kNotYetValid when now < "nbf" (section 4.1.5). Both are NumericDates
//      (section 2): an integer, or a number with a fraction, rounded to the
//      safe side (exp down, nbf up); exponent forms ("1e9") and more than 18
//      integer digits are kMalformed.
//   5. kWrongStream: "stream" split at its last '/' (stream names never hold
//      one, apps may) must give the asked app and either the asked stream or
//      "*". Compared as UTF-8 bytes after JSON unescaping.
//   6. kWrongAction: "act" is not the asked action ("play" or "publish").
//
// Pure (the time is an argument) and bounded; t/fuzz/jwt_fuzz.cpp eats it.
// The details returned never hold the secret or signature bytes; text taken
// from the token is escaped and shortened for log lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace srs::proto::auth {

inline constexpr size_t kMaxTokenBytes = 8192;
inline constexpr size_t kMinSecretBytes = 32;  // RFC 7518 section 3.2: at least 256 bits
inline constexpr size_t kMaxSecretBytes = 4096;
inline constexpr int kMinRsaBits = 2048;  // RFC 7518 section 3.3

enum class TokenAction : uint8_t { kPlay, kPublish };

enum class TokenVerdict : uint8_t {
  kValid,
  kMissing,
  kMalformed,
  kUnsupportedAlgorithm,
  kBadSignature,
  kExpired,
  kNotYetValid,
  kWrongStream,
  kWrongAction,
};

// "valid", "no token", "expired", "bad signature", ...: for log lines and
// onStatus descriptions.
const char* token_verdict_text(TokenVerdict v) noexcept;
// "play" or "publish", as the "act" claim spells them.
const char* token_action_text(TokenAction a) noexcept;

struct TokenCheck {
  TokenVerdict verdict = TokenVerdict::kMalformed;
  // Why, for the log: "token for live/other, asked live/cam", "expired 42 s
  // ago", "alg \"none\" is not supported"; empty when valid.
  std::string detail;
};

class TokenKeys;

// The verdict on `token` for `act` on app/stream at `now_unix_seconds`.
TokenCheck check_token(std::string_view token, const TokenKeys& keys, TokenAction act,
                       std::string_view app, std::string_view stream, int64_t now_unix_seconds);

// The keys of one vhost, built once (at worker start) from the configuration.
class TokenKeys {
 public:
  TokenKeys() noexcept;
  TokenKeys(TokenKeys&&) noexcept;
  TokenKeys& operator=(TokenKeys&&) noexcept;
  ~TokenKeys();

  // Empty on success, else what is wrong, naming the configuration key:
  // "jwt_secret: 12 bytes, RFC 7518 section 3.2 asks for at least 32",
  // "jwt_public_key: not a PEM public key (...OpenSSL's reason...)". The
  // secret is taken as the bytes written (not base64), at least 32 of them;
  // the public key is a PEM RSA public key of 2048 bits or more, "BEGIN
  // PUBLIC KEY" (SubjectPublicKeyInfo) or "BEGIN RSA PUBLIC KEY" (PKCS #1).
  // Either may be empty; `out` is replaced only on success.
  static std::string make(std::string secret, std::string_view public_key_pem, TokenKeys* out);

  bool empty() const noexcept { return secret_.empty() && !public_key_; }
  bool has_secret() const noexcept { return !secret_.empty(); }
  bool has_public_key() const noexcept { return public_key_ != nullptr; }

 private:
  struct PkeyFree {
    void operator()(evp_pkey_st* key) const noexcept;
  };
  friend TokenCheck check_token(std::string_view, const TokenKeys&, TokenAction, std::string_view,
                                std::string_view, int64_t);

  std::string secret_;                                 // HS256
  std::unique_ptr<evp_pkey_st, PkeyFree> public_key_;  // RS256
};

}  // namespace srs::proto::auth
