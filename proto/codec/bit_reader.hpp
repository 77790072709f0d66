// BitReader: MSB-first bit reads and Exp-Golomb codes over a NAL unit payload.
//
// Parameter sets (H.264 SPS, H.265 SPS) are RBSPs wrapped in NAL units that
// carry emulation prevention bytes (00 00 03): the reader drops them on the fly
// (ITU-T H.264 7.4.1, H.265 7.4.2), so no unescaped copy is ever made. Every
// read reports failure instead of reading past the end: the bytes come from the
// network.
#pragma once

#include <cstddef>
#include <cstdint>

namespace srs::proto::codec {

class BitReader {
 public:
  // `skip_emulation` drops each 0x03 that follows two zero bytes.
  BitReader(const uint8_t* data, size_t size, bool skip_emulation = true) noexcept
      : data_(data), size_(size), skip_emulation_(skip_emulation) {}

  // Reads `count` (0..32) bits, most significant first. False past the end.
  [[nodiscard]] bool read_bits(unsigned count, uint32_t& out) noexcept;
  [[nodiscard]] bool read_flag(bool& out) noexcept;
  [[nodiscard]] bool skip_bits(size_t count) noexcept;
  // ue(v) and se(v), ITU-T H.264 9.1: at most 31 leading zero bits (a longer
  // prefix cannot be a 32-bit value and is treated as corrupt).
  [[nodiscard]] bool read_ue(uint32_t& out) noexcept;
  [[nodiscard]] bool read_se(int32_t& out) noexcept;

  bool at_end() const noexcept { return pos_ >= size_ && bits_left_ == 0; }
  // Bits not yet read; exact only without emulation prevention (a 0x03 ahead
  // would be dropped), which is how AudioSpecificConfig uses it.
  size_t bits_remaining() const noexcept { return (size_ - pos_) * 8 + bits_left_; }

 private:
  [[nodiscard]] bool load_byte() noexcept;
  [[nodiscard]] bool read_bit(uint32_t& bit) noexcept;

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;  // next byte of data_ to load
  uint8_t cur_ = 0;
  unsigned bits_left_ = 0;  // bits of cur_ not yet read
  unsigned zeros_ = 0;      // consecutive zero bytes loaded
  bool skip_emulation_;
};

}  // namespace srs::proto::codec
