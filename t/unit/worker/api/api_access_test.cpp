// Who may use the API: the allow list and HTTP Basic credentials (RFC 7617).
#include "worker/api/api_access.hpp"

#include <doctest/doctest.h>

using namespace srs;
using namespace srs::worker;

namespace {

std::vector<conf::Cidr> ranges(std::initializer_list<const char*> texts) {
  std::vector<conf::Cidr> out;
  for (const char* t : texts) {
    conf::Cidr c;
    REQUIRE(conf::parse_cidr(t, &c).empty());
    out.push_back(c);
  }
  return out;
}

conf::HttpApiAuth auth(const char* user, const char* pass) {
  return conf::HttpApiAuth{true, user, pass};
}

}  // namespace

TEST_CASE("an empty allow list lets anyone in; otherwise one range must hold the peer") {
  CHECK(address_allowed({}, "203.0.113.9"));
  auto allow = ranges({"10.0.0.0/8", "::1"});
  CHECK(address_allowed(allow, "10.9.8.7"));
  CHECK(address_allowed(allow, "::1"));
  CHECK_FALSE(address_allowed(allow, "127.0.0.1"));
  CHECK_FALSE(address_allowed(allow, ""));
}

TEST_CASE("base64 decodes RFC 4648 test vectors and refuses other text") {
  std::string out;
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"Zg==", "f"},
                                                         {"Zm8=", "fo"},
                                                         {"Zm9v", "foo"},
                                                         {"Zm9vYg==", "foob"},
                                                         {"Zm9vYmE=", "fooba"},
                                                         {"Zm9vYmFy", "foobar"}};
  for (const auto& [in, expected] : vectors) {
    INFO(in);
    REQUIRE(base64_decode(in, &out));
    CHECK(out == expected);
  }
  CHECK_FALSE(base64_decode("Zg=", &out));
  CHECK_FALSE(base64_decode("Z===", &out));
  CHECK_FALSE(base64_decode("Zm9v!A==", &out));
  CHECK_FALSE(base64_decode("Zg==Zg==", &out));  // padding only at the end
}

TEST_CASE("Basic credentials: the right pair passes, anything else does not") {
  conf::HttpApiAuth a = auth("admin", "s3cret:x");  // ':' is allowed in the password
  std::string good = "Basic YWRtaW46czNjcmV0Ong=";  // admin:s3cret:x
  CHECK(credentials_ok(a, good));
  CHECK(credentials_ok(a, "basic   YWRtaW46czNjcmV0Ong="));  // the scheme is case-insensitive
  CHECK_FALSE(credentials_ok(a, ""));
  CHECK_FALSE(credentials_ok(a, "Bearer YWRtaW46czNjcmV0Ong="));
  CHECK_FALSE(credentials_ok(a, "Basic YWRtaW46czNjcmV0"));      // admin:s3cret
  CHECK_FALSE(credentials_ok(a, "Basic YWRtaW46czNjcmV0OnhY"));  // admin:s3cret:xX
  CHECK_FALSE(credentials_ok(a, "Basic YWRtaW4="));              // no ':'
  CHECK_FALSE(credentials_ok(a, "Basic !!!!"));
  CHECK(credentials_ok(conf::HttpApiAuth{}, ""));  // authentication off
  CHECK(basic_challenge().rfind("WWW-Authenticate: Basic realm=", 0) == 0);
}
