// Incremental HTTP/1.1 request parsing (see request_parser.hpp).
#include "proto/http/request_parser.hpp"

#include <algorithm>
#include <cstring>

namespace srs::proto::http {
namespace {

bool ieq(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// RFC 9110 5.6.2 tchar.
bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 8.6: Content-Length = 1*DIGIT; bounded so it cannot overflow.
bool parse_length(std::string_view s, uint64_t* out) noexcept {
  if (s.empty() || s.size() > 15) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  *out = v;
  return true;
}

// True when the comma-separated list `value` holds `token` (RFC 9110 7.6.1).
bool has_token(std::string_view value, std::string_view token) noexcept {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (ieq(trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

const std::string* Request::find(std::string_view name) const noexcept {
  for (const Header& h : headers) {
    if (ieq(h.name, name)) return &h.value;
  }
  return nullptr;
}

void RequestParser::reset() noexcept {
  state_ = State::kHead;
  head_.clear();
  line_len_ = lines_ = empty_lines_ = 0;
  req_.method.clear();
  req_.target.clear();
  req_.version_minor = 1;
  req_.headers.clear();
  req_.body.clear();
  req_.content_length = 0;
  req_.keep_alive = true;
  error_status_ = 0;
  error_ = "";
}

ParseResult RequestParser::fail(int status, const char* why) noexcept {
  state_ = State::kError;
  error_status_ = status;
  error_ = why;
  return ParseResult::kError;
}

bool RequestParser::reject(int status, const char* why) noexcept {
  (void)fail(status, why);
  return false;
}

ParseResult RequestParser::feed(const uint8_t* data, size_t len, size_t* used) noexcept {
  *used = 0;
  switch (state_) {
    case State::kHead: {
      size_t n = 0;
      ParseResult r = feed_head(data, len, &n);
      *used = n;
      if (r != ParseResult::kDone || state_ != State::kBody) return r;
      size_t m = 0;
      r = feed_body(data + n, len - n, &m);
      *used = n + m;
      return r;
    }
    case State::kBody:
      return feed_body(data, len, used);
    case State::kDone:
      return ParseResult::kDone;
    case State::kError:
      return ParseResult::kError;
  }
  return ParseResult::kError;
}

// RFC 9112 2.2: lines end with CRLF; a bare LF is accepted as a line end,
// a bare CR is not (checked in parse_head). Empty lines before the request
// line are ignored (a few of them).
ParseResult RequestParser::feed_head(const uint8_t* data, size_t len, size_t* used) noexcept {
  for (size_t i = 0; i < len; i++) {
    char c = char(data[i]);
    if (c == '\n' && lines_ == 0 && line_len_ == 0) {
      head_.clear();
      if (++empty_lines_ > limits_.max_empty_lines) return fail(400, "too many empty lines");
      continue;
    }
    if (head_.size() >= limits_.max_head) {
      *used = i;
      if (lines_ == 0) return fail(414, "request line too long");
      return fail(431, "request header fields too large");
    }
    head_.push_back(c);
    if (c == '\r') continue;
    if (c != '\n') {
      line_len_++;
      continue;
    }
    if (line_len_ == 0) {
      *used = i + 1;
      if (!parse_head()) return ParseResult::kError;
      state_ = req_.content_length > 0 ? State::kBody : State::kDone;
      return ParseResult::kDone;
    }
    lines_++;
    line_len_ = 0;
  }
  *used = len;
  return ParseResult::kNeedMore;
}

ParseResult RequestParser::feed_body(const uint8_t* data, size_t len, size_t* used) noexcept {
  size_t want = size_t(req_.content_length) - req_.body.size();
  size_t take = std::min(want, len);
  req_.body.append(reinterpret_cast<const char*>(data), take);
  *used = take;
  if (req_.body.size() < req_.content_length) return ParseResult::kNeedMore;
  state_ = State::kDone;
  return ParseResult::kDone;
}

bool RequestParser::parse_head() noexcept {
  std::string_view head(head_);
  bool first = true;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return reject(400, "bare CR in the head");
    if (line.find('\0') != std::string_view::npos) return reject(400, "NUL in the head");
    if (line.empty()) break;  // the empty line ending the head
    if (first) {
      if (!parse_request_line(line)) return false;
      first = false;
      continue;
    }
    if (!parse_header_line(line)) return false;
  }
  return check_framing();
}

// RFC 9112 3: request-line = method SP request-target SP HTTP-version.
bool RequestParser::parse_request_line(std::string_view line) noexcept {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return reject(400, "no request target");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return reject(400, "no HTTP version");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return reject(400, "bad method");
  if (target.empty()) return reject(400, "empty request target");
  for (char c : target) {
    if (uint8_t(c) <= 0x20 || uint8_t(c) >= 0x7f) return reject(400, "bad request target");
  }
  // RFC 9112 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return reject(400, "bad HTTP version");
  }
  if (version[5] != '1') return reject(505, "HTTP version not supported");
  req_.method.assign(method);
  req_.target.assign(target);
  req_.version_minor = version[7] == '0' ? 0 : 1;
  return true;
}

// RFC 9112 5: field-line = field-name ":" OWS field-value OWS. No whitespace
// before the colon (5.1: reject), no obs-fold (5.2: reject).
bool RequestParser::parse_header_line(std::string_view line) noexcept {
  if (line.front() == ' ' || line.front() == '\t') return reject(400, "obsolete line folding");
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return reject(400, "header without a colon");
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) return reject(400, "bad header name");
  if (req_.headers.size() >= limits_.max_headers) return reject(431, "too many headers");
  std::string_view value = trim_ows(line.substr(colon + 1));
  req_.headers.push_back({std::string(name), std::string(value)});
  return true;
}

bool RequestParser::check_framing() noexcept {
  // RFC 9112 6.1: Transfer-Encoding we do not implement -> 501; with a
  // Content-Length as well it is a smuggling attempt (6.3 item 3) -> 400.
  bool has_te = req_.find("Transfer-Encoding") != nullptr;
  bool has_cl = false;
  for (const Header& h : req_.headers) {
    if (!ieq(h.name, "Content-Length")) continue;
    uint64_t v = 0;
    if (!parse_length(h.value, &v)) return reject(400, "bad Content-Length");
    if (has_cl && v != req_.content_length) return reject(400, "conflicting Content-Length");
    has_cl = true;
    req_.content_length = v;
  }
  if (has_te && has_cl) return reject(400, "both Transfer-Encoding and Content-Length");
  if (has_te) return reject(501, "Transfer-Encoding not implemented");
  if (req_.content_length > limits_.max_body) return reject(413, "body too large");
  // RFC 9112 3.2: a client MUST send Host in HTTP/1.1; exactly one.
  size_t hosts = 0;
  for (const Header& h : req_.headers) hosts += ieq(h.name, "Host") ? 1 : 0;
  if (hosts > 1 || (hosts == 0 && req_.version_minor == 1)) {
    return reject(400, "missing or repeated Host");
  }
  // RFC 9112 9.3: persistence.
  const std::string* conn = req_.find("Connection");
  if (req_.version_minor == 0) {
    req_.keep_alive = conn && has_token(*conn, "keep-alive");
  } else {
    req_.keep_alive = !(conn && has_token(*conn, "close"));
  }
  return true;
}

}  // namespace srs::proto::http
