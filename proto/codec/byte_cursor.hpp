// ByteCursor: bounds-checked big-endian reads over untrusted bytes, for the
// byte-aligned records (14496-15 configuration records, FLV tag headers).
// Every read fails instead of running past the end; nothing is copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.hpp"

namespace srs::proto::codec {

class ByteCursor {
 public:
  explicit ByteCursor(std::span<const uint8_t> data) noexcept : data_(data) {}

  size_t pos() const noexcept { return pos_; }
  size_t left() const noexcept { return data_.size() - pos_; }
  std::span<const uint8_t> rest() const noexcept { return data_.subspan(pos_); }

  [[nodiscard]] bool take(size_t n, std::span<const uint8_t>& out) noexcept {
    if (left() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool skip(size_t n) noexcept {
    if (left() < n) return false;
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool u8(uint8_t& v) noexcept {
    if (left() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  [[nodiscard]] bool u16(uint16_t& v) noexcept {
    if (left() < 2) return false;
    v = base::load_be16(data_.data() + pos_);
    pos_ += 2;
    return true;
  }
  [[nodiscard]] bool u24(uint32_t& v) noexcept {
    if (left() < 3) return false;
    v = base::load_be24(data_.data() + pos_);
    pos_ += 3;
    return true;
  }
  [[nodiscard]] bool u32(uint32_t& v) noexcept {
    if (left() < 4) return false;
    v = base::load_be32(data_.data() + pos_);
    pos_ += 4;
    return true;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace srs::proto::codec
