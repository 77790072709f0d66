// RequestParser: every split of a request stream gives the same requests,
// pipelining, keep-alive rules, and each malformed or oversized input gets
// its status, with bounded memory.
#include "proto/http/request_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using srs::proto::http::Limits;
using srs::proto::http::ParseResult;
using srs::proto::http::Request;
using srs::proto::http::RequestParser;

namespace {

struct Parsed {
  std::vector<Request> requests;
  int error = 0;
};

// Feeds `input` in pieces cut at `cuts` (ascending offsets) and collects requests.
Parsed parse_split(const std::string& input, const std::vector<size_t>& cuts, Limits limits = {}) {
  Parsed out;
  RequestParser p(limits);
  std::string pending;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t end : ends) {
    pending += input.substr(from, end - from);
    from = end;
    while (!pending.empty()) {
      size_t used = 0;
      ParseResult r =
          p.feed(reinterpret_cast<const uint8_t*>(pending.data()), pending.size(), &used);
      REQUIRE(used <= pending.size());
      pending.erase(0, used);
      if (r == ParseResult::kNeedMore) {
        REQUIRE(pending.empty());
        break;
      }
      if (r == ParseResult::kError) {
        out.error = p.error_status();
        return out;
      }
      out.requests.push_back(p.request());
      p.reset();
    }
  }
  return out;
}

Parsed parse(const std::string& input, Limits limits = {}) {
  return parse_split(input, {}, limits);
}

const std::string kPipeline =
    "GET /live/cam.flv?vhost=a HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t\r\n\r\n"
    "POST /api/v1/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    "HEAD /a.ts HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";

void check_pipeline(const Parsed& p) {
  REQUIRE(p.error == 0);
  REQUIRE(p.requests.size() == 3);
  CHECK(p.requests[0].method == "GET");
  CHECK(p.requests[0].target == "/live/cam.flv?vhost=a");
  CHECK(*p.requests[0].find("host") == "example.com:8080");
  CHECK(p.requests[0].keep_alive);
  CHECK(p.requests[1].method == "POST");
  CHECK(p.requests[1].body == "hello");
  CHECK_FALSE(p.requests[1].keep_alive);
  CHECK(p.requests[2].method == "HEAD");
  CHECK(p.requests[2].version_minor == 0);
  CHECK(p.requests[2].keep_alive);
}

}  // namespace

TEST_CASE("three pipelined requests parse the same at every split position") {
  check_pipeline(parse(kPipeline));
  for (size_t i = 1; i < kPipeline.size(); i++) {
    CAPTURE(i);
    check_pipeline(parse_split(kPipeline, {i}));
  }
  // Byte by byte.
  std::vector<size_t> every;
  for (size_t i = 1; i < kPipeline.size(); i++) every.push_back(i);
  check_pipeline(parse_split(kPipeline, every));
}

TEST_CASE("a request that is not complete yet needs more bytes and holds no error") {
  RequestParser p;
  std::string part = "GET / HTTP/1.1\r\nHost: h\r\n";
  size_t used = 0;
  CHECK(p.feed(reinterpret_cast<const uint8_t*>(part.data()), part.size(), &used) ==
        ParseResult::kNeedMore);
  CHECK(used == part.size());
  CHECK_FALSE(p.idle());
}

TEST_CASE("keep-alive follows RFC 9112 9.3") {
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").requests.at(0).keep_alive);
  CHECK_FALSE(
      parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").requests.at(0).keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").requests.at(0).keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\nConnection: x, Keep-Alive\r\n\r\n").requests.at(0).keep_alive);
}

TEST_CASE("bare LF line ends, empty lines before a request and OWS around values are accepted") {
  Parsed p = parse("\r\n\nGET /x HTTP/1.1\nHost:   h  \n\n");
  REQUIRE(p.requests.size() == 1);
  CHECK(*p.requests[0].find("Host") == "h");
}

TEST_CASE("malformed requests get 400, unsupported ones their own status") {
  struct Case {
    const char* input;
    int status;
  };
  const Case cases[] = {
      {"GET /\r\n\r\n", 400},                                 // no version
      {"GET\r\n\r\n", 400},                                   // no target
      {"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},             // bad method token
      {"GET / HTTP/1.1\r\n\r\n", 400},                        // HTTP/1.1 without Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},  // two Hosts
      {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},            // space before colon
      {"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400},  // obs-fold
      {"GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\rx\r\n\r\n", 400},  // bare CR
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
       400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"GET / HTTX/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n", 413},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CHECK(parse(c.input).error == c.status);
  }
  std::string nul = "GET / HTTP/1.1\r\nHost: hx\r\n\r\n";
  nul[nul.find("hx") + 1] = '\0';
  CHECK(parse(nul).error == 400);
}

TEST_CASE("the head is bounded: 414 for a long request line, 431 for long headers") {
  Limits limits;
  limits.max_head = 256;
  std::string long_line = "GET /" + std::string(300, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n";
  CHECK(parse(long_line, limits).error == 414);
  std::string long_header = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(300, 'b') + "\r\n\r\n";
  CHECK(parse(long_header, limits).error == 431);
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 100; i++) many += "X" + std::to_string(i) + ": v\r\n";
  CHECK(parse(many + "\r\n").error == 431);
  // An endless head stops at the limit whatever the split.
  RequestParser p(limits);
  std::string junk(64, 'x');
  int result = 0;
  for (int i = 0; i < 100 && result == 0; i++) {
    size_t used = 0;
    if (p.feed(reinterpret_cast<const uint8_t*>(junk.data()), junk.size(), &used) ==
        ParseResult::kError)
      result = p.error_status();
  }
  CHECK(result == 414);
}

TEST_CASE("reset readies the parser for the next request") {
  RequestParser p;
  std::string a = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  size_t used = 0;
  REQUIRE(p.feed(reinterpret_cast<const uint8_t*>(a.data()), a.size(), &used) ==
          ParseResult::kDone);
  p.reset();
  CHECK(p.idle());
  CHECK(p.request().headers.empty());
}
