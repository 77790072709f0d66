// SyntheticStream: a live stream of a given bitrate and GOP made of valid FLV
// tags with arbitrary payload bytes, for load without an encoder.
//
// Video: legacy AVC (FLV v10.1 E.4.3.1, CodecID 7): the AVC sequence header of
// a real x264 320x240 baseline encode first, then one NALU packet per frame at
// `fps`, a keyframe (IDR slice, FrameType 1) every `gop_ms`. Each frame holds
// a latency stamp NAL unit (latency_stamp.hpp) and one slice NAL unit of
// filler bytes sized so the stream averages the bitrate (keyframes are 8x an
// inter frame, as x264 output roughly is). Audio: AAC (E.4.2.1, SoundFormat 10),
// the AudioSpecificConfig of AAC-LC 44.1 kHz stereo first, then one raw frame
// every 1024 samples (23.2 ms) of `audio_bps`.
//
// Header-only so the unit tests (which link only libsrs.a) can use it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/bytes.hpp"
#include "tools/srs-bench/latency_stamp.hpp"
#include "tools/srs-bench/media_source.hpp"

namespace srs::tools::srs_bench {

struct SyntheticConfig {
  uint64_t bitrate_bps = 1100 * 1000;  // video + audio payload
  uint32_t gop_ms = 2000;
  uint32_t fps = 25;
  uint32_t audio_bps = 64 * 1000;  // 0: no audio
};

class SyntheticStream final : public MediaSource {
 public:
  static constexpr uint32_t kAudioSampleRate = 44100;
  static constexpr uint32_t kAudioFrameSamples = 1024;
  static constexpr uint32_t kKeyframeWeight = 8;  // a keyframe is this many inter frames
  static constexpr uint32_t kMinVideoFrame = 64;

  explicit SyntheticStream(const SyntheticConfig& config) : config_(config) {
    config_.fps = std::clamp<uint32_t>(config_.fps, 1, 240);
    config_.gop_ms = std::max<uint32_t>(config_.gop_ms, 1000 / config_.fps);
    config_.audio_bps =
        static_cast<uint32_t>(std::min<uint64_t>(config_.audio_bps, config_.bitrate_bps / 4));
    frames_per_gop_ = std::max<uint32_t>(1, config_.gop_ms * config_.fps / 1000);
    uint64_t video_bps = config_.bitrate_bps - config_.audio_bps;
    uint64_t gop_bytes = video_bps / 8 * config_.gop_ms / 1000;
    uint64_t units = frames_per_gop_ - 1 + kKeyframeWeight;
    inter_size_ = static_cast<uint32_t>(std::max<uint64_t>(gop_bytes / units, kMinVideoFrame));
    key_size_ = inter_size_ * kKeyframeWeight;
    audio_size_ = static_cast<uint32_t>(std::max<uint64_t>(
        uint64_t{config_.audio_bps} / 8 * kAudioFrameSamples / kAudioSampleRate, 8));
    buf_.resize(
        std::max<size_t>({key_size_, audio_size_, kAvcVideoHeaderSize + kStampSize + 6, 64}));
  }

  uint32_t next_timestamp() const noexcept override {
    if (headers_sent_ < 2) return 0;
    uint32_t v = video_ts();
    return has_audio() ? std::min(v, audio_ts()) : v;
  }

  MediaFrame take() noexcept override {
    if (headers_sent_ == 0) return video_header();
    if (headers_sent_ == 1) return audio_header();
    if (has_audio() && audio_ts() < video_ts()) return audio_frame();
    return video_frame();
  }

  uint32_t frames_per_gop() const noexcept { return frames_per_gop_; }
  uint32_t keyframe_size() const noexcept { return key_size_; }
  uint32_t inter_size() const noexcept { return inter_size_; }

 private:
  bool has_audio() const noexcept { return config_.audio_bps > 0; }
  uint32_t video_ts() const noexcept {
    return static_cast<uint32_t>(video_index_ * 1000 / config_.fps);
  }
  uint32_t audio_ts() const noexcept {
    return static_cast<uint32_t>(audio_index_ * kAudioFrameSamples * 1000 / kAudioSampleRate);
  }

  MediaFrame video_header() noexcept {
    // An x264 320x240 baseline AVCDecoderConfigurationRecord (ISO 14496-15 5.2.4.1).
    static constexpr uint8_t kHeader[] = {
        0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0x00, 0x18, 0x67, 0x42,
        0xc0, 0x1e, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00,
        0x03, 0x03, 0x20, 0xf1, 0x62, 0xe4, 0x80, 0x01, 0x00, 0x04, 0x68, 0xcb, 0x8c, 0xb2};
    ++headers_sent_;
    std::copy(std::begin(kHeader), std::end(kHeader), buf_.begin());
    return {proto::flv::TagType::kVideo, 0, true, true, {buf_.data(), sizeof kHeader}, -1};
  }

  MediaFrame audio_header() noexcept {
    ++headers_sent_;
    // AAC, 44 kHz, 16-bit, stereo; AACPacketType 0; AudioSpecificConfig LC 44.1k 2ch.
    static constexpr uint8_t kHeader[] = {0xaf, 0x00, 0x12, 0x10};
    std::copy(std::begin(kHeader), std::end(kHeader), buf_.begin());
    return {proto::flv::TagType::kAudio, 0, false, true, {buf_.data(), sizeof kHeader}, -1};
  }

  MediaFrame audio_frame() noexcept {
    uint32_t ts = audio_ts();
    ++audio_index_;
    buf_[0] = 0xaf;
    buf_[1] = 0x01;
    std::fill_n(buf_.begin() + 2, audio_size_ - 2,
                static_cast<uint8_t>(0x21 + (audio_index_ & 0x3f)));
    return {proto::flv::TagType::kAudio, ts, false, false, {buf_.data(), audio_size_}, -1};
  }

  MediaFrame video_frame() noexcept {
    uint32_t ts = video_ts();
    bool key = video_index_ % frames_per_gop_ == 0;
    ++video_index_;
    uint32_t size =
        std::max<uint32_t>(key ? key_size_ : inter_size_, kAvcVideoHeaderSize + kStampSize + 6);
    uint8_t* p = buf_.data();
    p[0] = key ? 0x17 : 0x27;  // FrameType 1/2, CodecID 7
    p[1] = 0x01;               // AVCPacketType: NALUs
    p[2] = p[3] = p[4] = 0;    // CompositionTime 0
    write_stamp(0, p + kAvcVideoHeaderSize);
    uint8_t* slice = p + kAvcVideoHeaderSize + kStampSize;
    uint32_t slice_len = size - static_cast<uint32_t>(slice - p) - 4;
    base::store_be32(slice, slice_len);
    slice[4] = key ? 0x65 : 0x41;  // IDR slice / non-IDR slice (nal_ref_idc 3 / 2)
    std::fill_n(slice + 5, slice_len - 1, static_cast<uint8_t>(0x9a + (video_index_ & 0x1f)));
    return {proto::flv::TagType::kVideo,          ts, key, false, {p, size},
            static_cast<int>(kAvcVideoHeaderSize)};
  }

  SyntheticConfig config_;
  uint32_t frames_per_gop_ = 1;
  uint32_t key_size_ = 0;
  uint32_t inter_size_ = 0;
  uint32_t audio_size_ = 0;
  int headers_sent_ = 0;
  uint64_t video_index_ = 0;
  uint64_t audio_index_ = 0;
  std::vector<uint8_t> buf_;
};

}  // namespace srs::tools::srs_bench
