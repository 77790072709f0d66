// The URL of an HTTP callback (vhosts.NAME.http_hooks.on_*): parsed once when
// the configuration is loaded, so a typo is a configuration error and not a
// rejected publish at three in the morning.
//
//   http://HOST[:PORT][/PATH][?QUERY]     HOST: a name, an IPv4 or [IPv6] literal
//   https://HOST[:PORT][/PATH][?QUERY]    the same over TLS (port 443 by default)
//
// The TLS settings of an https URL (verify the certificate? against which
// CAs?) are the vhost's http_hooks.tls_verify and tls_ca_file: the loader
// copies them into each URL, so that the URL alone says how to reach it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::conf {

struct HookUrl {
  std::string host;    // without brackets for IPv6
  uint16_t port = 80;  // 443 by default for https://
  std::string target;  // "/path?query" as written, "/" when absent
  std::string text;    // the whole URL as written (for logs)
  bool tls = false;    // https://
  // https only (set by the loader from http_hooks): false accepts any
  // certificate; a non-empty ca_file replaces the system's CAs.
  bool tls_verify = true;
  std::string tls_ca_file;
  // The port this scheme uses when the URL names none (80 or 443).
  uint16_t default_port() const { return tls ? 443 : 80; }
  bool operator==(const HookUrl&) const = default;
};

// Returns an empty string on success, else what is wrong with `text`.
std::string parse_hook_url(std::string_view text, HookUrl* out);

}  // namespace srs::conf
