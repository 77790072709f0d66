// MPEG audio frame header (ISO/IEC 11172-3 2.4.1.3, 13818-3 2.4.2.3 and the
// MPEG 2.5 extension): what an FLV SoundFormat 2 tag body starts with.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

enum class MpegVersion : uint8_t { kMpeg1 = 1, kMpeg2 = 2, kMpeg25 = 25 };

struct Mp3Header {
  MpegVersion version = MpegVersion::kMpeg1;
  uint8_t layer = 0;          // 1, 2 or 3
  bool crc = false;           // a 16-bit CRC follows the header
  uint32_t bitrate_kbps = 0;  // 0 = free format
  uint32_t sample_rate = 0;
  uint8_t channels = 0;
  uint32_t frame_size = 0;  // bytes including the header; 0 for free format
  uint32_t samples_per_frame = 0;
};

// Parses the 4-byte header at the start of `frame`. kInvalid without the
// 11-bit sync or with a reserved version, layer, bitrate or rate index.
[[nodiscard]] base::Result<Mp3Header> parse_mp3_header(std::span<const uint8_t> frame) noexcept;

}  // namespace srs::proto::codec
