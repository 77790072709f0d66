// The verdict of an HTTP callback's reply (see hook_reply.hpp): a small
// recursive-descent JSON scanner (RFC 8259 sections 2-7) that only keeps
// what the verdict needs: the top-level value's kind and "code".
#include "proto/http/hook_reply.hpp"

namespace srs::proto::http {
namespace {

constexpr size_t kMaxUrls = 64;  // destinations one answer may name

class Scanner {
 public:
  // `urls`, when given, collects the strings of the top object's
  // data.urls array (the forward backend's answer).
  explicit Scanner(std::string_view s, std::vector<std::string>* urls = nullptr) noexcept
      : s_(s), urls_(urls) {}

  // The whole text is one value; `*zero` says whether it is the integer 0
  // (top-level number) or an object with "code": 0.
  bool top(HookReply* r) noexcept {
    ws();
    if (at_end()) return (*r = HookReply::kEmpty), true;
    char c = s_[pos_];
    bool accept = false;
    if (c == '{') {
      if (!object(0, /*top=*/true)) return false;
      accept = code_seen_ && code_ok_;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      bool integer = false, zero = false;
      if (!number(&integer, &zero)) return false;
      accept = integer && zero;
    } else if (!value(0)) {
      return false;
    }
    ws();
    if (!at_end()) return false;
    *r = accept ? HookReply::kAccept : HookReply::kRefused;
    return true;
  }

 private:
  bool at_end() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : s_[pos_]; }
  // Section 2: insignificant white space.
  void ws() noexcept {
    while (!at_end() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      pos_++;
  }
  bool eat(char c) noexcept {
    if (peek() != c) return false;
    pos_++;
    return true;
  }
  bool literal(std::string_view word) noexcept {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(int depth) noexcept {
    if (depth > kMaxDepth) return false;
    ws();
    char c = peek();
    if (c == '{') return object(depth, false);
    if (c == '[') return array(depth);
    if (c == '"') return string(nullptr);
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    bool integer = false, zero = false;
    return number(&integer, &zero);
  }

  // Section 4. At the top level, "code" members are checked.
  bool object(int depth, bool top) noexcept {
    if (depth > kMaxDepth || !eat('{')) return false;
    ws();
    if (eat('}')) return true;
    for (;;) {
      ws();
      bool is_code = false;  // as written: an escaped "code" is another name (RFC 8259 8.3)
      std::string name;
      const size_t start = pos_;
      if (!string(&is_code)) return false;
      if (top && urls_) decode(s_.substr(start + 1, pos_ - start - 2), &name);
      ws();
      if (!eat(':')) return false;
      ws();
      if (top && is_code) {
        if (!code_value(depth)) return false;
      } else if (top && urls_ && name == "data" && peek() == '{') {
        if (!data_object(depth + 1)) return false;
      } else if (!value(depth + 1)) {
        return false;
      }
      ws();
      if (eat('}')) return true;
      if (!eat(',')) return false;
    }
  }

  // {"urls": ["rtmp://...", ...], ...}: the strings of "urls" are kept.
  bool data_object(int depth) noexcept {
    if (!eat('{')) return false;
    ws();
    if (eat('}')) return true;
    for (;;) {
      ws();
      std::string name;
      if (!string_text(&name)) return false;
      ws();
      if (!eat(':')) return false;
      ws();
      if (name == "urls" && peek() == '[') {
        if (!url_array()) return false;
      } else if (!value(depth + 1)) {
        return false;
      }
      ws();
      if (eat('}')) return true;
      if (!eat(',')) return false;
    }
  }

  bool url_array() noexcept {
    if (!eat('[')) return false;
    ws();
    if (eat(']')) return true;
    for (;;) {
      ws();
      std::string url;
      if (!string_text(&url)) return false;
      if (urls_->size() < kMaxUrls) urls_->push_back(std::move(url));
      ws();
      if (eat(']')) return true;
      if (!eat(',')) return false;
    }
  }

  // A string's text, its escapes decoded (\uXXXX outside ASCII as '?').
  bool string_text(std::string* out) {
    size_t start = pos_;
    if (!string(nullptr)) return false;
    decode(s_.substr(start + 1, pos_ - start - 2), out);
    return true;
  }

  // The text of a string scanned already (its escapes are well formed).
  static void decode(std::string_view raw, std::string* out) {
    for (size_t i = 0; i < raw.size(); i++) {
      char c = raw[i];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      char e = raw[++i];
      switch (e) {
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          unsigned v = 0;
          for (int k = 1; k <= 4; k++) {
            char h = raw[i + size_t(k)];
            v = v * 16 + unsigned(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          }
          i += 4;
          out->push_back(v < 0x80 ? char(v) : '?');
          break;
        }
        default:
          out->push_back(e);  // '"', '\\', '/'
      }
    }
  }

  bool code_value(int depth) noexcept {
    code_seen_ = true;
    char c = peek();
    if (c != '-' && (c < '0' || c > '9')) {
      code_ok_ = false;
      return value(depth + 1);
    }
    bool integer = false, zero = false;
    if (!number(&integer, &zero)) return false;
    if (!integer || !zero) code_ok_ = false;
    return true;
  }

  // Section 5.
  bool array(int depth) noexcept {
    if (depth > kMaxDepth || !eat('[')) return false;
    ws();
    if (eat(']')) return true;
    for (;;) {
      if (!value(depth + 1)) return false;
      ws();
      if (eat(']')) return true;
      if (!eat(',')) return false;
    }
  }

  // Section 6: -? int frac? exp?; `integer` without frac/exp, `zero` its value is 0.
  bool number(bool* integer, bool* zero) noexcept {
    eat('-');
    if (peek() == '0') {
      pos_++;
      *zero = true;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') pos_++;
    } else {
      return false;
    }
    *integer = true;
    if (eat('.')) {
      *integer = false;
      if (!digits()) return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      pos_++;
      *integer = false;
      if (peek() == '+' || peek() == '-') pos_++;
      if (!digits()) return false;
    }
    return true;
  }
  bool digits() noexcept {
    size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') pos_++;
    return pos_ > start;
  }

  // Section 7. `is_code`: the string is exactly "code" (unescaped).
  bool string(bool* is_code) noexcept {
    if (!eat('"')) return false;
    size_t start = pos_;
    for (;;) {
      if (at_end()) return false;
      auto c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c == '\\' && !escape()) return false;
    }
    if (is_code) *is_code = s_.substr(start, pos_ - 1 - start) == "code";
    return true;
  }
  bool escape() noexcept {
    char c = peek();
    pos_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u':
        for (int i = 0; i < 4; i++) {
          char h = peek();
          bool hex = (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
          if (!hex) return false;
          pos_++;
        }
        return true;
      default:
        return false;
    }
  }

  std::string_view s_;
  std::vector<std::string>* urls_;
  size_t pos_ = 0;
  bool code_seen_ = false;
  bool code_ok_ = true;
};

}  // namespace

HookReply parse_hook_reply(int status, std::string_view body) noexcept {
  if (status != 200 && status != 201) return HookReply::kBadStatus;
  HookReply r = HookReply::kMalformed;
  Scanner scanner(body);
  if (!scanner.top(&r)) return HookReply::kMalformed;
  return r;
}

HookReply parse_forward_reply(int status, std::string_view body, std::vector<std::string>* urls) {
  urls->clear();
  if (status != 200 && status != 201) return HookReply::kBadStatus;
  HookReply r = HookReply::kMalformed;
  Scanner scanner(body, urls);
  if (!scanner.top(&r)) {
    urls->clear();
    return HookReply::kMalformed;
  }
  if (r != HookReply::kAccept) urls->clear();
  return r;
}

const char* hook_reply_text(HookReply r) noexcept {
  switch (r) {
    case HookReply::kAccept:
      return "accepted";
    case HookReply::kBadStatus:
      return "HTTP status is not 200 or 201";
    case HookReply::kEmpty:
      return "empty body";
    case HookReply::kRefused:
      return "refused (the body is not 0 or {\"code\":0})";
    case HookReply::kMalformed:
      return "the body is not JSON";
  }
  return "?";
}

}  // namespace srs::proto::http
