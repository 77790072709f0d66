// CRC32/MPEG-2 (ISO/IEC 13818-1 Annex A, "CRC decoder model"): the checksum
// that ends every PSI section (PAT, PMT). Polynomial 0x04C11DB7, initial value
// 0xFFFFFFFF, no bit reflection, no final XOR: a section including its CRC_32
// field runs the register to zero.
#pragma once

#include <cstdint>
#include <span>

namespace srs::proto::ts {

uint32_t crc32_mpeg2(std::span<const uint8_t> data) noexcept;

}  // namespace srs::proto::ts
