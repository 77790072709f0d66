// Test helper: writes bits MSB first and Exp-Golomb codes, to build parameter
// sets and AudioSpecificConfigs field by field, with emulation prevention.
#pragma once

#include <cstdint>
#include <vector>

namespace srs::test {

class BitWriter {
 public:
  BitWriter& bits(uint64_t value, unsigned count) {
    for (unsigned i = count; i-- > 0;) bit((value >> i) & 1);
    return *this;
  }
  BitWriter& bit(unsigned b) {
    if (used_ % 8 == 0) bytes_.push_back(0);
    if (b) bytes_.back() |= static_cast<uint8_t>(0x80 >> (used_ % 8));
    ++used_;
    return *this;
  }
  BitWriter& ue(uint32_t v) {
    uint64_t code = uint64_t{v} + 1;
    unsigned len = 0;
    while ((code >> len) > 1) ++len;
    bits(0, len);
    return bits(code, len + 1);
  }
  BitWriter& se(int32_t v) { return ue(v > 0 ? 2 * uint32_t(v) - 1 : 2 * uint32_t(-v)); }
  // rbsp_trailing_bits: a one, then zeros to the byte boundary.
  BitWriter& trailing() {
    bit(1);
    while (used_ % 8) bit(0);
    return *this;
  }
  std::vector<uint8_t> bytes() const { return bytes_; }
  // The bytes with a NAL header in front and emulation prevention applied.
  std::vector<uint8_t> nalu(std::vector<uint8_t> header) const {
    unsigned zeros = 0;
    for (uint8_t b : bytes_) {
      if (zeros >= 2 && b <= 3) {
        header.push_back(3);
        zeros = 0;
      }
      header.push_back(b);
      zeros = b == 0 ? zeros + 1 : 0;
    }
    return header;
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t used_ = 0;
};

}  // namespace srs::test
