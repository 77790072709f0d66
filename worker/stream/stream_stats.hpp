// StreamStats in the worker: how the publisher fills a stream's shared
// statistics (shm::StreamStats) and how the API reads them back.
//
// The codec words hold small numbers, not text: each name a CodecSummary can
// carry ("H264", "High", "3.1", "AAC", "LC"...) has a fixed index in one
// table here, word = index + 1, 0 = none. A name missing from the table
// reads back as "Unknown". Only this file knows the encoding, and every
// process of a server runs the same binary.
//
// Writes happen on sequence headers only (and on the first frame of a codec
// that has none, MP3, VP8, VP9); the byte and message counters at each flush;
// the bitrate every kBitrateStepMs, over the last one to two steps.
#pragma once

#include <cstdint>
#include <span>

#include "proto/flv/codec_summary.hpp"
#include "shm/registry.hpp"

namespace srs::worker {

// The word of a codec, profile or level name; 0 for null or "".
uint32_t stats_name_word(const char* name) noexcept;
// The name of a word: "" for 0, "Unknown" for a word not in the table.
const char* stats_word_name(uint32_t word) noexcept;

// The codecs of a stream as the API shows them (names from the words).
proto::flv::CodecSummary stream_codecs(const shm::StreamInfo& info) noexcept;

class StreamStatsWriter {
 public:
  static constexpr int64_t kBitrateStepMs = 5000;

  explicit StreamStatsWriter(shm::StreamStats* stats = nullptr) noexcept : stats_(stats) {}
  void bind(shm::StreamStats* stats) noexcept { stats_ = stats; }

  // A video or audio message body; cheap unless it is a sequence header (or
  // the first frame of a codec without one).
  void on_video(std::span<const uint8_t> body, bool sequence_header) noexcept;
  void on_audio(std::span<const uint8_t> body, bool sequence_header) noexcept;
  // At each flush: the publisher's totals so far, CLOCK_MONOTONIC ms.
  void on_flush(uint64_t bytes, uint64_t messages, uint64_t video_frames, int64_t now_ms) noexcept;

 private:
  shm::StreamStats* stats_;
  bool video_known_ = false, audio_known_ = false;
  int64_t mark_ms_[2] = {-1, -1};  // the two last step boundaries (older first)
  uint64_t mark_bytes_[2] = {0, 0};
};

}  // namespace srs::worker
