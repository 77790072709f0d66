// JsonWriter: builds one JSON text (RFC 8259) into a std::string, for the
// HTTP API, the HTTP callbacks and the tools' reports. Commas are placed by
// the writer; strings are escaped (section 7: '"', '\\' and controls; any
// other byte, UTF-8 included, is passed through).
//
//   JsonWriter w;
//   w.begin_object();
//   w.key("code").value(0);
//   w.key("streams").begin_array(); ... w.end_array();
//   w.end_object();
//   std::string text = w.take();
//
// raw() inserts a JSON text made elsewhere (an envelope, a nested reply) as
// one value. Not for hot paths: it allocates.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

namespace srs::base {

class JsonWriter {
 public:
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  JsonWriter& key(std::string_view name) {
    separate();
    append_string(name);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view s) {
    separate();
    append_string(s);
    return *this;
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b) { return raw(b ? "true" : "false"); }
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  JsonWriter& value(T n) {
    return raw(std::to_string(n));
  }
  // Finite numbers with up to 6 significant decimals; NaN and infinities
  // (not JSON) are written as null.
  JsonWriter& value(double d) {
    if (d != d || d > 1e300 || d < -1e300) return null();
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.6g", d);
    return raw(std::string_view(buf, size_t(n)));
  }
  JsonWriter& null() { return raw("null"); }
  // A complete JSON value made elsewhere.
  JsonWriter& raw(std::string_view json) {
    separate();
    out_.append(json);
    return *this;
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

  // `s` as a JSON string body (no quotes), for callers that build text by hand.
  static void escape_into(std::string_view s, std::string* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : s) {
      auto u = uint8_t(c);
      if (c == '"' || c == '\\') {
        out->push_back('\\');
        out->push_back(c);
      } else if (c == '\n') {
        out->append("\\n");
      } else if (c == '\t') {
        out->append("\\t");
      } else if (c == '\r') {
        out->append("\\r");
      } else if (u < 0x20) {
        out->append("\\u00");
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 15]);
      } else {
        out->push_back(c);
      }
    }
  }

 private:
  JsonWriter& open(char c) {
    separate();
    out_.push_back(c);
    first_ = true;
    return *this;
  }
  JsonWriter& close(char c) {
    out_.push_back(c);
    first_ = false;
    return *this;
  }
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_ && !out_.empty()) out_.push_back(',');
    first_ = false;
  }
  void append_string(std::string_view s) {
    out_.push_back('"');
    escape_into(s, &out_);
    out_.push_back('"');
  }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace srs::base
