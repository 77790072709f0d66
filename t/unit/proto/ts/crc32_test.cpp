// CRC32/MPEG-2 against its catalogue check value and a bit-by-bit reference.
#include "proto/ts/crc32.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

using srs::proto::ts::crc32_mpeg2;

namespace {
uint32_t bitwise_crc(const std::vector<uint8_t>& data) {
  uint32_t crc = 0xffffffff;
  for (uint8_t b : data)
    for (int i = 7; i >= 0; --i) {
      bool top = ((crc >> 31) & 1) != ((b >> i) & 1);
      crc <<= 1;
      if (top) crc ^= 0x04c11db7;
    }
  return crc;
}
}  // namespace

TEST_CASE("crc32_mpeg2 gives the catalogue check value for \"123456789\"") {
  const char* s = "123456789";
  CHECK(crc32_mpeg2({reinterpret_cast<const uint8_t*>(s), std::strlen(s)}) == 0x0376E6E7u);
}

TEST_CASE("crc32_mpeg2 agrees with a bit-serial implementation and runs a section to zero") {
  std::vector<uint8_t> data;
  for (int i = 0; i < 300; ++i) {
    data.push_back(uint8_t(i * 37 + 11));
    CHECK(crc32_mpeg2(data) == bitwise_crc(data));
  }
  uint32_t crc = crc32_mpeg2(data);
  data.insert(data.end(),
              {uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)});
  CHECK(crc32_mpeg2(data) == 0);  // 13818-1 Annex A: the decoder's register ends at zero
  CHECK(crc32_mpeg2({}) == 0xffffffffu);
}
