// A stream's shared statistics: the publisher's writer and the API's reader
// (see stream_stats.hpp).
#include "worker/stream/stream_stats.hpp"

#include <cstring>
#include <iterator>

namespace srs::worker {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// Every name proto/flv/codec_summary.cpp and the proto/codec name functions
// return. Append only: the index is the encoding (a running server's words
// keep their meaning across a reload to the same binary).
// One line per family of names:
// clang-format off
constexpr const char* kNames[] = {
    "Unknown",
    // video codecs
    "H264", "H265", "AV1", "VP9", "VP8",
    // audio codecs
    "AAC", "MP3", "Opus", "FLAC", "AC3", "EAC3", "Speex", "PCMA", "PCMU", "PCM", "Nellymoser",
    "ADPCM",
    // H.264 profiles (avc_profile_name)
    "Baseline", "Constrained Baseline", "Main", "Extended", "High", "High 10", "High 10 Intra",
    "High 4:2:2", "High 4:2:2 Intra", "High 4:4:4 Predictive", "High 4:4:4 Intra", "CAVLC 4:4:4",
    // H.265 profiles (hevc_profile_name)
    "Main 10", "Main Still Picture", "Rext", "SCC",
    // AV1 profiles
    "Professional",
    // AAC profiles (aac_profile_name)
    "LC", "HE", "HEv2", "SSR", "LTP",
    // levels: H.264 (Table A-1), H.265 (A.4), AV1 (A.3)
    "1", "1b", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "3", "3.1", "3.2", "4", "4.1", "4.2", "5",
    "5.1", "5.2", "6", "6.1", "6.2", "2.0", "2.3", "3.0", "3.3", "4.0", "4.3", "5.0", "5.3", "6.0",
    "6.3", "7.0", "7.1", "7.2", "7.3",
};
// clang-format on
constexpr uint32_t kNameCount = uint32_t(std::size(kNames));

}  // namespace

uint32_t stats_name_word(const char* name) noexcept {
  if (name == nullptr || *name == '\0') return 0;
  for (uint32_t i = 0; i < kNameCount; ++i) {
    if (std::strcmp(kNames[i], name) == 0) return i + 1;
  }
  return 1;  // "Unknown"
}

const char* stats_word_name(uint32_t word) noexcept {
  if (word == 0) return "";
  return word <= kNameCount ? kNames[word - 1] : "Unknown";
}

proto::flv::CodecSummary stream_codecs(const shm::StreamInfo& info) noexcept {
  proto::flv::CodecSummary s;
  if (info.video_codec != 0) {
    s.video_codec = stats_word_name(info.video_codec);
    s.video_profile = stats_word_name(info.video_profile);
    s.video_level = stats_word_name(info.video_level);
    s.width = info.video_width;
    s.height = info.video_height;
  }
  if (info.audio_codec != 0) {
    s.audio_codec = stats_word_name(info.audio_codec);
    s.audio_profile = stats_word_name(info.audio_profile);
    s.sample_rate = info.audio_sample_rate;
    s.channels = uint8_t(info.audio_channels);
  }
  return s;
}

void StreamStatsWriter::on_video(std::span<const uint8_t> body, bool sequence_header) noexcept {
  if (stats_ == nullptr || (video_known_ && !sequence_header)) return;
  proto::flv::CodecSummary s;
  if (!proto::flv::summarize_video(body, s).is_ok() || s.video_codec == nullptr) return;
  video_known_ = true;
  stats_->video_profile.store(stats_name_word(s.video_profile), kRelaxed);
  stats_->video_level.store(stats_name_word(s.video_level), kRelaxed);
  stats_->video_width.store(s.width, kRelaxed);
  stats_->video_height.store(s.height, kRelaxed);
  stats_->video_codec.store(stats_name_word(s.video_codec), kRelaxed);
}

void StreamStatsWriter::on_audio(std::span<const uint8_t> body, bool sequence_header) noexcept {
  if (stats_ == nullptr || (audio_known_ && !sequence_header)) return;
  proto::flv::CodecSummary s;
  if (!proto::flv::summarize_audio(body, s).is_ok() || s.audio_codec == nullptr) return;
  audio_known_ = true;
  stats_->audio_profile.store(stats_name_word(s.audio_profile), kRelaxed);
  stats_->audio_sample_rate.store(s.sample_rate, kRelaxed);
  stats_->audio_channels.store(s.channels, kRelaxed);
  stats_->audio_codec.store(stats_name_word(s.audio_codec), kRelaxed);
}

void StreamStatsWriter::on_flush(uint64_t bytes, uint64_t messages, uint64_t video_frames,
                                 int64_t now_ms) noexcept {
  if (stats_ == nullptr) return;
  stats_->bytes_in.reset(bytes);
  stats_->messages.reset(messages);
  stats_->video_frames.reset(video_frames);
  if (mark_ms_[1] < 0) {
    mark_ms_[0] = mark_ms_[1] = now_ms;
    mark_bytes_[0] = mark_bytes_[1] = bytes;
    return;
  }
  if (now_ms - mark_ms_[1] < kBitrateStepMs) return;
  // The rate since the older mark: over one step at first, then two (~10 s).
  const int64_t ms = now_ms - mark_ms_[0];
  const uint64_t kbps = ms > 0 ? (bytes - mark_bytes_[0]) * 8 / uint64_t(ms) : 0;
  stats_->bitrate_kbps.store(uint32_t(kbps), kRelaxed);
  mark_ms_[0] = mark_ms_[1];
  mark_bytes_[0] = mark_bytes_[1];
  mark_ms_[1] = now_ms;
  mark_bytes_[1] = bytes;
}

}  // namespace srs::worker
