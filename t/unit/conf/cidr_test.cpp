// Allow-list ranges: what the loader accepts and which peers they hold.
#include "conf/cidr.hpp"

#include <doctest/doctest.h>

using namespace srs::conf;

namespace {

Cidr parsed(const char* text) {
  Cidr c;
  std::string message = parse_cidr(text, &c);
  INFO(text, ": ", message);
  REQUIRE(message.empty());
  return c;
}

}  // namespace

TEST_CASE("an IPv4 range holds exactly its addresses") {
  Cidr r = parsed("10.0.0.0/8");
  CHECK(cidr_contains(r, "10.0.0.1"));
  CHECK(cidr_contains(r, "10.255.255.255"));
  CHECK_FALSE(cidr_contains(r, "11.0.0.0"));
  CHECK_FALSE(cidr_contains(r, "127.0.0.1"));
  Cidr odd = parsed("192.168.4.0/22");  // a prefix inside a byte
  CHECK(cidr_contains(odd, "192.168.7.200"));
  CHECK_FALSE(cidr_contains(odd, "192.168.8.1"));
  CHECK_FALSE(cidr_contains(odd, "192.168.3.255"));
}

TEST_CASE("a bare address is a single host; /0 is everyone of that family") {
  Cidr host = parsed("127.0.0.1");
  CHECK(host.prefix == 32);
  CHECK(cidr_contains(host, "127.0.0.1"));
  CHECK_FALSE(cidr_contains(host, "127.0.0.2"));
  Cidr all = parsed("0.0.0.0/0");
  CHECK(cidr_contains(all, "8.8.8.8"));
  CHECK_FALSE(cidr_contains(all, "::1"));
}

TEST_CASE("IPv6 ranges, and IPv4-mapped peers match IPv4 ranges") {
  Cidr r = parsed("fd00::/8");
  CHECK(cidr_contains(r, "fd12:3456::1"));
  CHECK_FALSE(cidr_contains(r, "fe80::1"));
  CHECK_FALSE(cidr_contains(r, "10.0.0.1"));
  CHECK(cidr_contains(parsed("::1"), "::1"));
  CHECK(cidr_contains(parsed("10.0.0.0/8"), "::ffff:10.1.2.3"));
  CHECK_FALSE(cidr_contains(parsed("10.0.0.0/8"), "::ffff:11.1.2.3"));
}

TEST_CASE("bad entries are refused with what was expected") {
  const char* bad[] = {"",           "10.0.0.0/33", "10.0.0.0/", "10.0.0/8",   "host.example",
                       "10.0.0.1/8", "::1/129",     "fd00::/x",  "1.2.3.4/-1", "10.0.0.0/08x"};
  for (const char* text : bad) {
    Cidr c;
    INFO(text);
    CHECK_FALSE(parse_cidr(text, &c).empty());
  }
  Cidr c;
  CHECK(parse_cidr("10.0.0.1/8", &c).find("host bits") != std::string::npos);
}

TEST_CASE("an unparsable peer matches nothing") {
  CHECK_FALSE(cidr_contains(parsed("0.0.0.0/0"), "not-an-ip"));
  CHECK_FALSE(cidr_contains(parsed("0.0.0.0/0"), ""));
}
