// FileWriter: the bytes of FLV files cut from a live stream (DVR), into a
// caller-owned buffer; no I/O here (FLV v10.1 annex E.2, E.3, E.4).
//
// Each file starts with the FLV header, then the stream's last metadata and
// sequence headers (so every file plays on its own), then the tags from the
// first keyframe on; audio before it is dropped. Timestamps are rebased so
// that each file starts at 0. A stream without video starts at its first
// audio frame.
//
// The buffer keeps its capacity between flushes: appending a tag does not
// allocate once the buffer has grown (the publisher's hot path).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "proto/flv/tag.hpp"

namespace srs::proto::flv {

class FileWriter {
 public:
  // `out` receives the bytes; the caller writes them out and clears it.
  explicit FileWriter(std::vector<uint8_t>* out) noexcept : out_(out) {}

  void on_metadata(uint32_t ts, std::span<const uint8_t> body);
  void on_video(uint32_t ts, std::span<const uint8_t> body);
  void on_audio(uint32_t ts, std::span<const uint8_t> body);

  // The next tag starts a new file (header, metadata, sequence headers),
  // at the next keyframe.
  void begin_file() noexcept {
    started_ = false;
    file_bytes_ = duration_offset_ = 0;
    duration_ms_ = 0;
  }

  // Whether `body` is a video keyframe (not a sequence header): where a
  // segment may be cut.
  static bool is_keyframe(std::span<const uint8_t> body) noexcept;

  bool started() const { return started_; }
  // Media time since the file's first tag, and the bytes of the file so far.
  uint32_t duration_ms() const { return duration_ms_; }
  uint64_t file_bytes() const { return file_bytes_; }
  // The file time a tag at `ts` would get: where a segment cut is decided.
  uint32_t rebase(uint32_t ts) const noexcept;

  // Where, in the current file, the 8 bytes of the metadata's "duration"
  // number are (AMF0 2.2), or 0 when the metadata has none: the publisher's
  // value is the whole stream's (or 0), so the file's own duration goes
  // there when the file closes (as SRS's DVR does).
  uint64_t duration_field_offset() const { return duration_offset_; }

 private:
  void start(uint32_t ts);
  void put(TagType type, uint32_t ts, std::span<const uint8_t> body);

  std::vector<uint8_t>* out_;
  std::vector<uint8_t> metadata_, video_header_, audio_header_;
  bool has_video_ = false;  // the stream has sent video (sequence header or frame)
  bool started_ = false;
  uint32_t base_ = 0;
  uint32_t duration_ms_ = 0;
  uint64_t file_bytes_ = 0;
  uint64_t duration_offset_ = 0;
};

}  // namespace srs::proto::flv
