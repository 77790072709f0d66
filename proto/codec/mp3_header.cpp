// MPEG audio frame header parse (ISO/IEC 11172-3 2.4.1.3, 13818-3 2.4.2.3).
#include "proto/codec/mp3_header.hpp"

#include "base/bytes.hpp"

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

namespace {

// kbps by bitrate_index (1..14); [0] MPEG-1 layer I, II, III; [1] MPEG-2/2.5 layer I, II/III.
constexpr uint16_t kBitrates[2][3][15] = {
    {{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
     {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
     {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}},
    {{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
     {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}}};
constexpr uint32_t kRatesMpeg1[3] = {44100, 48000, 32000};

}  // namespace

Result<Mp3Header> parse_mp3_header(std::span<const uint8_t> frame) noexcept {
  if (frame.size() < 4) return Status::fail(Errc::kInvalid, "MP3 frame shorter than its header");
  uint32_t h = base::load_be32(frame.data());
  if ((h >> 21) != 0x7ff) return Status::fail(Errc::kInvalid, "MP3 frame sync missing");
  unsigned version_bits = (h >> 19) & 3, layer_bits = (h >> 17) & 3;
  unsigned bitrate_index = (h >> 12) & 0xf, rate_index = (h >> 10) & 3;
  if (version_bits == 1 || layer_bits == 0 || bitrate_index == 15 || rate_index == 3) {
    return Status::fail(Errc::kInvalid, "MP3 header has a reserved field");
  }
  Mp3Header m;
  m.version = version_bits == 3   ? MpegVersion::kMpeg1
              : version_bits == 2 ? MpegVersion::kMpeg2
                                  : MpegVersion::kMpeg25;
  m.layer = static_cast<uint8_t>(4 - layer_bits);
  m.crc = ((h >> 16) & 1) == 0;
  bool v1 = m.version == MpegVersion::kMpeg1;
  m.bitrate_kbps = kBitrates[v1 ? 0 : 1][m.layer - 1][bitrate_index];
  unsigned divisor = v1 ? 1 : m.version == MpegVersion::kMpeg2 ? 2 : 4;
  m.sample_rate = kRatesMpeg1[rate_index] / divisor;
  m.channels = ((h >> 6) & 3) == 3 ? 1 : 2;
  m.samples_per_frame = m.layer == 1 ? 384 : (m.layer == 3 && !v1) ? 576 : 1152;
  unsigned padding = (h >> 9) & 1;
  if (m.bitrate_kbps == 0) return m;
  if (m.layer == 1) {
    m.frame_size = (12 * m.bitrate_kbps * 1000 / m.sample_rate + padding) * 4;
  } else {
    m.frame_size = m.samples_per_frame / 8 * m.bitrate_kbps * 1000 / m.sample_rate + padding;
  }
  return m;
}

}  // namespace srs::proto::codec
