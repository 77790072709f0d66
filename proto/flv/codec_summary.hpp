// CodecSummary: what the API reports about a stream's codecs, derived from the
// sticky sequence headers (the video and audio tag bodies a publisher sent):
// {video codec, profile, level, width, height; audio codec, sample rate,
// channels, profile}. Names are static strings; nothing allocates.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::flv {

struct CodecSummary {
  const char* video_codec = nullptr;  // "H264", "H265", "AV1", "VP9", "VP8"; null: none
  const char* video_profile = "";     // "High", "Main", ...
  const char* video_level = "";       // "3.1", ...
  uint32_t width = 0;
  uint32_t height = 0;
  const char* audio_codec = nullptr;  // "AAC", "MP3", "Opus", "FLAC", "AC3", "EAC3", ...
  const char* audio_profile = "";     // "LC", "HE", "HEv2" for AAC
  uint32_t sample_rate = 0;
  uint8_t channels = 0;
};

// Fills the video fields from a video tag body: an AVC/HEVC/AV1 sequence
// header, or any coded frame of a codec that has none (VP8/VP9 name only).
[[nodiscard]] base::Status summarize_video(std::span<const uint8_t> body,
                                           CodecSummary& out) noexcept;

// Fills the audio fields from an audio tag body: an AAC or Opus sequence
// header, or an MP3 frame (MP3 has no sequence header).
[[nodiscard]] base::Status summarize_audio(std::span<const uint8_t> body,
                                           CodecSummary& out) noexcept;

}  // namespace srs::proto::flv
