// The strict JSON object reader of the JWT verifier (see json_object.hpp): a
// recursive-descent scanner over RFC 8259 sections 2-8, its recursion bounded
// by kMaxJsonDepth, that keeps only the members of the top object.
#include "proto/auth/json_object.hpp"

namespace srs::proto::auth {
namespace {

using base::Errc;
using base::Status;

constexpr Status kNotUtf8 = Status::fail(Errc::kInvalid, "JSON: not UTF-8");
constexpr Status kNotObject = Status::fail(Errc::kInvalid, "JSON: not an object");
constexpr Status kTrailing = Status::fail(Errc::kInvalid, "JSON: bytes after the object");
constexpr Status kSyntax = Status::fail(Errc::kInvalid, "JSON: syntax error");
constexpr Status kBadString = Status::fail(Errc::kInvalid, "JSON: bad string");
constexpr Status kBadEscape = Status::fail(Errc::kInvalid, "JSON: bad escape");
constexpr Status kSurrogate = Status::fail(Errc::kInvalid, "JSON: unpaired UTF-16 surrogate");
constexpr Status kBadNumber = Status::fail(Errc::kInvalid, "JSON: bad number");
constexpr Status kDuplicate = Status::fail(Errc::kInvalid, "JSON: duplicate member name");
constexpr Status kTooDeep = Status::fail(Errc::kTooLarge, "JSON: nested too deep");
constexpr Status kTooMany = Status::fail(Errc::kTooLarge, "JSON: too many members");

// RFC 3629 section 4: the length of the well-formed multi-byte sequence at
// s[i] (its lead byte is 0x80 or more), 0 when it is not one.
size_t utf8_sequence(std::string_view s, size_t i) noexcept {
  auto at = [&](size_t k) { return i + k < s.size() ? uint8_t(s[i + k]) : uint8_t(0); };
  const uint8_t c = at(0);
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // U+D800..U+DFFF
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (at(1) < lo || at(1) > hi) return 0;
  for (size_t k = 2; k < n; k++)
    if (at(k) < 0x80 || at(k) > 0xBF) return 0;
  return n;
}

bool valid_utf8(std::string_view s) noexcept {
  for (size_t i = 0; i < s.size();) {
    if (uint8_t(s[i]) < 0x80) {
      i++;
      continue;
    }
    const size_t n = utf8_sequence(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(char(cp));
  } else if (cp < 0x800) {
    out->push_back(char(0xC0 | (cp >> 6)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(char(0xE0 | (cp >> 12)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (cp >> 18)));
    out->push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char h) noexcept {
  if (h >= '0' && h <= '9') return h - '0';
  if (h >= 'a' && h <= 'f') return h - 'a' + 10;
  if (h >= 'A' && h <= 'F') return h - 'A' + 10;
  return -1;
}

class Reader {
 public:
  explicit Reader(std::string_view s) noexcept : s_(s) {}

  Status top(std::vector<JsonMember>* out) {
    ws();
    if (peek() != '{') return kNotObject;
    if (Status st = members(out); !st.is_ok()) return st;
    ws();
    return at_end() ? Status::ok() : kTrailing;
  }

 private:
  bool at_end() const noexcept { return pos_ >= s_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : s_[pos_]; }
  // Section 2: insignificant white space.
  void ws() noexcept {
    while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') pos_++;
  }
  bool eat(char c) noexcept {
    if (at_end() || s_[pos_] != c) return false;
    pos_++;
    return true;
  }
  bool literal(std::string_view word) noexcept {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // Section 4, the top object (depth 1): its members are kept.
  Status members(std::vector<JsonMember>* out) {
    eat('{');
    ws();
    if (eat('}')) return Status::ok();
    for (;;) {
      JsonMember m;
      if (Status st = member(&m); !st.is_ok()) return st;
      if (find_json_member(*out, m.name) != nullptr) return kDuplicate;
      if (out->size() >= kMaxJsonMembers) return kTooMany;
      out->push_back(std::move(m));
      ws();
      if (eat('}')) return Status::ok();
      if (!eat(',')) return kSyntax;
    }
  }

  Status member(JsonMember* m) {
    ws();
    if (Status st = string(&m->name); !st.is_ok()) return st;
    ws();
    if (!eat(':')) return kSyntax;
    ws();
    return member_value(m);
  }

  Status member_value(JsonMember* m) {
    const char c = peek();
    const size_t start = pos_;
    if (c == '"') return m->kind = JsonKind::kString, string(&m->text);
    if (c == '{' || c == '[') {
      m->kind = c == '{' ? JsonKind::kObject : JsonKind::kArray;
      return value(2);
    }
    if (literal("true")) return m->kind = JsonKind::kTrue, Status::ok();
    if (literal("false")) return m->kind = JsonKind::kFalse, Status::ok();
    if (literal("null")) return m->kind = JsonKind::kNull, Status::ok();
    m->kind = JsonKind::kNumber;
    if (Status st = number(); !st.is_ok()) return st;
    m->text.assign(s_.substr(start, pos_ - start));
    return Status::ok();
  }

  // Any value at `depth` (the top object's members are at depth 2), checked
  // and dropped.
  Status value(int depth) {
    if (depth > kMaxJsonDepth) return kTooDeep;
    ws();
    const char c = peek();
    if (c == '{') return container(depth, '}', true);
    if (c == '[') return container(depth, ']', false);
    if (c == '"') return string(nullptr);
    if (literal("true") || literal("false") || literal("null")) return Status::ok();
    return number();
  }

  // Sections 4 and 5: an object (`named`) or an array, ending with `close`.
  Status container(int depth, char close, bool named) {
    pos_++;
    ws();
    if (eat(close)) return Status::ok();
    for (;;) {
      if (named) {
        ws();
        if (Status st = string(nullptr); !st.is_ok()) return st;
        ws();
        if (!eat(':')) return kSyntax;
      }
      if (Status st = value(depth + 1); !st.is_ok()) return st;
      ws();
      if (eat(close)) return Status::ok();
      if (!eat(',')) return kSyntax;
    }
  }

  // Section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  Status number() noexcept {
    eat('-');
    if (!eat('0') && !digits()) return kBadNumber;
    if (eat('.') && !digits()) return kBadNumber;
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (!digits()) return kBadNumber;
    }
    return Status::ok();
  }
  bool digits() noexcept {
    const size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') pos_++;
    return pos_ > start;
  }

  // Section 7, decoded into `out` (nullptr: checked only). The text is UTF-8
  // already (checked before reading), so only control characters and escapes
  // need a look.
  Status string(std::string* out) {
    if (!eat('"')) return kSyntax;
    for (;;) {
      if (at_end()) return kBadString;
      const char c = s_[pos_++];
      if (c == '"') return Status::ok();
      if (uint8_t(c) < 0x20) return kBadString;
      if (c != '\\') {
        if (out) out->push_back(c);
        continue;
      }
      if (Status st = escape(out); !st.is_ok()) return st;
    }
  }

  Status escape(std::string* out) {
    const char e = peek();
    pos_++;
    char plain = 0;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        plain = e;
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u':
        return unicode_escape(out);
      default:
        return kBadEscape;
    }
    if (out) out->push_back(plain);
    return Status::ok();
  }

  // \uXXXX, or a pair \uD8xx\uDCxx for a code point above U+FFFF.
  Status unicode_escape(std::string* out) {
    uint32_t cp = 0;
    if (!hex4(&cp)) return kBadEscape;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return kSurrogate;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (!literal("\\u") || !hex4(&low)) return kSurrogate;
      if (low < 0xDC00 || low > 0xDFFF) return kSurrogate;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (out) append_utf8(cp, out);
    return Status::ok();
  }
  bool hex4(uint32_t* v) noexcept {
    for (int i = 0; i < 4; i++) {
      const int h = hex_value(peek());
      if (h < 0) return false;
      *v = *v * 16 + uint32_t(h);
      pos_++;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Status read_json_object(std::string_view text, std::vector<JsonMember>* members) {
  members->clear();
  if (!valid_utf8(text)) return kNotUtf8;
  Status st = Reader(text).top(members);
  if (!st.is_ok()) members->clear();
  return st;
}

const JsonMember* find_json_member(const std::vector<JsonMember>& members,
                                   std::string_view name) noexcept {
  for (const JsonMember& m : members)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace srs::proto::auth
