// Test helper: AMF0 payloads built byte by byte (independent of amf0_writer),
// so decoder tests do not trust the encoder they are meant to check.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace srs::test {

struct AmfBytes {
  std::vector<uint8_t> b;

  AmfBytes& raw(std::initializer_list<uint8_t> bytes) {
    b.insert(b.end(), bytes);
    return *this;
  }
  AmfBytes& u16(size_t v) { return raw({uint8_t(v >> 8), uint8_t(v)}); }
  AmfBytes& text(std::string_view s) {
    u16(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  AmfBytes& str(std::string_view s) { return raw({0x02}).text(s); }
  AmfBytes& num(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    b.push_back(0x00);
    for (int i = 7; i >= 0; --i) b.push_back(uint8_t(bits >> (8 * i)));
    return *this;
  }
  AmfBytes& boolean(bool v) { return raw({0x01, uint8_t(v ? 1 : 0)}); }
  AmfBytes& null() { return raw({0x05}); }
  AmfBytes& undefined() { return raw({0x06}); }
  AmfBytes& obj() { return raw({0x03}); }
  AmfBytes& ecma(uint32_t count) {
    return raw(
        {0x08, uint8_t(count >> 24), uint8_t(count >> 16), uint8_t(count >> 8), uint8_t(count)});
  }
  AmfBytes& key(std::string_view k) { return text(k); }
  AmfBytes& end() { return raw({0x00, 0x00, 0x09}); }
  size_t size() const { return b.size(); }
  const uint8_t* data() const { return b.data(); }
};

}  // namespace srs::test
