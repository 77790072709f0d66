// Parsing the URL of an HTTP callback (see hook_url.hpp). RFC 3986 section 3
// (scheme "://" authority path-abempty ["?" query]), restricted to what an
// HTTP/1.1 client needs: no userinfo, no fragment, no spaces or controls.
#include "conf/hook_url.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace srs::conf {
namespace {

bool bad_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

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

// "host", "host:port", "[v6]", "[v6]:port".
std::string parse_authority(std::string_view a, HookUrl* url) {
  if (a.find('@') != std::string_view::npos) return "user information is not supported";
  std::string_view port;
  if (!a.empty() && a[0] == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return "unterminated '[' in the host";
    url->host = std::string(a.substr(1, close - 1));
    in6_addr v6{};
    if (inet_pton(AF_INET6, url->host.c_str(), &v6) != 1)
      return "bad IPv6 address '" + url->host + "'";
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return "unexpected text after ']'";
    if (!rest.empty()) port = rest.substr(1);
    if (!rest.empty()) return parse_port(port, &url->port);
    return {};
  }
  size_t colon = a.rfind(':');
  url->host = std::string(a.substr(0, colon));
  if (!valid_host_name(url->host)) return "bad host '" + url->host + "'";
  if (colon == std::string_view::npos) return {};
  return parse_port(a.substr(colon + 1), &url->port);
}

}  // namespace

std::string parse_hook_url(std::string_view text, HookUrl* out) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  HookUrl url;
  url.tls = text.substr(0, kHttps.size()) == kHttps;
  if (!url.tls && text.substr(0, kHttp.size()) != kHttp)
    return "expected an http:// or https:// URL";
  url.port = url.default_port();  // RFC 9110 section 4.2.1 (http) and 4.2.2 (https)
  if (std::any_of(text.begin(), text.end(), bad_char))
    return "spaces or control characters in the URL";
  if (text.find('#') != std::string_view::npos)
    return "a fragment ('#') has no meaning in a callback URL";
  std::string_view rest = text.substr(url.tls ? kHttps.size() : kHttp.size());
  size_t slash = std::min(rest.find('/'), rest.find('?'));
  std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return "no host";
  if (std::string problem = parse_authority(authority, &url); !problem.empty()) return problem;
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target[0] == '?') url.target.insert(0, "/");
  url.text = std::string(text);
  *out = std::move(url);
  return {};
}

}  // namespace srs::conf
