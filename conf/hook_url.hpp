// The URL of an HTTP callback (vhosts.NAME.http_hooks.on_*): parsed once when
// the configuration is loaded, so a typo is a configuration error and not a
// rejected publish at three in the morning.
//
//   http://HOST[:PORT][/PATH][?QUERY]     HOST: a name, an IPv4 or [IPv6] literal
//
// https:// is refused for now ("https callbacks are not supported yet").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::conf {

struct HookUrl {
  std::string host;  // without brackets for IPv6
  uint16_t port = 80;
  std::string target;  // "/path?query" as written, "/" when absent
  std::string text;    // the whole URL as written (for logs)
  bool operator==(const HookUrl&) const = default;
};

// Returns an empty string on success, else what is wrong with `text`.
std::string parse_hook_url(std::string_view text, HookUrl* out);

}  // namespace srs::conf
