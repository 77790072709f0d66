// JWT verification for publish and play (proto/auth/jwt.hpp), against tokens
// made outside the code under test (jwt_vectors.hpp: python3 hmac and the
// openssl command line): every verdict, the order of the rules, algorithm
// confusion, tampering at every byte, the keys' checks, and details that
// never show the secret or the signature.
#include "proto/auth/jwt.hpp"

#include <doctest/doctest.h>
#include <openssl/err.h>

#include <climits>
#include <string>
#include <type_traits>

#include "proto/auth/base64url.hpp"
#include "t/unit/proto/auth/jwt_vectors.hpp"

using namespace srs::proto::auth;
using namespace jwt_vectors;
using V = TokenVerdict;

namespace {

TokenKeys keys_of(std::string secret, std::string_view pem) {
  TokenKeys keys;
  const std::string why = TokenKeys::make(std::move(secret), pem, &keys);
  REQUIRE_MESSAGE(why.empty(), why);
  return keys;
}

// The three parts of a token, as sent.
struct Cut {
  std::string header, claims, signature;
};
Cut cut(std::string_view token) {
  const size_t a = token.find('.'), b = token.rfind('.');
  return {std::string(token.substr(0, a)), std::string(token.substr(a + 1, b - a - 1)),
          std::string(token.substr(b + 1))};
}

// check_token, and what holds for every answer: the detail never shows the
// secret or the signature (as sent or decoded), and is empty when valid.
TokenCheck check(std::string_view token, const TokenKeys& keys, TokenAction act,
                 std::string_view app = "live", std::string_view stream = "cam",
                 int64_t now = kNow) {
  TokenCheck c = check_token(token, keys, act, app, stream, now);
  CAPTURE(token);
  CAPTURE(c.detail);
  CHECK(c.detail.find(kSecret) == std::string::npos);
  CHECK(c.detail.find("unit-test-secret") == std::string::npos);
  CHECK((c.verdict == V::kValid) == c.detail.empty());
  const std::string sig = cut(token).signature;
  std::string raw;
  if (sig.size() >= 8) CHECK(c.detail.find(sig) == std::string::npos);
  if (base64url_decode(sig, &raw) && raw.size() >= 8)
    CHECK(c.detail.find(raw) == std::string::npos);
  return c;
}
TokenCheck play(std::string_view token, const TokenKeys& keys, std::string_view app = "live",
                std::string_view stream = "cam", int64_t now = kNow) {
  return check(token, keys, TokenAction::kPlay, app, stream, now);
}
TokenCheck publish(std::string_view token, const TokenKeys& keys, std::string_view app = "live",
                   std::string_view stream = "cam", int64_t now = kNow) {
  return check(token, keys, TokenAction::kPublish, app, stream, now);
}

}  // namespace

TEST_CASE("jwt: valid HS256 tokens for play and publish") {
  const TokenKeys keys = keys_of(kSecret, "");
  CHECK(play(kHsPlay, keys).verdict == V::kValid);
  CHECK(publish(kHsPublish, keys).verdict == V::kValid);
  const TokenCheck wrong = publish(kHsPlay, keys);
  CHECK(wrong.verdict == V::kWrongAction);
  CHECK(wrong.detail == "token for \"play\", asked publish");
  CHECK(play(kHsPublish, keys).verdict == V::kWrongAction);
  const TokenCheck admin = publish(kHsActAdmin, keys);
  CHECK(admin.verdict == V::kWrongAction);
  CHECK(admin.detail == "token for \"admin\", asked publish");
}

TEST_CASE("jwt: the stream claim, app/* and the last slash") {
  const TokenKeys keys = keys_of(kSecret, "");
  const TokenCheck other = play(kHsOtherStream, keys);
  CHECK(other.verdict == V::kWrongStream);
  CHECK(other.detail == "token for live/other, asked live/cam");
  CHECK(play(kHsAnyStream, keys).verdict == V::kValid);
  CHECK(play(kHsAnyStream, keys, "live", "other").verdict == V::kValid);
  CHECK(play(kHsAnyStream, keys, "live", "*").verdict == V::kValid);
  CHECK(play(kHsAnyStream, keys, "vod", "cam").verdict == V::kWrongStream);
  CHECK(play(kHsAnyStream, keys, "live/sub", "cam").verdict == V::kWrongStream);
  CHECK(play(kHsAnyStream, keys, "liv", "e/cam").verdict == V::kWrongStream);
  CHECK(play(kHsAnyStream, keys, "", "cam").verdict == V::kWrongStream);
  CHECK(play(kHsAnyStream, keys, "live", "").verdict == V::kWrongStream);
  const TokenCheck app = play(kHsOtherApp, keys);
  CHECK(app.verdict == V::kWrongStream);
  CHECK(app.detail == "token for vod/*, asked live/cam");
  // Apps may hold '/', stream names never do: "live/sub/cam" is app live/sub.
  CHECK(play(kHsNestedApp, keys, "live/sub", "cam").verdict == V::kValid);
  CHECK(play(kHsNestedApp, keys, "live", "sub/cam").verdict == V::kWrongStream);
  CHECK(play(kHsNestedApp, keys, "live", "cam").verdict == V::kWrongStream);
  CHECK(play(kHsNoSlash, keys, "", "cam").verdict == V::kWrongStream);
  CHECK(play(kHsPlay, keys, "live", "cam2").verdict == V::kWrongStream);
  CHECK(play(kHsPlay, keys, "Live", "cam").verdict == V::kWrongStream);
}

TEST_CASE("jwt: claims compare as UTF-8 after unescaping; details escape them") {
  const TokenKeys keys = keys_of(kSecret, "");
  CHECK(play(kHsUnicode, keys, "live", "cam\xc3\xa9\xf0\x9f\x98\x80").verdict == V::kValid);
  CHECK(play(kHsUnicodeRaw, keys, "live", "cam\xc3\xa9").verdict == V::kValid);
  CHECK(play(kHsUnicodeRaw, keys, "live", "came").verdict == V::kWrongStream);
  const TokenCheck nul = play(kHsNullInStream, keys);
  CHECK(nul.verdict == V::kWrongStream);
  CHECK(nul.detail == "token for live/cam\\x00x, asked live/cam");
  const TokenCheck asked = play(kHsPlay, keys, "live", "a\r\nb\"");
  CHECK(asked.detail == "token for live/cam, asked live/a\\x0d\\x0ab\\x22");
  const TokenCheck longer = play(kHsPlay, keys, "live", std::string(500, 'x'));
  CHECK(longer.verdict == V::kWrongStream);
  CHECK(longer.detail.size() < 150);
  CHECK(longer.detail.substr(longer.detail.size() - 3) == "...");
}

TEST_CASE("jwt: exp and nbf") {
  const TokenKeys keys = keys_of(kSecret, "");
  const TokenCheck expired = play(kHsExpired, keys);
  CHECK(expired.verdict == V::kExpired);
  CHECK(expired.detail == "expired 42 s ago");
  CHECK(play(kHsExpired, keys, "live", "cam", kNow - 43).verdict == V::kValid);
  CHECK(play(kHsExpiresNow, keys).detail == "expired 0 s ago");  // now >= exp
  CHECK(play(kHsExpiresNow, keys, "live", "cam", kNow - 1).verdict == V::kValid);
  CHECK(play(kHsPlay, keys, "live", "cam", kExp).verdict == V::kExpired);
  CHECK(play(kHsPlay, keys, "live", "cam", kExp - 1).verdict == V::kValid);
  const TokenCheck early = play(kHsNbfFuture, keys);
  CHECK(early.verdict == V::kNotYetValid);
  CHECK(early.detail == "valid in 30 s");
  CHECK(play(kHsNbfFuture, keys, "live", "cam", kNow + 30).verdict == V::kValid);
  CHECK(play(kHsNbfPast, keys).verdict == V::kValid);  // "iat" and "iss" are ignored
  // Expiry comes before the stream and the action.
  CHECK(publish(kHsExpired, keys, "vod", "x").verdict == V::kExpired);
  CHECK(publish(kHsNbfFuture, keys, "vod", "x").verdict == V::kNotYetValid);
}

TEST_CASE("jwt: NumericDates with a fraction round to the safe side; others are malformed") {
  const TokenKeys keys = keys_of(kSecret, "");
  CHECK(play(kHsExpFraction, keys).verdict == V::kExpired);  // exp now.5: down to now
  CHECK(play(kHsExpFraction, keys, "live", "cam", kNow - 1).verdict == V::kValid);
  CHECK(play(kHsExpFractionLater, keys).verdict == V::kValid);
  CHECK(play(kHsExpFractionLater, keys, "live", "cam", kNow + 1).verdict == V::kExpired);
  const TokenCheck nbf = play(kHsNbfFraction, keys);  // nbf now.25: up to now + 1
  CHECK(nbf.verdict == V::kNotYetValid);
  CHECK(nbf.detail == "valid in 1 s");
  CHECK(play(kHsNbfFraction, keys, "live", "cam", kNow + 1).verdict == V::kValid);
  for (const char* token : {kHsExpExponent, kHsExpString, kHsExpHuge}) {
    const TokenCheck c = play(token, keys);
    CHECK(c.verdict == V::kMalformed);
    CHECK(c.detail == "\"exp\" is not a NumericDate (seconds, no exponent)");
  }
  CHECK(play(kHsExpMax, keys, "live", "cam", INT64_MAX - 1).verdict == V::kExpired);
  CHECK(play(kHsExpMax, keys).verdict == V::kValid);
  CHECK(play(kHsExpNegative, keys).verdict == V::kExpired);  // -5.5: down to -6
  CHECK(play(kHsExpNegative, keys, "live", "cam", INT64_MIN).verdict == V::kValid);
  CHECK(play(kHsExpNegative, keys, "live", "cam", INT64_MAX).detail ==
        "expired 9223372036854775813 s ago");
  CHECK(play(kHsNbfFuture, keys, "live", "cam", INT64_MIN).detail ==
        "valid in 9223372038554775838 s");  // kNow + 30 - INT64_MIN, no overflow
}

TEST_CASE("jwt: claims that are missing, of the wrong type, duplicated or not JSON") {
  const TokenKeys keys = keys_of(kSecret, "");
  const std::pair<const char*, const char*> cases[] = {
      {kHsNoExp, "no \"exp\" claim"},
      {kHsNoStream, "no \"stream\" claim"},
      {kHsNoAct, "no \"act\" claim"},
      {kHsStreamNumber, "\"stream\" is not a string"},
      {kHsDuplicateExp, "claims: JSON: duplicate member name"},
      {kHsEscapedDuplicate, "claims: JSON: duplicate member name"},
      {kHsDuplicateStream, "claims: JSON: duplicate member name"},
      {kHsClaimsNotJson, "claims: JSON: syntax error"},
      {kHsClaimsArray, "claims: JSON: not an object"},
      {kHsClaimsLoneSurrogate, "claims: JSON: unpaired UTF-16 surrogate"},
      {kHsClaimsBadUtf8, "claims: JSON: not UTF-8"},
      {kHsDeep, "claims: JSON: nested too deep"},
  };
  for (const auto& [token, detail] : cases) {
    const TokenCheck c = play(token, keys);
    CHECK(c.verdict == V::kMalformed);
    CHECK(c.detail == detail);
  }
  CHECK(play(kHsNested, keys).verdict == V::kValid);  // other claims, nested, are skipped
}

TEST_CASE("jwt: the header") {
  const TokenKeys keys = keys_of(kSecret, "");
  CHECK(play(kHsTypLower, keys).verdict == V::kValid);
  CHECK(play(kHsTypMime, keys).verdict == V::kValid);  // "kid" is ignored
  CHECK(play(kHsNoTyp, keys).verdict == V::kValid);    // white space, no "typ"
  const std::pair<const char*, const char*> malformed[] = {
      {kHsTypJose, "header: \"typ\" is not \"JWT\""},
      {kHsCrit, "header: \"crit\" names extensions not supported here"},
      {kHsNoAlg, "header: no \"alg\" string"},
      {kHsAlgNumber, "header: no \"alg\" string"},
      {kHsDuplicateAlg, "header: JSON: duplicate member name"},
      {kHsHeaderNotJson, "header: JSON: syntax error"},
  };
  for (const auto& [token, detail] : malformed) {
    const TokenCheck c = play(token, keys);
    CHECK(c.verdict == V::kMalformed);
    CHECK(c.detail == detail);
  }
}

TEST_CASE("jwt: algorithms other than HS256 and RS256, none included") {
  const TokenKeys keys = keys_of(kSecret, kPublicKeyPem);
  const TokenCheck none = play(kAlgNone, keys);  // header.claims. (empty signature)
  CHECK(none.verdict == V::kUnsupportedAlgorithm);
  CHECK(none.detail == "alg \"none\" is not supported");
  CHECK(play(kAlgNoneSigned, keys).verdict == V::kUnsupportedAlgorithm);
  CHECK(play(kHs512, keys).detail == "alg \"HS512\" is not supported");
  CHECK(play(kHsAlgLower, keys).verdict == V::kUnsupportedAlgorithm);
  // An empty signature under HS256 is a bad signature, not a way around it.
  const Cut c = cut(kHsPlay);
  const TokenCheck empty = play(c.header + "." + c.claims + ".", keys);
  CHECK(empty.verdict == V::kBadSignature);
  CHECK(empty.detail == "signature is 0 bytes, HS256 makes 32");
}

TEST_CASE("jwt: each algorithm only with its own key (no algorithm confusion)") {
  const TokenKeys public_only = keys_of("", kPublicKeyPem);
  const TokenKeys secret_only = keys_of(kSecret, "");
  const TokenKeys both = keys_of(kSecret, kPublicKeyPem);
  const TokenCheck hs = play(kHsPlay, public_only);
  CHECK(hs.verdict == V::kUnsupportedAlgorithm);
  CHECK(hs.detail == "alg HS256, but no jwt_secret here");
  const TokenCheck rs = play(kRsPlay, secret_only);
  CHECK(rs.verdict == V::kUnsupportedAlgorithm);
  CHECK(rs.detail == "alg RS256, but no jwt_public_key here");
  // HS256 keyed with the public key's PEM text, the classic confusion.
  CHECK(publish(kHsKeyedWithPublicKey, public_only).verdict == V::kUnsupportedAlgorithm);
  CHECK(publish(kHsKeyedWithPublicKey, both).verdict == V::kBadSignature);
  CHECK(play(kHsPlay, both).verdict == V::kValid);
  CHECK(play(kRsPlay, both).verdict == V::kValid);
  // And the public key can never be configured as the secret.
  TokenKeys keys;
  const std::string why = TokenKeys::make(kPublicKeyPem, "", &keys);
  CHECK(why ==
        "jwt_secret: holds a PEM block; an RSA public key belongs in jwt_public_key (RS256)");
  CHECK(keys.empty());
}

TEST_CASE("jwt: RS256") {
  ERR_clear_error();  // what other tests may have left
  const TokenKeys keys = keys_of("", kPublicKeyPem);
  CHECK(play(kRsPlay, keys).verdict == V::kValid);
  CHECK(publish(kRsPublishAny, keys, "live", "any").verdict == V::kValid);
  CHECK(play(kRsPublishAny, keys, "live", "any").verdict == V::kWrongAction);
  CHECK(play(kRsExpired, keys).detail == "expired 1 s ago");
  const Cut rs = cut(kRsPlay);
  const Cut other = cut(kRsPublishAny);
  const TokenCheck swapped = play(rs.header + "." + other.claims + "." + rs.signature, keys);
  CHECK(swapped.verdict == V::kBadSignature);
  CHECK(swapped.detail == "RS256 signature does not verify with jwt_public_key");
  std::string flipped = rs.signature;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  CHECK(play(rs.header + "." + rs.claims + "." + flipped, keys).verdict == V::kBadSignature);
  const TokenCheck shorter = play(rs.header + "." + rs.claims + "." + rs.signature.substr(4), keys);
  CHECK(shorter.verdict == V::kBadSignature);
  CHECK(shorter.detail == "signature is 253 bytes, the RS256 key makes 256");
  CHECK(play(kRsSmallKey, keys).verdict == V::kBadSignature);  // another (1024-bit) key
  // A refused signature leaves nothing in OpenSSL's error queue, where a
  // TLS connection's next SSL_get_error() would find it.
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("jwt: tampered HS256 tokens") {
  const TokenKeys keys = keys_of(kSecret, "");
  const Cut play_cut = cut(kHsPlay);
  const Cut any = cut(kHsAnyStream);
  const TokenCheck swapped =
      play(play_cut.header + "." + any.claims + "." + play_cut.signature, keys);
  CHECK(swapped.verdict == V::kBadSignature);
  CHECK(swapped.detail == "HS256 signature does not match jwt_secret");
  // Re-encoded claims granting every stream, the signature kept.
  const std::string forged = base64url_encode(
      "{\"stream\":\"live/*\",\"act\":\"publish\",\"exp\":" + std::to_string(kExp) + "}");
  CHECK(publish(play_cut.header + "." + forged + "." + play_cut.signature, keys).verdict ==
        V::kBadSignature);
  // Claims that are not even JSON: the signature is looked at first.
  CHECK(play(play_cut.header + "." + base64url_encode("junk") + "." + play_cut.signature, keys)
            .verdict == V::kBadSignature);
  std::string flipped = play_cut.signature;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  CHECK(play(play_cut.header + "." + play_cut.claims + "." + flipped, keys).verdict ==
        V::kBadSignature);
  CHECK(play(play_cut.header + "." + play_cut.claims + "." + play_cut.signature.substr(0, 40), keys)
            .detail == "signature is 30 bytes, HS256 makes 32");
  const TokenKeys other = keys_of(std::string(kSecret) + "!", "");
  CHECK(play(kHsPlay, other).verdict == V::kBadSignature);
}

TEST_CASE("jwt: no change to any byte, and no truncation, gives a valid token") {
  ERR_clear_error();  // what other tests may have left
  const TokenKeys keys = keys_of(kSecret, kPublicKeyPem);
  for (const std::string_view token : {std::string_view(kHsPlay), std::string_view(kRsPlay)}) {
    REQUIRE(play(token, keys).verdict == V::kValid);
    int valid = 0;
    for (size_t i = 0; i < token.size(); i++) {
      for (char c : {'A', 'Q', 'g', 'w', '-', '_', '.', '=', '+', ' '}) {
        if (token[i] == c) continue;
        std::string changed(token);
        changed[i] = c;
        if (check_token(changed, keys, TokenAction::kPlay, "live", "cam", kNow).verdict ==
            V::kValid)
          valid++;
      }
      if (check_token(token.substr(0, i), keys, TokenAction::kPlay, "live", "cam", kNow).verdict ==
          V::kValid)
        valid++;
    }
    CHECK(valid == 0);
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("jwt: malformed and missing tokens") {
  const TokenKeys keys = keys_of(kSecret, kPublicKeyPem);
  const TokenCheck missing = play("", keys);
  CHECK(missing.verdict == V::kMissing);
  CHECK(missing.detail == "no token");
  const Cut c = cut(kHsPlay);
  const std::pair<std::string, const char*> cases[] = {
      {"a", "not three parts separated by '.'"},
      {"a.b", "not three parts separated by '.'"},
      {std::string(kHsPlay) + ".x", "not three parts separated by '.'"},
      {std::string(kHsPlay) + ".", "not three parts separated by '.'"},
      {"..", "header is empty"},
      {"." + c.claims + "." + c.signature, "header is empty"},
      {c.header + ".." + c.signature, "claims is empty"},
      {c.header + "=." + c.claims + "." + c.signature, "header is not unpadded base64url"},
      {c.header + "." + c.claims + "=." + c.signature, "claims is not unpadded base64url"},
      {c.header + "." + c.claims + "." + c.signature + "=", "signature is not unpadded base64url"},
      {c.header + "." + c.claims + ". " + c.signature, "signature is not unpadded base64url"},
      {c.header + "." + c.claims + "+." + c.signature, "claims is not unpadded base64url"},
      {"Bearer " + std::string(kHsPlay), "header is not unpadded base64url"},
      {base64url_encode("{\"alg\":\"HS256\"}x") + "." + c.claims + "." + c.signature,
       "header: JSON: bytes after the object"},
      {base64url_encode("[\"HS256\"]") + "." + c.claims + "." + c.signature,
       "header: JSON: not an object"},
      {std::string(kMaxTokenBytes + 1, 'A'), "token is 8193 bytes, more than 8192"},
      {std::string(kMaxTokenBytes, 'A'), "not three parts separated by '.'"},
  };
  for (const auto& [token, detail] : cases) {
    const TokenCheck r = play(token, keys);
    CHECK(r.verdict == V::kMalformed);
    CHECK(r.detail == detail);
  }
}

TEST_CASE("jwt: RFC 7515 appendix A.1, an HS256 example from the specification") {
  std::string key;
  REQUIRE(base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
      &key));
  const char* token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const TokenKeys keys = keys_of(key, "");
  // The signature holds; its claims name no stream, so it opens nothing.
  const TokenCheck c = check_token(token, keys, TokenAction::kPlay, "live", "cam", 1300819379);
  CHECK(c.verdict == V::kMalformed);
  CHECK(c.detail == "no \"stream\" claim");
  key[0] ^= 1;
  const TokenKeys wrong = keys_of(key, "");
  CHECK(check_token(token, wrong, TokenAction::kPlay, "live", "cam", 0).verdict ==
        V::kBadSignature);
}

TEST_CASE("jwt: TokenKeys::make checks the configuration") {
  ERR_clear_error();  // what other tests may have left
  TokenKeys keys;
  CHECK(TokenKeys::make("", "", &keys).empty());
  CHECK(keys.empty());
  CHECK(play(kHsPlay, keys).verdict == V::kUnsupportedAlgorithm);
  CHECK(play(kRsPlay, keys).verdict == V::kUnsupportedAlgorithm);

  const std::string short_secret(kMinSecretBytes - 1, 's');
  const std::string why = TokenKeys::make(short_secret, "", &keys);
  CHECK(why == "jwt_secret: 31 bytes, RFC 7518 section 3.2 asks for at least 32 (256 bits)");
  CHECK(TokenKeys::make(std::string(kMinSecretBytes, 's'), "", &keys).empty());
  CHECK(keys.has_secret());
  CHECK(!keys.has_public_key());
  CHECK(TokenKeys::make(std::string(kMaxSecretBytes + 1, 's'), "", &keys) ==
        "jwt_secret: 4097 bytes, more than 4096");
  CHECK(keys.has_secret());  // unchanged by a failure

  const std::pair<const char*, const char*> pems[] = {
      {"hello", "jwt_public_key: not a PEM public key ("},
      {"-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
       "jwt_public_key: not a PEM public key ("},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
       "jwt_public_key: not a PEM public key ("},
      {kSmallPublicKeyPem,
       "jwt_public_key: a 1024-bit RSA key; RFC 7518 section 3.3 asks for 2048 bits or more"},
      {kEcPublicKeyPem, "jwt_public_key: the key type is EC; RS256 needs an RSA key"},
  };
  for (const auto& [pem, start] : pems) {
    const std::string err = TokenKeys::make("", pem, &keys);
    CAPTURE(err);
    CHECK(err.substr(0, std::string_view(start).size()) == start);
    CHECK(keys.has_secret());
  }
  // OpenSSL's reason in the middle varies with its version.
  const std::string hello = TokenKeys::make("", "hello", &keys);
  const std::string_view head = "jwt_public_key: not a PEM public key (";
  const std::string_view tail = "); expected -----BEGIN PUBLIC KEY-----";
  REQUIRE(hello.size() > head.size() + tail.size());
  CHECK(hello.substr(0, head.size()) == head);
  CHECK(hello.substr(hello.size() - tail.size()) == tail);
  CHECK(ERR_peek_error() == 0);
  CHECK(TokenKeys::make("", kPublicKeyPem, &keys).empty());
  CHECK(ERR_peek_error() == 0);
  CHECK(keys.has_public_key());
  CHECK(!keys.has_secret());
  // PKCS #1 ("BEGIN RSA PUBLIC KEY") holds the same key.
  TokenKeys pkcs1;
  CHECK(TokenKeys::make("", kPublicKeyPkcs1Pem, &pkcs1).empty());
  CHECK(play(kRsPlay, pkcs1).verdict == V::kValid);
}

TEST_CASE("jwt: TokenKeys is move-only and moves its key") {
  static_assert(!std::is_copy_constructible_v<TokenKeys>);
  static_assert(!std::is_copy_assignable_v<TokenKeys>);
  static_assert(std::is_nothrow_move_constructible_v<TokenKeys>);
  TokenKeys a = keys_of(kSecret, kPublicKeyPem);
  TokenKeys b(std::move(a));
  CHECK(play(kRsPlay, b).verdict == V::kValid);
  CHECK(play(kHsPlay, b).verdict == V::kValid);
  TokenKeys c;
  c = std::move(b);
  CHECK(play(kRsPlay, c).verdict == V::kValid);
}

TEST_CASE("jwt: every verdict has a text for the log") {
  CHECK(std::string(token_verdict_text(V::kValid)) == "valid");
  CHECK(std::string(token_verdict_text(V::kMissing)) == "no token");
  CHECK(std::string(token_verdict_text(V::kMalformed)) == "malformed token");
  CHECK(std::string(token_verdict_text(V::kUnsupportedAlgorithm)) == "unsupported algorithm");
  CHECK(std::string(token_verdict_text(V::kBadSignature)) == "bad signature");
  CHECK(std::string(token_verdict_text(V::kExpired)) == "expired");
  CHECK(std::string(token_verdict_text(V::kNotYetValid)) == "not yet valid");
  CHECK(std::string(token_verdict_text(V::kWrongStream)) == "wrong stream");
  CHECK(std::string(token_verdict_text(V::kWrongAction)) == "wrong action");
  CHECK(std::string(token_action_text(TokenAction::kPlay)) == "play");
  CHECK(std::string(token_action_text(TokenAction::kPublish)) == "publish");
}
