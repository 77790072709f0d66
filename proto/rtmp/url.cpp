// RTMP URL rules, a copy of SRS's srs_discovery_tc_url and SrsRequest::strip.
#include "proto/rtmp/url.hpp"

#include <vector>

namespace srs::proto::rtmp {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kNoSchema = Status::fail(Errc::kInvalid, "url: no schema");
constexpr Status kNoHost = Status::fail(Errc::kInvalid, "url: no host");
constexpr Status kBadPort = Status::fail(Errc::kInvalid, "url: bad port");
constexpr Status kBadChar = Status::fail(Errc::kInvalid, "url: invalid character");

struct Uri {
  std::string schema, host, path, query, fragment;
  int port = 0;
};

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

int default_port(std::string_view schema) {
  if (schema == "rtmp") return kDefaultRtmpPort;
  if (schema == "https" || schema == "rtmps") return 443;
  return 80;
}

Status parse_port(std::string_view digits, int& port) {
  port = 0;
  if (digits.size() > 5) return kBadPort;
  for (char c : digits) {
    if (c < '0' || c > '9') return kBadPort;
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return kBadPort;
  return Status::ok();
}

// host[:port] or [v6]:port, after dropping any user:password@.
Status parse_authority(std::string_view auth, Uri& uri) {
  if (size_t at = auth.rfind('@'); at != std::string_view::npos) auth.remove_prefix(at + 1);
  std::string_view port;
  if (!auth.empty() && auth[0] == '[') {
    size_t close = auth.find(']');
    if (close == std::string_view::npos) return kNoHost;
    uri.host = auth.substr(1, close - 1);
    std::string_view rest = auth.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return kBadPort;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    size_t colon = auth.find(':');
    uri.host = auth.substr(0, colon);
    if (colon != std::string_view::npos) port = auth.substr(colon + 1);
  }
  if (uri.host.empty()) return kNoHost;
  if (Status st = parse_port(port, uri.port); !st.is_ok()) return st;
  if (uri.port <= 0) uri.port = default_port(uri.schema);
  return Status::ok();
}

// schema://authority/path?query#fragment (the subset of RFC 3986 SRS accepts).
Status parse_uri(std::string_view url, Uri& uri) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return kBadChar;
  }
  size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return kNoSchema;
  uri.schema = url.substr(0, sep);
  std::string_view rest = url.substr(sep + 3);
  size_t auth_end = rest.find_first_of("/?#");
  if (Status st = parse_authority(rest.substr(0, auth_end), uri); !st.is_ok()) return st;
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    uri.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    uri.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  uri.path = rest;
  return Status::ok();
}

// srs_path_basename / srs_path_dirname.
std::string basename_of(const std::string& path) {
  size_t pos = path.rfind('/');
  if (pos == std::string::npos || path.size() == 1) return path;
  return path.substr(pos + 1);
}

std::string dirname_of(const std::string& path) {
  size_t pos = path.rfind('/');
  if (pos == std::string::npos) return "./";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

// srs_string_split with the query separators: the earliest separator wins,
// and among separators at one position the first in this list.
std::vector<std::string> split_query(std::string_view q) {
  static constexpr std::string_view kSeparators[] = {"=", ",", "&&", "&", ";"};
  std::vector<std::string> out;
  while (true) {
    size_t best = std::string_view::npos;
    size_t best_len = 0;
    for (std::string_view sep : kSeparators) {
      size_t pos = q.find(sep);
      if (pos != std::string_view::npos && (best == std::string_view::npos || pos < best)) {
        best = pos;
        best_len = sep.size();
      }
    }
    if (best == std::string_view::npos) break;
    out.emplace_back(q.substr(0, best));
    q.remove_prefix(best + best_len);
  }
  if (!q.empty()) out.emplace_back(q);
  return out;
}

// SrsRequest::strip: drop characters that must never reach names and paths.
std::string remove_chars(std::string_view s, std::string_view chars) {
  std::string out;
  for (char c : s) {
    if (chars.find(c) == std::string_view::npos) out += c;
  }
  return out;
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  size_t start = s.find_first_not_of('/');
  return start == std::string::npos ? std::string() : s.substr(start);
}

// The standard form rtmp://ip/app/app2/stream?k=v from tcUrl and stream name.
std::string full_url(std::string_view tc_url, std::string_view stream) {
  std::string url(tc_url);
  if (stream.empty() || stream[0] != '/') url += '/';
  url += stream;
  replace_all(url, "...vhost...", "?vhost=");  // the legacy vhost-in-app form
  // FMLE: rtmp://ip/app/app2?k=v/stream (or #k=v) -> rtmp://ip/app/app2/stream?k=v
  size_t pos_query = url.find_first_of("?#");
  size_t pos_rslash = url.rfind('/');
  if (pos_rslash != std::string::npos && pos_query != std::string::npos && pos_query < pos_rslash) {
    url = url.substr(0, pos_query) + url.substr(pos_rslash) +
          url.substr(pos_query, pos_rslash - pos_query);
  }
  replace_all(url, "/_definst_", "");
  return url;
}

}  // namespace

std::string redact_param(std::string_view text, std::string_view key) {
  std::string out(text);
  const std::string needle = std::string(key) + "=";
  size_t at = 0;
  while ((at = out.find(needle, at)) != std::string::npos) {
    const bool starts = at > 0 && (out[at - 1] == '?' || out[at - 1] == '&');
    at += needle.size();
    if (!starts) continue;
    size_t end = out.find_first_of("&#", at);
    if (end == std::string::npos) end = out.size();
    out.replace(at, end - at, "***");
    at += 3;
  }
  return out;
}

std::string query_value(std::string_view query, std::string_view key) {
  if (size_t q = query.find('?'); q != std::string_view::npos) query.remove_prefix(q + 1);
  std::vector<std::string> kvs = split_query(query);
  std::string value;  // the last pair wins, as with SRS's std::map assignment
  for (size_t i = 0; i < kvs.size(); i += 2) {
    if (kvs[i] == key) value = i + 1 < kvs.size() ? kvs[i + 1] : std::string();
  }
  return value;
}

Result<StreamUrl> parse_stream_url(std::string_view tc_url, std::string_view stream) {
  Uri uri;
  if (Status st = parse_uri(full_url(tc_url, stream), uri); !st.is_ok()) return st;
  StreamUrl out;
  out.schema = uri.schema;
  out.host = uri.host;
  out.port = uri.port;
  out.stream = basename_of(uri.path);
  if (!uri.query.empty()) out.param = "?" + uri.query;
  if (!uri.fragment.empty()) out.param += "#" + uri.fragment;
  out.app = dirname_of(uri.path);
  if (!out.app.empty() && out.app[0] == '/') out.app.erase(0, 1);
  if (out.app.empty()) out.app = kDefaultApp;

  std::string vhost_in_query = query_value(uri.query, "vhost");
  if (vhost_in_query.empty()) vhost_in_query = query_value(uri.query, "domain");
  if (!vhost_in_query.empty() && vhost_in_query != kDefaultVhost) out.vhost = vhost_in_query;
  if (out.vhost.empty()) out.vhost = out.host;
  // Only one param, the default vhost: drop it.
  if (out.param.find('&') == std::string::npos && vhost_in_query == kDefaultVhost) {
    out.param.clear();
  }

  // SrsRequest::strip.
  out.host = remove_chars(out.host, "/ \n\r\t");
  out.vhost = remove_chars(out.vhost, "/ \n\r\t");
  out.app = trim_slashes(remove_chars(out.app, " \n\r\t"));
  out.stream = trim_slashes(remove_chars(out.stream, " \n\r\t"));
  return out;
}

Status validate_stream_url(const StreamUrl& url) noexcept {
  if (url.schema.empty()) return kNoSchema;
  if (url.vhost.empty()) return Status::fail(Errc::kInvalid, "url: no vhost");
  if (url.app.empty()) return Status::fail(Errc::kInvalid, "url: no app");
  if (url.port <= 0) return kBadPort;
  return validate_stream_name(url.stream);
}

Status validate_stream_name(std::string_view name) noexcept {
  if (name.empty()) return Status::fail(Errc::kInvalid, "stream name: empty");
  if (name.size() > kMaxStreamName) return Status::fail(Errc::kTooLarge, "stream name: too long");
  if (name == "." || name == "..") return Status::fail(Errc::kInvalid, "stream name: dot path");
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F)
      return Status::fail(Errc::kInvalid, "stream name: control character");
    if (c == '/' || c == '\\') return Status::fail(Errc::kInvalid, "stream name: slash");
  }
  return Status::ok();
}

std::string stream_key(std::string_view vhost, std::string_view app, std::string_view stream) {
  std::string key;
  if (vhost != kDefaultVhost) key += vhost;
  key += '/';
  key += app;
  key += '/';
  key += stream;
  return key;
}

std::string make_tc_url(std::string_view schema, std::string_view host, std::string_view vhost,
                        std::string_view app, int port) {
  std::string url(schema);
  url += "://";
  if (vhost == kDefaultVhost) {
    url += host.empty() ? kDefaultVhost : host;
  } else {
    url += vhost;
  }
  if (port != 0 && port != kDefaultRtmpPort) url += ":" + std::to_string(port);
  url += '/';
  url += app;
  return url;
}

}  // namespace srs::proto::rtmp
