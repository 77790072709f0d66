// URL authorities (see authority.hpp).
#include "conf/authority.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace srs::conf {
namespace {

std::string parse_port(std::string_view text, uint16_t* out) {
  if (text.empty() || text.size() > 5) return "bad port '" + std::string(text) + "'";
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return "bad port '" + std::string(text) + "'";
    v = v * 10 + uint32_t(c - '0');
  }
  if (v == 0 || v > 65535) return "port out of range: " + std::string(text);
  *out = uint16_t(v);
  return {};
}

bool valid_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

}  // namespace

bool bad_url_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

std::string parse_authority(std::string_view a, std::string* host, uint16_t* port) {
  if (a.empty()) return "no host";
  if (a.find('@') != std::string_view::npos) return "user information is not supported";
  if (a[0] == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return "unterminated '[' in the host";
    *host = std::string(a.substr(1, close - 1));
    in6_addr v6{};
    if (inet_pton(AF_INET6, host->c_str(), &v6) != 1) return "bad IPv6 address '" + *host + "'";
    std::string_view rest = a.substr(close + 1);
    if (rest.empty()) return {};
    if (rest[0] != ':') return "unexpected text after ']'";
    return parse_port(rest.substr(1), port);
  }
  size_t colon = a.rfind(':');
  *host = std::string(a.substr(0, colon));
  if (!valid_host_name(*host)) return "bad host '" + *host + "'";
  if (colon == std::string_view::npos) return {};
  return parse_port(a.substr(colon + 1), port);
}

}  // namespace srs::conf
