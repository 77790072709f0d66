// Request targets, paths and queries (see target.hpp).
#include "proto/http/target.hpp"

#include <vector>

namespace srs::proto::http {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

base::Result<Target> split_target(std::string_view target) noexcept {
  // RFC 9112 3.2.2 absolute-form: a server MUST accept it.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size()) continue;
    bool match = true;
    for (size_t i = 0; i < scheme.size() && match; i++) {
      char c = target[i];
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
      match = c == scheme[i];
    }
    if (!match) continue;
    target.remove_prefix(scheme.size());
    size_t slash = target.find_first_of("/?#");
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    if (target.front() != '/') return Target{"/", target.front() == '?' ? target.substr(1) : ""};
    break;
  }
  if (target.empty() || target.front() != '/') {
    return base::Status::fail(base::Errc::kInvalid, "request target is not a path");
  }
  target = target.substr(0, target.find('#'));
  size_t q = target.find('?');
  if (q == std::string_view::npos) return Target{target, {}};
  return Target{target.substr(0, q), target.substr(q + 1)};
}

base::Result<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
      continue;
    }
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= in.size()) return base::Status::fail(base::Errc::kInvalid, "truncated %-escape");
    int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return base::Status::fail(base::Errc::kInvalid, "bad %-escape");
    out.push_back(char(hi * 16 + lo));
    i += 2;
  }
  return out;
}

base::Result<std::string> normalize_path(std::string_view encoded_path) {
  if (encoded_path.empty() || encoded_path.front() != '/') {
    return base::Status::fail(base::Errc::kInvalid, "path does not start with '/'");
  }
  // An encoded slash or backslash would change the segments after decoding.
  for (size_t i = 0; i + 2 < encoded_path.size(); i++) {
    if (encoded_path[i] != '%') continue;
    std::string_view e = encoded_path.substr(i + 1, 2);
    if (e == "2f" || e == "2F" || e == "5c" || e == "5C") {
      return base::Status::fail(base::Errc::kRejected, "encoded '/' or '\\' in the path");
    }
  }
  base::Result<std::string> decoded = percent_decode(encoded_path, false);
  if (!decoded.is_ok()) return decoded.status();
  std::string_view path(*decoded);
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return base::Status::fail(base::Errc::kRejected, "NUL or '\\' in the path");
  }
  // RFC 3986 5.2.4, on whole segments.
  std::vector<std::string_view> segments;
  bool trailing_slash = path.back() == '/';
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (segments.empty())
        return base::Status::fail(base::Errc::kRejected, "path climbs above the root");
      segments.pop_back();
      continue;
    }
    segments.push_back(seg);
  }
  std::string out;
  for (std::string_view seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (eq == std::string_view::npos) return {};
    base::Result<std::string> v = percent_decode(pair.substr(eq + 1), true);
    return v.is_ok() ? std::move(*v) : std::string();
  }
  return {};
}

std::string host_name(std::string_view host) {
  size_t end = host.size();
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    end = close == std::string_view::npos ? host.size() : close + 1;
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    end = colon;
  }
  std::string out(host.substr(0, end));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

}  // namespace srs::proto::http
