// The request target, taken apart safely (RFC 9112 3.2, RFC 3986): the path
// and query split, percent-decoding, dot-segment removal that never climbs
// above the root, and query parameters.
//
// normalize_path() is the guard in front of every file the server opens:
// its output starts with '/', holds no "." or ".." segment, no empty segment,
// no NUL and no backslash, so root + path stays under root (symbolic links
// are the file server's business: it checks the real path).
#pragma once

#include <string>
#include <string_view>

#include "base/status.hpp"

namespace srs::proto::http {

struct Target {
  std::string_view path;   // still percent-encoded
  std::string_view query;  // without the '?'; empty when absent
};

// Splits an origin-form ("/a/b?x=1") or absolute-form ("http://h:1/a?x")
// target (RFC 9112 3.2.1, 3.2.2); the fragment, if a client sent one, is
// dropped. kInvalid for anything else ("*", "a/b", "http://h" + no path is "/").
[[nodiscard]] base::Result<Target> split_target(std::string_view target) noexcept;

// Decodes %XX escapes (RFC 3986 2.1); `plus_is_space` for query values
// (application/x-www-form-urlencoded). kInvalid on a bad escape.
[[nodiscard]] base::Result<std::string> percent_decode(std::string_view in, bool plus_is_space);

// The decoded, normalized path (RFC 3986 5.2.4 remove_dot_segments, but
// refusing instead of clamping): kInvalid for a bad escape or a path that
// does not start with '/'; kRejected for "..", that climbs above the root,
// an encoded '/' (%2F), a backslash or NUL (raw or encoded). Repeated
// slashes collapse; a trailing slash is kept ("/hls/" -> "/hls/").
[[nodiscard]] base::Result<std::string> normalize_path(std::string_view encoded_path);

// The decoded value of the first parameter `name` in `query`; empty when
// absent or undecodable.
std::string query_param(std::string_view query, std::string_view name);

// The name part of a Host header value: "example.com:8080" -> "example.com",
// "[::1]:8080" -> "[::1]"; lower-cased.
std::string host_name(std::string_view host);

}  // namespace srs::proto::http
