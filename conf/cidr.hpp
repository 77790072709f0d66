// Address ranges for allow lists (http_api.allow): "10.0.0.0/8",
// "192.168.1.7" (a single host, /32), "2001:db8::/32", "::1" (/128).
// Parsed at load time (conf/loader.cpp) so a bad entry is reported with its
// file:line:column; matched per request by the API (worker/api_access.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::conf {

struct Cidr {
  bool v6 = false;
  uint8_t prefix = 0;     // bits that must match: 0..32 (IPv4) or 0..128 (IPv6)
  uint8_t addr[16] = {};  // network order; IPv4 in the first 4 bytes; host bits zero
  std::string text;       // as written, for messages

  bool operator==(const Cidr& o) const {
    return v6 == o.v6 && prefix == o.prefix &&
           std::string_view((const char*)addr, 16) == std::string_view((const char*)o.addr, 16);
  }
};

// Empty on success, else what was expected (for the loader's message).
std::string parse_cidr(std::string_view text, Cidr* out);

// True when `ip` (a numeric address as the kernel reports a peer: "1.2.3.4",
// "::1", "::ffff:1.2.3.4") is inside `range`. An IPv4-mapped IPv6 peer
// matches IPv4 ranges. An unparsable `ip` matches nothing.
bool cidr_contains(const Cidr& range, std::string_view ip);

}  // namespace srs::conf
