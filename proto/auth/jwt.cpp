// JWT verification for publish and play (see jwt.hpp for the rules): the
// token is cut and decoded (RFC 7515 section 7.1), its header read (section
// 4), its signature checked with OpenSSL (RFC 7518 sections 3.2 and 3.3),
// and only then its claims read and compared (RFC 7519 sections 4 and 7.2).
#include "proto/auth/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <vector>

#include "proto/auth/base64url.hpp"
#include "proto/auth/json_object.hpp"

namespace srs::proto::auth {
namespace {

using V = TokenVerdict;

constexpr size_t kHs256Bytes = 32;  // SHA-256 output, never truncated
constexpr size_t kShownBytes = 96;  // of token text in a detail
constexpr size_t kMaxPemBytes = 65536;
constexpr int kMaxDateDigits = 18;  // integer digits of a NumericDate: fits int64

enum class Alg : uint8_t { kHs256, kRs256 };

TokenCheck fail(V v, std::string detail) {
  return TokenCheck{v, std::move(detail)};
}
TokenCheck pass() {
  return TokenCheck{V::kValid, {}};
}

// `s` for a log line: control bytes, '"' and '\\' as \xNN, at most
// kShownBytes (not cutting a UTF-8 sequence), then "...".
std::string shown(std::string_view s) {
  size_t n = std::min(s.size(), kShownBytes);
  while (n > 0 && n < s.size() && (uint8_t(s[n]) & 0xC0) == 0x80) n--;
  std::string out;
  for (char c : s.substr(0, n)) {
    const auto u = uint8_t(c);
    if (u >= 0x20 && u != 0x7F && c != '"' && c != '\\') {
      out.push_back(c);
      continue;
    }
    out += "\\x";
    out.push_back("0123456789abcdef"[u >> 4]);
    out.push_back("0123456789abcdef"[u & 15]);
  }
  if (n < s.size()) out += "...";
  return out;
}

std::string quoted(std::string_view s) {
  return "\"" + shown(s) + "\"";
}

// OpenSSL's reason for the last failure; the thread's error queue is
// emptied, so that no stale entry misleads a later SSL_get_error().
std::string openssl_reason() {
  const char* data = nullptr;
  int flags = 0;
  const unsigned long e = ERR_peek_last_error_data(&data, &flags);
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  std::string s = reason != nullptr ? reason : "no reason given";
  if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0')
    s += std::string(": ") + data;
  ERR_clear_error();
  return s;
}

// ---------------------------------------------------------------------------
// Keys.

std::string check_secret(std::string_view s) {
  if (s.empty()) return {};
  const std::string size = std::to_string(s.size());
  if (s.size() < kMinSecretBytes)
    return "jwt_secret: " + size + " bytes, RFC 7518 section 3.2 asks for at least 32 (256 bits)";
  if (s.size() > kMaxSecretBytes) return "jwt_secret: " + size + " bytes, more than 4096";
  if (s.find("-----BEGIN") != std::string_view::npos)
    return "jwt_secret: holds a PEM block; an RSA public key belongs in jwt_public_key (RS256)";
  return {};
}

int no_passphrase(char*, int, int, void*) {
  return 0;
}

// A PEM RSA public key ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo, or
// "BEGIN RSA PUBLIC KEY", PKCS #1) of kMinRsaBits or more, into `*out`.
std::string load_public_key(std::string_view pem, EVP_PKEY** out) {
  if (pem.size() > kMaxPemBytes)
    return "jwt_public_key: " + std::to_string(pem.size()) + " bytes, more than 65536";
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                &BIO_free);
  if (!bio) return "jwt_public_key: BIO_new_mem_buf() failed (" + openssl_reason() + ")";
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr), &EVP_PKEY_free);
  if (!key)
    return "jwt_public_key: not a PEM public key (" + openssl_reason() +
           "); expected -----BEGIN PUBLIC KEY-----";
  if (EVP_PKEY_is_a(key.get(), "RSA") != 1) {
    const char* type = EVP_PKEY_get0_type_name(key.get());
    return std::string("jwt_public_key: the key type is ") + (type ? type : "not RSA") +
           "; RS256 needs an RSA key";
  }
  if (const int bits = EVP_PKEY_get_bits(key.get()); bits < kMinRsaBits)
    return "jwt_public_key: a " + std::to_string(bits) +
           "-bit RSA key; RFC 7518 section 3.3 asks for 2048 bits or more";
  ERR_clear_error();  // decoders tried and refused may leave entries behind
  *out = key.release();
  return {};
}

// ---------------------------------------------------------------------------
// The compact form and the header (RFC 7515 sections 7.1 and 4).

struct Parts {
  std::string_view signing_input;         // "header.claims" as sent (section 5.2)
  std::string header, claims, signature;  // decoded
};

TokenCheck decode_part(std::string_view text, const char* what, std::string* out) {
  if (text.empty()) return fail(V::kMalformed, std::string(what) + " is empty");
  if (!base64url_decode(text, out))
    return fail(V::kMalformed, std::string(what) + " is not unpadded base64url");
  return pass();
}

TokenCheck split(std::string_view token, Parts* p) {
  if (token.size() > kMaxTokenBytes)
    return fail(V::kMalformed, "token is " + std::to_string(token.size()) + " bytes, more than " +
                                   std::to_string(kMaxTokenBytes));
  const size_t a = token.find('.');
  const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos)
    return fail(V::kMalformed, "not three parts separated by '.'");
  p->signing_input = token.substr(0, b);
  TokenCheck c = decode_part(token.substr(0, a), "header", &p->header);
  if (c.verdict == V::kValid) c = decode_part(token.substr(a + 1, b - a - 1), "claims", &p->claims);
  if (c.verdict != V::kValid) return c;
  // An empty signature decodes to 0 bytes, so that an unsecured JWT (RFC 7519
  // section 6, "alg":"none") is refused as such; HS256 and RS256 refuse 0 bytes.
  if (!base64url_decode(token.substr(b + 1), &p->signature))
    return fail(V::kMalformed, "signature is not unpadded base64url");
  return c;
}

// RFC 7515 section 4.1.9 and RFC 7519 section 5.1: "JWT", compared without
// case, with or without the "application/" prefix.
bool is_jwt_type(std::string_view t) {
  auto iequal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return (x >= 'A' && x <= 'Z' ? char(x + 32) : x) == y;
           });
  };
  return iequal(t, "jwt") || iequal(t, "application/jwt");
}

// RFC 7518 section 3.1: the two algorithms served, each with its own key.
TokenCheck pick_alg(std::string_view name, bool has_secret, bool has_key, Alg* alg) {
  if (name == "HS256") {
    if (!has_secret) return fail(V::kUnsupportedAlgorithm, "alg HS256, but no jwt_secret here");
    *alg = Alg::kHs256;
    return pass();
  }
  if (name == "RS256") {
    if (!has_key) return fail(V::kUnsupportedAlgorithm, "alg RS256, but no jwt_public_key here");
    *alg = Alg::kRs256;
    return pass();
  }
  return fail(V::kUnsupportedAlgorithm, "alg " + quoted(name) + " is not supported");
}

TokenCheck read_header(std::string_view json, bool has_secret, bool has_key, Alg* alg) {
  std::vector<JsonMember> m;
  if (base::Status st = read_json_object(json, &m); !st.is_ok())
    return fail(V::kMalformed, std::string("header: ") + st.what());
  const JsonMember* name = find_json_member(m, "alg");
  if (name == nullptr || name->kind != JsonKind::kString)
    return fail(V::kMalformed, "header: no \"alg\" string");
  const JsonMember* typ = find_json_member(m, "typ");
  if (typ != nullptr && (typ->kind != JsonKind::kString || !is_jwt_type(typ->text)))
    return fail(V::kMalformed, "header: \"typ\" is not \"JWT\"");
  if (find_json_member(m, "crit") != nullptr)
    return fail(V::kMalformed, "header: \"crit\" names extensions not supported here");
  return pick_alg(name->text, has_secret, has_key, alg);
}

// ---------------------------------------------------------------------------
// Signatures (RFC 7518 sections 3.2 and 3.3).

TokenCheck verify_hs256(std::string_view input, std::string_view sig, std::string_view secret) {
  if (sig.size() != kHs256Bytes)
    return fail(V::kBadSignature,
                "signature is " + std::to_string(sig.size()) + " bytes, HS256 makes 32");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const bool made = HMAC(EVP_sha256(), secret.data(), int(secret.size()),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                         &len) != nullptr &&
                    len == kHs256Bytes;
  const bool same = made && CRYPTO_memcmp(mac, sig.data(), kHs256Bytes) == 0;
  OPENSSL_cleanse(mac, sizeof mac);  // the right MAC for these bytes: a forgery
  if (!made) return fail(V::kBadSignature, "HMAC-SHA-256 failed (" + openssl_reason() + ")");
  if (!same) return fail(V::kBadSignature, "HS256 signature does not match jwt_secret");
  return pass();
}

TokenCheck verify_rs256(std::string_view input, std::string_view sig, EVP_PKEY* key) {
  const int size = EVP_PKEY_get_size(key);
  if (size <= 0 || sig.size() != size_t(size))
    return fail(V::kBadSignature, "signature is " + std::to_string(sig.size()) +
                                      " bytes, the RS256 key makes " + std::to_string(size));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool good =
      ctx &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  ERR_clear_error();  // a refused signature leaves entries in the queue
  if (!good) return fail(V::kBadSignature, "RS256 signature does not verify with jwt_public_key");
  return pass();
}

// ---------------------------------------------------------------------------
// Claims (RFC 7519 section 4.1).

struct Claims {
  int64_t exp = 0;  // rounded down
  bool has_nbf = false;
  int64_t nbf = 0;  // rounded up
  std::string stream, act;
};

// Section 2 NumericDate as JSON writes it, a valid RFC 8259 number: -?int(.frac)?
// with at most kMaxDateDigits integer digits, no exponent. Floor and ceiling.
bool numeric_date(const JsonMember* m, int64_t* down, int64_t* up) {
  if (m->kind != JsonKind::kNumber) return false;
  std::string_view raw = m->text;
  if (raw.find_first_of("eE") != std::string_view::npos) return false;
  const bool negative = raw.front() == '-';
  if (negative) raw.remove_prefix(1);
  const size_t dot = std::min(raw.find('.'), raw.size());
  if (dot > size_t(kMaxDateDigits)) return false;
  int64_t whole = 0;
  for (char c : raw.substr(0, dot)) whole = whole * 10 + (c - '0');
  const int64_t fraction = raw.find_first_not_of('0', dot + 1) == std::string_view::npos ? 0 : 1;
  *down = negative ? -whole - fraction : whole;
  *up = negative ? -whole : whole + fraction;
  return true;
}

TokenCheck string_claim(const std::vector<JsonMember>& m, const char* name, std::string* out) {
  const JsonMember* claim = find_json_member(m, name);
  if (claim == nullptr) return fail(V::kMalformed, std::string("no \"") + name + "\" claim");
  if (claim->kind != JsonKind::kString)
    return fail(V::kMalformed, std::string("\"") + name + "\" is not a string");
  *out = claim->text;
  return pass();
}

TokenCheck read_dates(const std::vector<JsonMember>& m, Claims* c) {
  int64_t unused = 0;
  const JsonMember* exp = find_json_member(m, "exp");
  if (exp == nullptr) return fail(V::kMalformed, "no \"exp\" claim");
  if (!numeric_date(exp, &c->exp, &unused))
    return fail(V::kMalformed, "\"exp\" is not a NumericDate (seconds, no exponent)");
  const JsonMember* nbf = find_json_member(m, "nbf");
  if (nbf == nullptr) return pass();
  c->has_nbf = true;
  if (!numeric_date(nbf, &unused, &c->nbf))
    return fail(V::kMalformed, "\"nbf\" is not a NumericDate (seconds, no exponent)");
  return pass();
}

TokenCheck read_claims(std::string_view json, Claims* c) {
  std::vector<JsonMember> m;
  if (base::Status st = read_json_object(json, &m); !st.is_ok())
    return fail(V::kMalformed, std::string("claims: ") + st.what());
  TokenCheck r = read_dates(m, c);
  if (r.verdict == V::kValid) r = string_claim(m, "stream", &c->stream);
  if (r.verdict == V::kValid) r = string_claim(m, "act", &c->act);
  return r;
}

// "app/stream" or "app/*", split at the last '/': stream names hold none.
bool stream_matches(std::string_view claim, std::string_view app, std::string_view stream) {
  const size_t slash = claim.rfind('/');
  if (slash == std::string_view::npos || app.empty() || stream.empty()) return false;
  if (claim.substr(0, slash) != app) return false;
  const std::string_view named = claim.substr(slash + 1);
  return named == "*" || named == stream;
}

TokenCheck check_claims(const Claims& c, TokenAction act, std::string_view app,
                        std::string_view stream, int64_t now) {
  // Differences in uint64_t: exact for any two int64_t in this order.
  if (now >= c.exp)
    return fail(V::kExpired,
                "expired " + std::to_string(uint64_t(now) - uint64_t(c.exp)) + " s ago");
  if (c.has_nbf && now < c.nbf)
    return fail(V::kNotYetValid,
                "valid in " + std::to_string(uint64_t(c.nbf) - uint64_t(now)) + " s");
  if (!stream_matches(c.stream, app, stream))
    return fail(V::kWrongStream,
                "token for " + shown(c.stream) + ", asked " + shown(app) + "/" + shown(stream));
  const std::string_view asked = token_action_text(act);
  if (c.act != asked)
    return fail(V::kWrongAction, "token for " + quoted(c.act) + ", asked " + std::string(asked));
  return pass();
}

}  // namespace

const char* token_verdict_text(TokenVerdict v) noexcept {
  switch (v) {
    case V::kValid:
      return "valid";
    case V::kMissing:
      return "no token";
    case V::kMalformed:
      return "malformed token";
    case V::kUnsupportedAlgorithm:
      return "unsupported algorithm";
    case V::kBadSignature:
      return "bad signature";
    case V::kExpired:
      return "expired";
    case V::kNotYetValid:
      return "not yet valid";
    case V::kWrongStream:
      return "wrong stream";
    case V::kWrongAction:
      return "wrong action";
  }
  return "?";
}

const char* token_action_text(TokenAction a) noexcept {
  return a == TokenAction::kPublish ? "publish" : "play";
}

void TokenKeys::PkeyFree::operator()(evp_pkey_st* key) const noexcept {
  EVP_PKEY_free(key);
}

TokenKeys::TokenKeys() noexcept = default;
TokenKeys::TokenKeys(TokenKeys&&) noexcept = default;
TokenKeys& TokenKeys::operator=(TokenKeys&&) noexcept = default;
TokenKeys::~TokenKeys() = default;

std::string TokenKeys::make(std::string secret, std::string_view public_key_pem, TokenKeys* out) {
  if (std::string why = check_secret(secret); !why.empty()) return why;
  TokenKeys keys;
  if (!public_key_pem.empty()) {
    EVP_PKEY* key = nullptr;
    if (std::string why = load_public_key(public_key_pem, &key); !why.empty()) return why;
    keys.public_key_.reset(key);
  }
  keys.secret_ = std::move(secret);
  *out = std::move(keys);
  return {};
}

TokenCheck check_token(std::string_view token, const TokenKeys& keys, TokenAction act,
                       std::string_view app, std::string_view stream, int64_t now_unix_seconds) {
  if (token.empty()) return fail(V::kMissing, "no token");
  Parts parts;
  TokenCheck c = split(token, &parts);
  if (c.verdict != V::kValid) return c;
  Alg alg = Alg::kHs256;
  c = read_header(parts.header, keys.has_secret(), keys.has_public_key(), &alg);
  if (c.verdict != V::kValid) return c;
  c = alg == Alg::kHs256
          ? verify_hs256(parts.signing_input, parts.signature, keys.secret_)
          : verify_rs256(parts.signing_input, parts.signature, keys.public_key_.get());
  if (c.verdict != V::kValid) return c;
  Claims claims;
  c = read_claims(parts.claims, &claims);
  if (c.verdict != V::kValid) return c;
  return check_claims(claims, act, app, stream, now_unix_seconds);
}

}  // namespace srs::proto::auth
