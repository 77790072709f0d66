// Listening addresses (the Endpoint struct is in config.hpp): parsing from
// the configuration's text, and when two of them cannot both be bound.
#pragma once

#include <string>
#include <string_view>

#include "conf/config.hpp"

namespace srs::conf {

// "1935" (every address), "127.0.0.1:1935", "[::1]:1935". The host must be a
// numeric address (checked with inet_pton; no name lookups at load time) and
// is stored in its canonical form ("[::0001]:80" -> host "::1"). Returns an
// empty string on success, else what was expected.
std::string parse_endpoint(std::string_view text, Endpoint* out);

// True when binding both would collide: same port, and the address sets
// intersect. A port-only endpoint is every address (0.0.0.0 and [::]); the
// IPv4 any-address covers every IPv4 address, [::] every IPv6 one; IPv4 and
// IPv6 hosts never collide (the master binds IPv6 sockets IPv6-only).
bool endpoints_overlap(const Endpoint& a, const Endpoint& b);

}  // namespace srs::conf
