// A Redis server as the origin cluster's directory names it:
// "redis://host:port/db" (port 6379 and db 0 when left out). The host is an
// IPv4 or IPv6 address ("[::1]") or "localhost": the worker connects without
// a blocking name lookup.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::conf {

struct RedisUrl {
  std::string host;  // numeric (localhost becomes 127.0.0.1)
  uint16_t port = 6379;
  uint32_t db = 0;
  std::string text;  // as written
  bool operator==(const RedisUrl&) const = default;
};

// Empty on success, else what is wrong with `text`.
std::string parse_redis_url(std::string_view text, RedisUrl* out);

}  // namespace srs::conf
