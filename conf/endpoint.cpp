// Listening addresses: parsing, printing, overlap (see endpoint.hpp).
#include "conf/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "conf/scalar.hpp"

namespace srs::conf {
namespace {

constexpr char kExpected[] =
    "expected a port (1..65535), \"host:port\" or \"[ipv6]:port\" with a numeric host";

enum class Family { kAny, kV4, kV6 };

struct Address {
  Family family = Family::kAny;
  unsigned char bytes[16] = {};
  bool any() const {
    static const unsigned char kZero[16] = {};
    return family == Family::kAny || std::memcmp(bytes, kZero, sizeof bytes) == 0;
  }
};

Address address_of(const std::string& host) {
  Address a;
  if (host.empty()) return a;
  if (inet_pton(AF_INET, host.c_str(), a.bytes) == 1) {
    a.family = Family::kV4;
  } else if (inet_pton(AF_INET6, host.c_str(), a.bytes) == 1) {
    a.family = Family::kV6;
  }
  return a;
}

// The canonical text of a numeric host, or empty when it is not one.
std::string canonical_host(const std::string& host, int family) {
  unsigned char buf[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(family, host.c_str(), buf) != 1) return {};
  if (inet_ntop(family, buf, text, sizeof text) == nullptr) return {};
  return text;
}

std::string parse_port(std::string_view text, uint16_t* port) {
  uint64_t v = 0;
  std::string problem = parse_integer(text, 1, 65535, &v);
  if (!problem.empty()) return "port: " + problem;
  *port = static_cast<uint16_t>(v);
  return {};
}

// "[v6]:port".
std::string parse_bracketed(std::string_view text, Endpoint* out) {
  size_t close = text.find(']');
  if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
    return std::string(kExpected) + ", got '" + std::string(text) + "'";
  }
  std::string host(text.substr(1, close - 1));
  std::string canonical = canonical_host(host, AF_INET6);
  if (canonical.empty()) return "expected a numeric IPv6 address in brackets, got '" + host + "'";
  Endpoint e{canonical, 0};
  std::string problem = parse_port(text.substr(close + 2), &e.port);
  if (!problem.empty()) return problem;
  *out = e;
  return {};
}

}  // namespace

std::string Endpoint::to_string() const {
  if (host.empty()) return std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string parse_endpoint(std::string_view text, Endpoint* out) {
  if (text.empty()) return std::string(kExpected) + ", got an empty value";
  if (text.front() == '[') return parse_bracketed(text, out);
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    Endpoint e;
    std::string problem = parse_port(text, &e.port);
    if (!problem.empty()) return std::string(kExpected) + ", got '" + std::string(text) + "'";
    *out = e;
    return {};
  }
  std::string host(text.substr(0, colon));
  if (host.find(':') != std::string::npos) {
    return "write an IPv6 address in brackets, such as \"[::1]:1935\", got '" + std::string(text) +
           "'";
  }
  std::string canonical = canonical_host(host, AF_INET);
  if (canonical.empty()) {
    return "expected a numeric IPv4 or IPv6 address as the host, got '" + host + "'";
  }
  Endpoint e{canonical, 0};
  std::string problem = parse_port(text.substr(colon + 1), &e.port);
  if (!problem.empty()) return problem;
  *out = e;
  return {};
}

bool endpoints_overlap(const Endpoint& a, const Endpoint& b) {
  if (a.port != b.port) return false;
  Address x = address_of(a.host);
  Address y = address_of(b.host);
  if (x.family == Family::kAny || y.family == Family::kAny) return true;
  if (x.family != y.family) return false;
  if (x.any() || y.any()) return true;
  return std::memcmp(x.bytes, y.bytes, sizeof x.bytes) == 0;
}

}  // namespace srs::conf
