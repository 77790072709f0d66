// AAC AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), the RTMP/FLV AAC sequence
// header, and the 7-byte ADTS header (14496-3 1.A.2.2) that MPEG-TS needs in
// front of every raw AAC frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

struct AacConfig {
  uint8_t object_type = 0;       // audioObjectType as signalled (5 or 29: explicit HE-AAC)
  uint8_t core_object_type = 0;  // the AAC core (2 for HE-AAC), what ADTS carries
  uint8_t frequency_index = 0;   // core samplingFrequencyIndex; 15 = explicit rate
  uint32_t core_sample_rate = 0;
  uint32_t sample_rate = 0;  // output rate: the SBR rate when SBR is present
  uint8_t channel_config = 0;
  uint8_t channels = 0;  // output channels (PS turns mono into stereo)
  bool sbr = false;      // HE-AAC: spectral band replication
  bool ps = false;       // HE-AAC v2: parametric stereo
};

// Parses an AudioSpecificConfig: the audioObjectType escape (31 -> 32 + 6
// bits), the samplingFrequencyIndex escape (15 -> a 24-bit rate), explicit
// SBR/PS (AOT 5/29, 1.6.5.2) and the backward-compatible signalling after
// GASpecificConfig (sync extension 0x2b7 / 0x548). Implicit SBR, where nothing
// is signalled, cannot be seen here. With channel configuration 0 the channels
// are counted from the program_config_element (0 if it is missing or corrupt).
[[nodiscard]] base::Result<AacConfig> parse_aac_config(std::span<const uint8_t> asc) noexcept;

// "Main", "LC", "SSR", "LTP", "HE" (SBR), "HEv2" (SBR + PS); "Unknown" otherwise.
const char* aac_profile_name(const AacConfig& cfg) noexcept;

inline constexpr size_t kAdtsHeaderSize = 7;

// Writes the 7-byte ADTS header (MPEG-4, no CRC) for one raw AAC frame of
// `raw_size` bytes. ADTS profile is audioObjectType - 1 in 2 bits, so only core
// object types 1..4 with a table frequency and channel configuration 1..7 can
// be written: anything else is kUnsupported; a frame over 8191 - 7 bytes is
// kTooLarge. HE-AAC is written as its AAC core (decoders find SBR implicitly).
[[nodiscard]] base::Status build_adts_header(const AacConfig& cfg, size_t raw_size,
                                             uint8_t (&out)[kAdtsHeaderSize]) noexcept;

}  // namespace srs::proto::codec
