// base64url without padding (proto/auth/base64url.hpp): the RFC 4648 vectors,
// the URL-safe alphabet, round trips, and every spelling the decoder refuses
// so that a token part has one spelling only.
#include "proto/auth/base64url.hpp"

#include <doctest/doctest.h>

#include <string>

using srs::proto::auth::base64url_decode;
using srs::proto::auth::base64url_encode;

TEST_CASE("base64url: RFC 4648 section 10 vectors, without padding") {
  const char* const cases[][2] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& c : cases) {
    CAPTURE(c[0]);
    CHECK(base64url_encode(c[0]) == c[1]);
    std::string out = "stale";
    REQUIRE(base64url_decode(c[1], &out));
    CHECK(out == c[0]);
  }
}

TEST_CASE("base64url: the URL-safe alphabet (RFC 4648 section 5)") {
  const std::string bytes("\xfb\xff\xbf", 3);
  CHECK(base64url_encode(bytes) == "-_-_");
  std::string out;
  REQUIRE(base64url_decode("-_-_", &out));
  CHECK(out == bytes);
  CHECK(!base64url_decode("+/+/", &out));  // base64, not base64url
  CHECK(out.empty());
}

TEST_CASE("base64url: every byte value and every length round-trips") {
  std::string data;
  for (int i = 0; i < 300; i++) data.push_back(char((i * 151 + 7) & 0xFF));
  for (size_t len = 0; len <= data.size(); len++) {
    const std::string in = data.substr(0, len);
    const std::string enc = base64url_encode(in);
    CHECK(enc.size() == (len * 4 + 2) / 3);
    std::string out;
    REQUIRE(base64url_decode(enc, &out));
    CHECK(out == in);
  }
}

TEST_CASE("base64url: refused spellings") {
  // "Zh", "Zm9" and "Zm-" decode to "f" and "fo" with non-zero unused bits:
  // other spellings of "Zg" and "Zm8".
  for (const char* in : {"Zg==", "Zm8=", "Z", "Zm9vY", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v.", "Zh",
                         "Zm9", "Zm-", "Zm9vYh", "+/+/", "\xc3\xa9\xc3\xa9"}) {
    CAPTURE(in);
    std::string out = "stale";
    CHECK(!base64url_decode(in, &out));
    CHECK(out.empty());
  }
  std::string out;
  CHECK(!base64url_decode(std::string("Zm\0v", 4), &out));
}
