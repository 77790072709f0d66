// BitReader: MSB-first bit reads and Exp-Golomb codes over a NAL unit payload.
#include "proto/codec/bit_reader.hpp"

namespace srs::proto::codec {

bool BitReader::load_byte() noexcept {
  if (pos_ >= size_) return false;
  uint8_t b = data_[pos_++];
  // H.264 7.4.1 / H.265 7.4.2.2: emulation_prevention_three_byte after 00 00.
  if (skip_emulation_ && zeros_ >= 2 && b == 0x03) {
    zeros_ = 0;
    if (pos_ >= size_) return false;
    b = data_[pos_++];
  }
  zeros_ = b == 0 ? zeros_ + 1 : 0;
  cur_ = b;
  bits_left_ = 8;
  return true;
}

bool BitReader::read_bit(uint32_t& bit) noexcept {
  if (bits_left_ == 0 && !load_byte()) return false;
  --bits_left_;
  bit = (cur_ >> bits_left_) & 1u;
  return true;
}

bool BitReader::read_bits(unsigned count, uint32_t& out) noexcept {
  if (count > 32) return false;
  uint32_t v = 0;
  for (unsigned i = 0; i < count; ++i) {
    uint32_t bit;
    if (!read_bit(bit)) return false;
    v = (v << 1) | bit;
  }
  out = v;
  return true;
}

bool BitReader::read_flag(bool& out) noexcept {
  uint32_t bit;
  if (!read_bit(bit)) return false;
  out = bit != 0;
  return true;
}

bool BitReader::skip_bits(size_t count) noexcept {
  uint32_t bit;
  for (size_t i = 0; i < count; ++i) {
    if (!read_bit(bit)) return false;
  }
  return true;
}

// ITU-T H.264 9.1: leadingZeroBits zeros, a one, then leadingZeroBits bits;
// codeNum = 2^leadingZeroBits - 1 + the bits.
bool BitReader::read_ue(uint32_t& out) noexcept {
  unsigned zeros = 0;
  for (;;) {
    uint32_t bit;
    if (!read_bit(bit)) return false;
    if (bit) break;
    if (++zeros > 31) return false;
  }
  uint32_t suffix;
  if (!read_bits(zeros, suffix)) return false;
  out = static_cast<uint32_t>((uint64_t{1} << zeros) - 1 + suffix);
  return true;
}

// ITU-T H.264 9.1.1: codeNum k maps to (-1)^(k+1) * ceil(k / 2).
bool BitReader::read_se(int32_t& out) noexcept {
  uint32_t k;
  if (!read_ue(k)) return false;
  int64_t magnitude = (int64_t{k} + 1) / 2;
  out = static_cast<int32_t>((k & 1) ? magnitude : -magnitude);
  return true;
}

}  // namespace srs::proto::codec
