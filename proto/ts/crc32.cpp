// CRC32/MPEG-2 with a 256-entry table built at compile time.
#include "proto/ts/crc32.hpp"

#include <array>

namespace srs::proto::ts {
namespace {

constexpr std::array<uint32_t, 256> make_table() noexcept {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i << 24;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace

uint32_t crc32_mpeg2(std::span<const uint8_t> data) noexcept {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : data) crc = (crc << 8) ^ kTable[((crc >> 24) ^ b) & 0xff];
  return crc;
}

}  // namespace srs::proto::ts
