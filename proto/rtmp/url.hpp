// RTMP URL rules: tcUrl + stream name -> {schema, host, port, vhost, app, stream, param}.
//
// A copy of SRS's behaviour (srs_discovery_tc_url and SrsRequest::strip, see
// research/srs.md 1.7), because operators' URLs, tokens and vhost tricks were
// written against it:
//   - the legacy "rtmp://ip/app...vhost...V/stream" is read as "?vhost=V";
//   - the FMLE form "rtmp://ip/app?k=v/stream" becomes "rtmp://ip/app/stream?k=v";
//   - "/_definst_" is removed everywhere;
//   - app = dirname of the path without its leading '/' (default "__defaultApp__"),
//     stream = basename; both lose spaces, CR/LF/tabs and surrounding slashes;
//   - param = "?query" (+ "#fragment"), from the tcUrl or the stream name, kept as sent;
//   - vhost = query "vhost=" else "domain=" else the URL host ("__defaultVhost__"
//     in the query means "the host", and a param holding only it is dropped);
//   - port defaults by schema: rtmp 1935, https/rtmps 443, others 80.
// Query pairs are split on '=', ',', "&&", '&' and ';' alike, as SRS does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.hpp"

namespace srs::proto::rtmp {

inline constexpr std::string_view kDefaultVhost = "__defaultVhost__";
inline constexpr std::string_view kDefaultApp = "__defaultApp__";
inline constexpr int kDefaultRtmpPort = 1935;
inline constexpr size_t kMaxStreamName = 256;

struct StreamUrl {
  std::string schema;
  std::string host;
  int port = kDefaultRtmpPort;
  std::string vhost;
  std::string app;
  std::string stream;
  std::string param;  // "?k=v&..." (and "#fragment"), or empty
};

// Parses a tcUrl (from connect) and the stream name of publish/play (empty at
// connect time). Errors (kInvalid): "url: no schema", "url: no host",
// "url: bad port", "url: invalid character" (control characters or spaces).
base::Result<StreamUrl> parse_stream_url(std::string_view tc_url, std::string_view stream);

// What SRS checks before serving: schema, vhost, app and port present, then
// validate_stream_name(). Errors name the missing part.
[[nodiscard]] base::Status validate_stream_url(const StreamUrl& url) noexcept;

// A stream name that is safe as a registry key and as a file name (HLS, DVR):
// not empty, at most kMaxStreamName bytes, no control characters, no '/' or
// '\\', not "." or "..". Errors: "stream name: empty", "stream name: too long",
// "stream name: control character", "stream name: slash", "stream name: dot path".
[[nodiscard]] base::Status validate_stream_name(std::string_view name) noexcept;

// The value of `key` in a query string ("a=1&b=2", an optional leading '?'
// and anything before it ignored), with SRS's splitting; empty when absent.
std::string query_value(std::string_view query, std::string_view key);

// `text` (a URL, a stream name with its parameters, or a query) with the
// value of every `key`= parameter replaced by "***": a token in a log
// line or the API cannot be copied and reused.
std::string redact_param(std::string_view text, std::string_view key = "token");

// "vhost/app/stream", without the vhost when it is the default one.
std::string stream_key(std::string_view vhost, std::string_view app, std::string_view stream);

// The tcUrl a client (edge, forward) sends: schema://vhost-or-host[:port]/app.
std::string make_tc_url(std::string_view schema, std::string_view host, std::string_view vhost,
                        std::string_view app, int port);

}  // namespace srs::proto::rtmp
