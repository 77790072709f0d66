// PES header encoding (ISO/IEC 13818-1 2.4.3.7).
#include "proto/ts/pes.hpp"

#include "proto/ts/packet.hpp"

namespace srs::proto::ts {

size_t pes_header_size(const PesHeader& h) noexcept {
  bool with_dts = (h.dts & kTimestampMask) != (h.pts & kTimestampMask);
  return with_dts ? 19 : 14;
}

void write_timestamp(uint8_t prefix, uint64_t ts, uint8_t* out) noexcept {
  ts &= kTimestampMask;
  out[0] = static_cast<uint8_t>((prefix << 4) | (((ts >> 30) & 0x07) << 1) | 1);
  out[1] = static_cast<uint8_t>(ts >> 22);
  out[2] = static_cast<uint8_t>((((ts >> 15) & 0x7f) << 1) | 1);
  out[3] = static_cast<uint8_t>(ts >> 7);
  out[4] = static_cast<uint8_t>(((ts & 0x7f) << 1) | 1);
}

uint64_t read_timestamp(const uint8_t* in) noexcept {
  return (uint64_t{(in[0] >> 1) & 0x07u} << 30) | (uint64_t{in[1]} << 22) |
         (uint64_t{(in[2] >> 1) & 0x7fu} << 15) | (uint64_t{in[3]} << 7) | (in[4] >> 1);
}

size_t write_pes_header(const PesHeader& h, uint8_t* out) noexcept {
  size_t size = pes_header_size(h);
  bool with_dts = size == 19;
  size_t length = (size - 6) + h.payload_size;  // bytes after PES_packet_length
  out[0] = 0x00;
  out[1] = 0x00;
  out[2] = 0x01;
  out[3] = h.stream_id;
  out[4] = length > 0xffff ? 0 : static_cast<uint8_t>(length >> 8);
  out[5] = length > 0xffff ? 0 : static_cast<uint8_t>(length);
  // '10', PES_scrambling_control 00, PES_priority 0, data_alignment_indicator,
  // copyright 0, original_or_copy 0.
  out[6] = static_cast<uint8_t>(0x80 | (h.data_alignment ? 0x04 : 0));
  out[7] = with_dts ? 0xC0 : 0x80;  // PTS_DTS_flags; no ESCR, rate, trick mode, CRC, extension
  out[8] = static_cast<uint8_t>(size - 9);  // PES_header_data_length
  write_timestamp(with_dts ? 0x3 : 0x2, h.pts, out + 9);
  if (with_dts) write_timestamp(0x1, h.dts, out + 14);
  return size;
}

}  // namespace srs::proto::ts
