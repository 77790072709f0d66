// Program Specific Information (ISO/IEC 13818-1 2.4.4): the Program
// Association Table and the Program Map Table of the single program an HLS
// segment carries, each section in one transport packet with its CRC_32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace srs::proto::ts {

// Table 2-34 stream_type values (0x24 from the HEVC amendment; 0x0F is ADTS AAC).
enum class StreamType : uint8_t {
  kNone = 0x00,
  kMpeg1Audio = 0x03,  // MP3, MPEG-1 rates
  kMpeg2Audio = 0x04,  // MP3, MPEG-2 and 2.5 half rates
  kAacAdts = 0x0F,
  kH264 = 0x1B,
  kHevc = 0x24,
};

// The tracks the PMT declares: only those that exist (kNone = absent).
struct Program {
  StreamType video = StreamType::kNone;
  StreamType audio = StreamType::kNone;
  uint8_t version = 0;  // version_number, 5 bits: bumped when the track set changes

  // PCR_PID: the video PID when there is video, else the audio PID (2.4.4.9).
  uint16_t pcr_pid() const noexcept;
  bool operator==(const Program&) const noexcept = default;
};

// Section bytes (table_id through CRC_32) into `out` (at least 184 bytes);
// returns their size.
size_t build_pat_section(uint16_t pmt_pid, std::span<uint8_t> out) noexcept;
size_t build_pmt_section(const Program& program, std::span<uint8_t> out) noexcept;

// One packet each: PUSI, pointer_field 0, the section, 0xFF filler (2.4.4.1).
// `cc` is the next continuity counter of the PID, advanced.
void write_pat(uint8_t& cc, std::vector<uint8_t>& out) noexcept;
void write_pmt(const Program& program, uint8_t& cc, std::vector<uint8_t>& out) noexcept;

}  // namespace srs::proto::ts
