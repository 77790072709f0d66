// Audio tag body classification, shared by RTMP audio messages and FLV tags:
// legacy AudioTagHeader (FLV v10.1 E.4.2.1) and the Enhanced RTMP v2
// ExAudioTagHeader (veovera, "Enhanced Audio"), ModEx and multitrack included.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::flv {

enum class AudioCodec : uint8_t {
  kPcm,         // SoundFormat 0 and 3
  kAdpcm,       // 1
  kMp3,         // 2, 14 (8 kHz), or FourCC .mp3
  kNellymoser,  // 4, 5, 6
  kG711A,       // 7
  kG711U,       // 8
  kAac,         // 10, or FourCC mp4a
  kSpeex,       // 11
  kNative,      // 15, device specific
  kOpus,        // FourCC Opus
  kFlac,        // fLaC
  kAc3,         // ac-3
  kEac3,        // ec-3
};

struct AudioTagInfo {
  AudioCodec codec = AudioCodec::kAac;
  uint8_t sound_format = 0;  // SoundFormat UB[4] (9 = ExHeader)
  bool enhanced = false;
  uint32_t fourcc = 0;
  // AACPacketType (0 AudioSpecificConfig, 1 raw) or E-RTMP AudioPacketType.
  uint8_t packet_type = 0;
  // Legacy SoundRate/SoundSize/SoundType as nominal values (AAC always says
  // 44 kHz stereo: the AudioSpecificConfig has the truth). 0 when enhanced.
  uint32_t sample_rate = 0;
  uint8_t sample_bits = 0;
  uint8_t channels = 0;
  bool is_sequence_header = false;  // AAC AudioSpecificConfig, Opus/FLAC headers
  bool is_sequence_end = false;
  bool is_multichannel_config = false;
  bool is_multitrack = false;
  uint8_t track_id = 0;
  uint32_t track_count = 1;
  uint32_t nano_offset = 0;     // E-RTMP ModEx TimestampOffsetNano
  uint32_t payload_offset = 0;  // codec payload (first track) within the body
  uint32_t payload_size = 0;
};

// Classifies one audio tag body. kInvalid for truncated fields, kUnsupported
// for a reserved SoundFormat or an unknown FourCC or packet type.
[[nodiscard]] base::Result<AudioTagInfo> classify_audio(std::span<const uint8_t> body) noexcept;

}  // namespace srs::proto::flv
