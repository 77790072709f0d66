// Test helper: hand-written byte vectors as hex text ("03 00 01 61"), and back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace srs::test {

inline std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  int nibble = -1;
  for (char c : text) {
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) continue;
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<uint8_t>(nibble << 4 | v));
      nibble = -1;
    }
  }
  return out;
}

inline std::string to_hex(const uint8_t* p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 15];
  }
  return out;
}
inline std::string to_hex(const std::string& s) {
  return to_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string to_hex(const std::vector<uint8_t>& v) {
  return to_hex(v.data(), v.size());
}

// Bytes of a string literal or std::string.
inline std::vector<uint8_t> bytes_of(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

}  // namespace srs::test
