// MPEG-TS transport packets (ISO/IEC 13818-1 2.4.3.2-2.4.3.5): the 188-byte
// packet header, the adaptation field (PCR, random_access_indicator,
// stuffing) and the split of one PES packet into transport packets on a PID
// with its continuity counter. SRS's PIDs and the PCR encoding live here too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace srs::proto::ts {

inline constexpr size_t kPacketSize = 188;
inline constexpr uint8_t kSyncByte = 0x47;

// SRS's PIDs (srs_kernel_ts.hpp): one program, PMT on 0x1001.
inline constexpr uint16_t kPidPat = 0x0000;
inline constexpr uint16_t kPidPmt = 0x1001;
inline constexpr uint16_t kPidVideo = 0x0100;
inline constexpr uint16_t kPidAudio = 0x0101;
inline constexpr uint16_t kPidNull = 0x1FFF;

// 2.4.3.7: PTS and DTS are 33-bit counts of a 90 kHz clock; PCR's base is the same.
inline constexpr uint64_t kTimestampMask = (uint64_t{1} << 33) - 1;

// 2.4.3.5: program_clock_reference_base (33 bits, 90 kHz), 6 reserved bits
// (set to 1), program_clock_reference_extension (9 bits, 27 MHz remainder).
void encode_pcr(uint64_t base_90k, uint16_t extension, uint8_t (&out)[6]) noexcept;
// The PCR in 27 MHz units: base * 300 + extension.
uint64_t decode_pcr(const uint8_t (&in)[6]) noexcept;

struct PacketizeOptions {
  uint16_t pid = 0;
  bool random_access = false;  // random_access_indicator on the first packet
  bool write_pcr = false;      // a PCR in the first packet's adaptation field
  uint64_t pcr_base = 0;       // 90 kHz, masked to 33 bits
};

// Appends `pes` (a whole PES packet, header included) as transport packets:
// payload_unit_start_indicator on the first, stuffing through the adaptation
// field of the last (2.4.3.5 stuffing_byte: "adaptation field ... for
// stuffing", never after the payload). `cc` is the continuity counter to use
// next on this PID; it is advanced once per packet (every packet here carries
// payload, 2.4.3.3).
void packetize(const PacketizeOptions& opt, std::span<const uint8_t> pes, uint8_t& cc,
               std::vector<uint8_t>& out) noexcept;

// Appends one packet with an adaptation field only (adaptation_field_control
// '10') carrying a PCR. It carries no payload, so 2.4.3.3 says the continuity
// counter is not incremented: it repeats the last value used (`cc` - 1).
void write_pcr_packet(uint16_t pid, uint64_t pcr_base, uint8_t cc,
                      std::vector<uint8_t>& out) noexcept;

// Appends `n` bytes to `out` and returns where they start.
uint8_t* grow(std::vector<uint8_t>& out, size_t n) noexcept;

}  // namespace srs::proto::ts
