// PES packet headers (ISO/IEC 13818-1 2.4.3.6, 2.4.3.7): start code, stream
// id, PES_packet_length, the '10' flag bytes and the 33-bit PTS/DTS fields.
#pragma once

#include <cstddef>
#include <cstdint>

namespace srs::proto::ts {

inline constexpr uint8_t kStreamIdVideo = 0xE0;  // Table 2-22: ITU-T H.26x video stream 0
inline constexpr uint8_t kStreamIdAudio =
    0xC0;                                    // Table 2-22: ISO/IEC 13818-3/14496-3 audio stream 0
inline constexpr size_t kPesHeaderMax = 19;  // 9 + PTS (5) + DTS (5)

struct PesHeader {
  uint8_t stream_id = kStreamIdVideo;
  uint64_t pts = 0;  // 90 kHz; masked to 33 bits when written
  uint64_t dts = 0;  // written only when it differs from pts
  size_t payload_size = 0;
  bool data_alignment = true;  // the payload starts with an access unit (AUD, ADTS sync)
};

// The header's size: 14 with PTS only, 19 with PTS and DTS.
size_t pes_header_size(const PesHeader& h) noexcept;

// Writes the header into `out` (pes_header_size bytes). PES_packet_length is
// the size after that field when it fits 16 bits, else 0 (2.4.3.7: "only in
// PES packets whose payload is a video elementary stream"; the caller keeps
// audio PES packets smaller).
size_t write_pes_header(const PesHeader& h, uint8_t* out) noexcept;

// 2.4.3.7 PTS/DTS field: a 4-bit prefix ('0010' PTS only, '0011' PTS with DTS,
// '0001' DTS), then 3 + 15 + 15 bits each followed by a marker bit.
void write_timestamp(uint8_t prefix, uint64_t ts, uint8_t* out) noexcept;
uint64_t read_timestamp(const uint8_t* in) noexcept;

}  // namespace srs::proto::ts
