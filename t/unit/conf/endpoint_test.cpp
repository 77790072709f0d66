// Endpoints: the forms a user may write, their canonical text, and which
// pairs cannot both be bound.
#include "conf/endpoint.hpp"

#include <doctest/doctest.h>

using namespace srs::conf;

namespace {

Endpoint parsed(const char* text) {
  Endpoint e{"unset", 1};
  std::string problem = parse_endpoint(text, &e);
  INFO(text, " -> ", problem);
  CHECK(problem.empty());
  return e;
}

std::string problem_of(const char* text) {
  Endpoint e{"unset", 1};
  std::string problem = parse_endpoint(text, &e);
  CHECK(e == Endpoint{"unset", 1});
  return problem;
}

}  // namespace

TEST_CASE("endpoint forms and to_string round-trip") {
  CHECK(parsed("1935") == Endpoint{"", 1935});
  CHECK(parsed("127.0.0.1:1935") == Endpoint{"127.0.0.1", 1935});
  CHECK(parsed("[::1]:1935") == Endpoint{"::1", 1935});
  CHECK(parsed("[0:0::0001]:80") == Endpoint{"::1", 80});
  CHECK(parsed("0.0.0.0:65535") == Endpoint{"0.0.0.0", 65535});
  CHECK(parsed("1") == Endpoint{"", 1});
  for (const char* text :
       {"1935", "127.0.0.1:1935", "[::1]:1935", "[fe80::1]:8080", "0.0.0.0:80"}) {
    CAPTURE(text);
    CHECK(parsed(text).to_string() == text);
  }
  CHECK(Endpoint{"", 8080}.to_string() == "8080");
  CHECK(Endpoint{"10.1.2.3", 1985}.to_string() == "10.1.2.3:1985");
  CHECK(Endpoint{"2001:db8::2", 1935}.to_string() == "[2001:db8::2]:1935");
}

TEST_CASE("endpoint errors say what is wrong") {
  CHECK(problem_of("0").find("port") != std::string::npos);
  CHECK(problem_of("65536").find("got '65536'") != std::string::npos);
  CHECK(problem_of("").find("empty") != std::string::npos);
  CHECK(problem_of("localhost:1935") ==
        "expected a numeric IPv4 or IPv6 address as the host, got 'localhost'");
  CHECK(problem_of("1.2.3:80").find("numeric") != std::string::npos);
  CHECK(problem_of("::1:1935").find("in brackets") != std::string::npos);
  CHECK(problem_of("[::1]").find("[ipv6]:port") != std::string::npos);
  CHECK(problem_of("[::1]1935").find("[ipv6]:port") != std::string::npos);
  CHECK(problem_of("[1.2.3.4]:80").find("IPv6") != std::string::npos);
  CHECK(problem_of("127.0.0.1:0") == "port: expected an integer in 1..65535, got 0");
  CHECK(problem_of("127.0.0.1:") == "port: expected an integer in 1..65535, got ''");
  CHECK(problem_of("127.0.0.1:http").find("got 'http'") != std::string::npos);
}

TEST_CASE("which endpoints overlap") {
  auto overlap = [](const char* a, const char* b) {
    return endpoints_overlap(parsed(a), parsed(b));
  };
  CHECK(overlap("1935", "1935"));
  CHECK(overlap("1935", "0.0.0.0:1935"));
  CHECK(overlap("1935", "127.0.0.1:1935"));
  CHECK(overlap("1935", "[::1]:1935"));
  CHECK(overlap("0.0.0.0:1935", "127.0.0.1:1935"));
  CHECK(overlap("[::]:1935", "[::1]:1935"));
  CHECK(overlap("127.0.0.1:1935", "127.0.0.1:1935"));
  CHECK_FALSE(overlap("1935", "1936"));
  CHECK_FALSE(overlap("127.0.0.1:1935", "127.0.0.2:1935"));
  CHECK_FALSE(overlap("0.0.0.0:1935", "[::]:1935"));  // IPv6 sockets are IPv6-only
  CHECK_FALSE(overlap("127.0.0.1:1935", "[::1]:1935"));
}
