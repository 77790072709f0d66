// Parsing redis:// URLs (see redis_url.hpp).
#include "conf/redis_url.hpp"

#include <arpa/inet.h>

#include "conf/scalar.hpp"

namespace srs::conf {
namespace {

bool numeric_host(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string parse_redis_url(std::string_view text, RedisUrl* out) {
  const std::string expected =
      "expected redis://host[:port][/db] with a numeric host or "
      "localhost, got '" +
      std::string(text) + "'";
  constexpr std::string_view kScheme = "redis://";
  if (text.substr(0, kScheme.size()) != kScheme) return expected;
  std::string_view rest = text.substr(kScheme.size());
  std::string_view path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  RedisUrl url;
  url.text = std::string(text);
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return expected;
    url.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return expected;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    size_t colon = rest.find(':');
    url.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (url.host == "localhost") url.host = "127.0.0.1";
  if (url.host.empty() || !numeric_host(url.host)) return expected;
  uint64_t n = 0;
  if (!port.empty()) {
    if (!parse_integer(port, 1, 65535, &n).empty()) return expected;
    url.port = uint16_t(n);
  }
  if (!path.empty()) {
    if (!parse_integer(path, 0, 1023, &n).empty()) return expected;
    url.db = uint32_t(n);
  }
  *out = std::move(url);
  return {};
}

}  // namespace srs::conf
