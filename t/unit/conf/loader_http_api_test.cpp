// The loader's http_api.auth and http_api.allow keys (conf/loader.cpp): what
// they accept and the errors, with file:line:column, for what they do not.
#include <doctest/doctest.h>

#include <string>

#include "conf/config.hpp"

using namespace srs::conf;

TEST_CASE("http_api.auth and http_api.allow load") {
  LoadResult r = load_text(
      "http_api:\n"
      "  auth: {enabled: true, username: admin, password: \"p:w\"}\n"
      "  allow: [10.0.0.0/8, \"::1\", 192.168.1.7]\n",
      "test.yaml");
  INFO(r.error_text());
  REQUIRE(r.ok());
  const HttpApiConfig& api = r.config->http_api;
  CHECK(api.auth.enabled);
  CHECK(api.auth.username == "admin");
  CHECK(api.auth.password == "p:w");
  REQUIRE(api.allow.size() == 3);
  CHECK(cidr_contains(api.allow[0], "10.2.3.4"));
  CHECK(cidr_contains(api.allow[1], "::1"));
  CHECK(api.allow[2].prefix == 32);
}

TEST_CASE("auth enabled without a username or a password is an error at `enabled`") {
  LoadResult r =
      load_text("http_api:\n  auth:\n    enabled: true\n    username: admin\n", "test.yaml");
  INFO(r.error_text());
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].column == 14);
  CHECK(r.errors[0].path == "http_api.auth.enabled");
  CHECK(r.errors[0].message.find("username and a password") != std::string::npos);
  CHECK(load_text("http_api:\n  auth: {enabled: false}\n", "test.yaml").ok());
}

TEST_CASE("a bad allow entry is reported where it is written") {
  LoadResult r =
      load_text("http_api:\n  allow:\n    - 10.0.0.0/8\n    - 10.0.0.300\n", "test.yaml");
  INFO(r.error_text());
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 4);
  CHECK(r.errors[0].column == 7);
  CHECK(r.errors[0].path == "http_api.allow[1]");
  LoadResult scalar = load_text("http_api:\n  allow: 10.0.0.0/8\n", "test.yaml");
  CHECK_FALSE(scalar.ok());
}
