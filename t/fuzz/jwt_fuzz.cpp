// libFuzzer target: JWT verification (proto/auth/jwt.hpp) and its parts on
// arbitrary bytes. The input is tried four ways:
//   - as a token, under an HS256 secret, an RS256 key and both: the verdict
//     is a pure function of the input, the detail is empty exactly when the
//     token is valid and never shows the secret, and a valid token is three
//     canonical base64url parts;
//   - as the claims of a token the harness signs with the secret (the only
//     way past the signature): never a bad signature or a refused algorithm,
//     and claims that are not a JSON object are malformed;
//   - as the header of such a token: HS256 tokens only get past it;
//   - as JSON (unique member names, at most kMaxJsonMembers) and as base64url
//     (what decodes re-encodes to the same text).
// The seeds (t/fuzz/corpus/jwt/) were made with t/integration/jwt_token.py,
// with kSecret and the private half of kPublicKeyPem.
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proto/auth/base64url.hpp"
#include "proto/auth/json_object.hpp"
#include "proto/auth/jwt.hpp"

using namespace srs::proto::auth;

namespace {

// The '"' makes "never shows the secret" hold whatever the input: text a
// detail echoes from a token has its quotes escaped, so a token spelling the
// secret out (the fuzzer learns it from the comparisons below) cannot put it
// into a detail; only the verifier's own use of the key could.
constexpr char kSecret[] = "fuzz-secret-\"0123456789abcdefghijklm";
constexpr char kPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/ki1Kg9oiRA9DgMnyM4z\n"
    "Cdad09g/2VxGb/AXLrs1g6da8ey5vYE94v8ZLP60LXmWkjDf4yVZvIxJoJ73/qn5\n"
    "BSzrSs2Z2pyBBEl1sR2bZ+H3U2cL7cYjT0maKrprI6Z8Q8VEG4OsqckB18nG+F+q\n"
    "qcjGccvzTYxV1vScmBC/xXDqVCSy59iwPXhnHXXFFMp6YDcvBwGeyCtsSpYuRyPY\n"
    "k3jzBodgWBo8Yjry7SaO5rC1MORO4fxLNAYYdilQAI4+ZR9lHEnE9jUhuCBCWPA8\n"
    "51XKKkwGR5HF2T/3hFJ6hx6glgPlDUJS8/1AzedzhES63l3aBa9gpz2pZ89s7syX\n"
    "qQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
constexpr int64_t kNow = 1700000000;

struct Keys {
  TokenKeys hs, rs, both;
  Keys() {
    if (!TokenKeys::make(kSecret, "", &hs).empty()) std::abort();
    if (!TokenKeys::make("", kPublicKeyPem, &rs).empty()) std::abort();
    if (!TokenKeys::make(kSecret, kPublicKeyPem, &both).empty()) std::abort();
  }
};

const Keys& keys() {
  static const Keys k;
  return k;
}

TokenCheck check(std::string_view token, const TokenKeys& k) {
  TokenCheck c = check_token(token, k, TokenAction::kPlay, "live", "cam", kNow);
  if ((c.verdict == TokenVerdict::kValid) != c.detail.empty()) std::abort();
  if (c.detail.find(kSecret) != std::string::npos) std::abort();
  return c;
}

// A valid token is three canonical base64url parts (none empty).
void check_shape(std::string_view token) {
  const size_t a = token.find('.'), b = token.rfind('.');
  if (a == std::string_view::npos || a == b) std::abort();
  for (std::string_view part :
       {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)}) {
    std::string raw;
    if (part.empty() || !base64url_decode(part, &raw)) std::abort();
    if (base64url_encode(raw) != part) std::abort();
  }
}

void as_token(std::string_view token) {
  const TokenCheck hs = check(token, keys().hs);
  if (check(token, keys().hs).verdict != hs.verdict) std::abort();
  const TokenCheck rs = check(token, keys().rs);
  const TokenCheck both = check(token, keys().both);
  // With both keys, a token valid under one is valid.
  if ((hs.verdict == TokenVerdict::kValid || rs.verdict == TokenVerdict::kValid) &&
      both.verdict != TokenVerdict::kValid)
    std::abort();
  if (both.verdict == TokenVerdict::kValid) check_shape(token);
}

std::string signed_token(std::string_view header, std::string_view claims) {
  std::string token = base64url_encode(header) + "." + base64url_encode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), kSecret, int(sizeof kSecret - 1),
            reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &len))
    std::abort();
  return token + "." + base64url_encode(std::string_view(reinterpret_cast<char*>(mac), len));
}

void as_claims(std::string_view claims) {
  const std::string token = signed_token("{\"alg\":\"HS256\"}", claims);
  const TokenVerdict v = check(token, keys().hs).verdict;
  if (token.size() > kMaxTokenBytes) {
    if (v != TokenVerdict::kMalformed) std::abort();
    return;
  }
  if (v == TokenVerdict::kBadSignature || v == TokenVerdict::kUnsupportedAlgorithm ||
      v == TokenVerdict::kMissing)
    std::abort();
  std::vector<JsonMember> m;
  if (!read_json_object(claims, &m).is_ok() && v != TokenVerdict::kMalformed) std::abort();
}

void as_header(std::string_view header) {
  const std::string token =
      signed_token(header, "{\"stream\":\"live/cam\",\"act\":\"play\",\"exp\":1700003600}");
  const TokenVerdict v = check(token, keys().hs).verdict;
  if (v == TokenVerdict::kValid) {
    std::vector<JsonMember> m;
    if (!read_json_object(header, &m).is_ok()) std::abort();
    const JsonMember* alg = find_json_member(m, "alg");
    if (alg == nullptr || alg->text != "HS256") std::abort();
  }
}

void as_json_and_base64url(std::string_view text) {
  std::vector<JsonMember> m;
  if (read_json_object(text, &m).is_ok()) {
    if (m.size() > kMaxJsonMembers) std::abort();
    for (size_t i = 0; i < m.size(); i++)
      if (find_json_member(m, m[i].name) != &m[i]) std::abort();
  } else if (!m.empty()) {
    std::abort();
  }
  std::string raw;
  if (base64url_decode(text, &raw) && base64url_encode(raw) != text) std::abort();
  if (!base64url_decode(base64url_encode(text), &raw) || raw != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  as_token(input);
  as_claims(input);
  as_header(input);
  as_json_and_base64url(input);
  return 0;
}
