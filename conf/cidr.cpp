// Address ranges (see cidr.hpp).
#include "conf/cidr.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace srs::conf {
namespace {

// inet_pton wants a NUL-terminated string; addresses are short.
bool parse_address(std::string_view text, bool* v6, uint8_t out[16]) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::memset(out, 0, 16);
  *v6 = text.find(':') != std::string_view::npos;
  return inet_pton(*v6 ? AF_INET6 : AF_INET, buf, out) == 1;
}

// "::ffff:a.b.c.d" (RFC 4291 2.5.5.2) -> the IPv4 address a.b.c.d.
void unmap_v4(bool* v6, uint8_t addr[16]) {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!*v6 || std::memcmp(addr, kMapped, 12) != 0) return;
  std::memmove(addr, addr + 12, 4);
  std::memset(addr + 4, 0, 12);
  *v6 = false;
}

bool prefix_equal(const uint8_t* a, const uint8_t* b, unsigned bits) {
  unsigned whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = uint8_t(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

bool parse_prefix(std::string_view text, unsigned max, unsigned* out) {
  if (text.empty() || text.size() > 3) return false;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + unsigned(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

}  // namespace

std::string parse_cidr(std::string_view text, Cidr* out) {
  const std::string expected =
      "expected an IP address or a CIDR range such as 10.0.0.0/8 or "
      "fd00::/8, got '" +
      std::string(text) + "'";
  size_t slash = text.find('/');
  Cidr c;
  if (!parse_address(text.substr(0, slash), &c.v6, c.addr)) return expected;
  unsigned max = c.v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos && !parse_prefix(text.substr(slash + 1), max, &prefix)) {
    return expected;
  }
  // The host bits must be zero: "10.1.2.3/8" is probably a typo for a host.
  uint8_t net[16] = {};
  std::memcpy(net, c.addr, 16);
  for (unsigned bit = prefix; bit < max; ++bit) net[bit / 8] &= uint8_t(~(0x80 >> (bit % 8)));
  if (std::memcmp(net, c.addr, 16) != 0) {
    return "expected a network address with the host bits zero, got '" + std::string(text) + "'";
  }
  c.prefix = uint8_t(prefix);
  c.text = std::string(text);
  *out = std::move(c);
  return {};
}

bool cidr_contains(const Cidr& range, std::string_view ip) {
  bool v6 = false;
  uint8_t addr[16];
  if (!parse_address(ip, &v6, addr)) return false;
  unmap_v4(&v6, addr);
  if (v6 != range.v6) return false;
  return prefix_equal(addr, range.addr, range.prefix);
}

}  // namespace srs::conf
