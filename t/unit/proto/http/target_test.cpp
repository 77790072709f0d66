// Request targets: path normalization (the guard in front of every file),
// percent-decoding, query parameters and Host names.
#include "proto/http/target.hpp"

#include <doctest/doctest.h>

using srs::base::Errc;
using srs::proto::http::host_name;
using srs::proto::http::normalize_path;
using srs::proto::http::percent_decode;
using srs::proto::http::query_param;
using srs::proto::http::split_target;

TEST_CASE("normalize_path: the table") {
  struct Case {
    const char* in;
    const char* out;  // null: refused
    Errc code;
  };
  const Case cases[] = {
      {"/", "/", Errc::kOk},
      {"/live/cam.m3u8", "/live/cam.m3u8", Errc::kOk},
      {"//live///cam.ts", "/live/cam.ts", Errc::kOk},
      {"/a/./b", "/a/b", Errc::kOk},
      {"/a/b/../c", "/a/c", Errc::kOk},
      {"/hls/", "/hls/", Errc::kOk},
      {"/a/b/..", "/a", Errc::kOk},
      {"/%61%62c", "/abc", Errc::kOk},
      {"/a%20b", "/a b", Errc::kOk},
      {"/..", nullptr, Errc::kRejected},
      {"/../etc/passwd", nullptr, Errc::kRejected},
      {"/a/../../etc/passwd", nullptr, Errc::kRejected},
      {"/%2e%2e/etc/passwd", nullptr, Errc::kRejected},
      {"/%2E%2E/%2e%2e/x", nullptr, Errc::kRejected},
      {"/.%2e/x", nullptr, Errc::kRejected},
      {"/a%2f..%2f..%2fx", nullptr, Errc::kRejected},
      {"/a%2F/b", nullptr, Errc::kRejected},
      {"/a\\..\\x", nullptr, Errc::kRejected},
      {"/a%5c..%5cx", nullptr, Errc::kRejected},
      {"/a%00.m3u8", nullptr, Errc::kRejected},
      {"/a%zz", nullptr, Errc::kInvalid},
      {"/a%4", nullptr, Errc::kInvalid},
      {"a/b", nullptr, Errc::kInvalid},
      {"", nullptr, Errc::kInvalid},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    auto r = normalize_path(c.in);
    if (c.out) {
      REQUIRE(r.is_ok());
      CHECK(*r == c.out);
    } else {
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.status().code() == c.code);
    }
  }
  std::string nul = "/a";
  nul.push_back('\0');
  CHECK(normalize_path(nul).status().code() == Errc::kRejected);
}

TEST_CASE("split_target: origin-form and absolute-form") {
  auto t = split_target("/live/cam.flv?vhost=v&x=1#frag");
  REQUIRE(t.is_ok());
  CHECK(t->path == "/live/cam.flv");
  CHECK(t->query == "vhost=v&x=1");
  t = split_target("/a#frag");
  REQUIRE(t.is_ok());
  CHECK(t->path == "/a");
  t = split_target("HTTP://example.com:8080/x/y?q");
  REQUIRE(t.is_ok());
  CHECK(t->path == "/x/y");
  CHECK(t->query == "q");
  t = split_target("http://example.com");
  REQUIRE(t.is_ok());
  CHECK(t->path == "/");
  CHECK_FALSE(split_target("*").is_ok());
  CHECK_FALSE(split_target("x").is_ok());
}

TEST_CASE("percent_decode and query_param") {
  CHECK(percent_decode("a%41+b", false).value() == "aA+b");
  CHECK(percent_decode("a%41+b", true).value() == "aA b");
  CHECK_FALSE(percent_decode("%", false).is_ok());
  CHECK(query_param("a=1&vhost=my%2Evhost&b", "vhost") == "my.vhost");
  CHECK(query_param("vhostx=1", "vhost").empty());
  CHECK(query_param("b&vhost", "vhost").empty());
  CHECK(query_param("", "vhost").empty());
}

TEST_CASE("host_name drops the port and lower-cases") {
  CHECK(host_name("Example.COM:8080") == "example.com");
  CHECK(host_name("example.com") == "example.com");
  CHECK(host_name("[::1]:8080") == "[::1]");
  CHECK(host_name("") == "");
}
