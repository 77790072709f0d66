// The complex handshake's digests against vectors computed independently
// with Python's hmac/hashlib (see the values' comments).
#include "proto/rtmp/handshake_digest.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <string>

using namespace srs::proto::rtmp;

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

std::array<uint8_t, kHandshakeSize> pattern(int mul, int add) {
  std::array<uint8_t, kHandshakeSize> b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * mul + add);
  return b;
}

}  // namespace

TEST_CASE("the key texts are the 30- and 36-byte Adobe strings with a shared 32-byte tail") {
  CHECK(std::string(reinterpret_cast<const char*>(kFpKey), kFpKeyTextSize) ==
        "Genuine Adobe Flash Player 001");
  CHECK(std::string(reinterpret_cast<const char*>(kFmsKey), kFmsKeyTextSize) ==
        "Genuine Adobe Flash Media Server 001");
  CHECK(std::memcmp(kFpKey + kFpKeyTextSize, kFmsKey + kFmsKeyTextSize, 32) == 0);
}

TEST_CASE("digest offsets and block digests match python hmac for both schemas") {
  // python3: blk = bytes((i*7+3) & 0xff for i in range(1536));
  //   off = base + 4 + sum(blk[base:base+4]) % 728
  //   hmac.new(b"Genuine Adobe Flash Player 001", blk[:off] + blk[off+32:], sha256)
  auto blk = pattern(7, 3);
  CHECK(digest_offset(blk.data(), DigestSchema::kBase8) == 290);
  CHECK(digest_offset(blk.data(), DigestSchema::kBase772) == 942);
  uint8_t d[kDigestSize];
  REQUIRE(block_digest(blk.data(), DigestSchema::kBase8, kFpKey, kFpKeyTextSize, d));
  CHECK(hex(d, 32) == "36d27b365b84e5e55f376e2f24f3a7dd6b8b5e9b002f035f99366c07e43b8d41");
  REQUIRE(block_digest(blk.data(), DigestSchema::kBase772, kFpKey, kFpKeyTextSize, d));
  CHECK(hex(d, 32) == "492c04ebd265e6343c4c12f5580a46399bec2724821f27f321b95ca75b63b318");
}

TEST_CASE("S2 and C2 responses match python hmac with the 68- and 62-byte keys") {
  // python3: k = hmac.new(FMS_TEXT + TAIL, bytes(range(32)), sha256).digest();
  //   hmac.new(k, bytes((i*13+1) & 255 for i in range(1536))[:1504], sha256)
  uint8_t peer[kDigestSize];
  for (int i = 0; i < 32; ++i) peer[i] = static_cast<uint8_t>(i);
  auto s2 = pattern(13, 1);
  REQUIRE(sign_response(peer, kFmsKey, kFmsKeySize, s2.data()));
  CHECK(hex(s2.data() + 1504, 32) ==
        "454937fbf6365998aec66cb44c2c0ff9ced7b848d46866a9d2e920e89f8c2afb");
  CHECK(verify_response(peer, kFmsKey, kFmsKeySize, s2.data()));
  auto c2 = pattern(13, 1);
  REQUIRE(sign_response(peer, kFpKey, kFpKeySize, c2.data()));
  CHECK(hex(c2.data() + 1504, 32) ==
        "dcafd31c5c8fc345ede0407b867841841c7a2bcec91fdcf12b877b8bf9fb23c0");
  c2[3] ^= 1;
  CHECK_FALSE(verify_response(peer, kFpKey, kFpKeySize, c2.data()));
}

TEST_CASE("find_digest finds a signed block in its own schema and nothing in a plain one") {
  for (DigestSchema schema : {DigestSchema::kBase8, DigestSchema::kBase772}) {
    auto blk = pattern(31, 5);
    CHECK(find_digest(blk.data(), kFpKey, kFpKeyTextSize) == DigestSchema::kNone);
    REQUIRE(sign_block(blk.data(), schema, kFpKey, kFpKeyTextSize));
    CHECK(find_digest(blk.data(), kFpKey, kFpKeyTextSize) == schema);
    CHECK(find_digest(blk.data(), kFmsKey, kFmsKeyTextSize) == DigestSchema::kNone);
  }
}
