// An RTMP server address in the configuration (vhosts.NAME.forward.
// destinations; the edge's cluster.origins next), parsed once at load, so a
// typo is a configuration error and not a silent forward that never starts:
//
//   HOST[:PORT]                          the stream's own app and name there
//   rtmp://HOST[:PORT]                   the same
//   rtmp://HOST[:PORT]/APP               the stream's own name in APP
//   rtmp://HOST[:PORT]/APP/STREAM[?Q]    exactly this (STREAM may hold '/')
//
// HOST: a name, an IPv4 or [IPv6] literal; PORT: 1935 when absent. APP,
// STREAM and Q may use the templates [vhost] [app] [stream] [param] (the
// publisher's query string with its '?', or nothing); worker/forward
// expands them per stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::conf {

struct RtmpUrl {
  std::string host;      // without brackets for IPv6
  uint16_t port = 1935;  // RTMP's registered port
  std::string app;       // empty: the stream's own app
  std::string stream;    // empty: the stream's own name (and parameters)
  std::string query;     // after '?', without it; only with a stream
  std::string text;      // as written (for logs)
  bool operator==(const RtmpUrl&) const = default;
};

// Returns an empty string on success, else what is wrong with `text`.
std::string parse_rtmp_url(std::string_view text, RtmpUrl* out);

}  // namespace srs::conf
