// FLV files cut from a live stream (see file_writer.hpp).
#include "proto/flv/file_writer.hpp"

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/tag_writer.hpp"
#include "proto/flv/video_tag.hpp"

#include <algorithm>

namespace srs::proto::flv {
namespace {

// An ECMA array / object property "duration" of type number (AMF0 2.2, 2.5,
// 2.10): UTF-8 length, the name, the number marker; the double follows.
constexpr uint8_t kDurationKey[] = {0x00, 0x08, 'd', 'u', 'r', 'a', 't', 'i', 'o', 'n', 0x00};

// The offset of the duration's 8 bytes in `body`, or 0.
size_t find_duration(std::span<const uint8_t> body) noexcept {
  auto it = std::search(body.begin(), body.end(), std::begin(kDurationKey), std::end(kDurationKey));
  if (it == body.end()) return 0;
  size_t at = size_t(it - body.begin()) + sizeof kDurationKey;
  return at + 8 <= body.size() ? at : 0;
}

}  // namespace

bool FileWriter::is_keyframe(std::span<const uint8_t> body) noexcept {
  base::Result<VideoTagInfo> info = classify_video(body);
  return info.is_ok() && info->is_keyframe && !info->is_sequence_header && !info->is_command;
}

void FileWriter::on_metadata(uint32_t ts, std::span<const uint8_t> body) {
  metadata_.assign(body.begin(), body.end());
  if (started_) put(TagType::kScript, ts, body);
}

void FileWriter::on_video(uint32_t ts, std::span<const uint8_t> body) {
  has_video_ = true;
  base::Result<VideoTagInfo> info = classify_video(body);
  if (info.is_ok() && info->is_sequence_header) {
    video_header_.assign(body.begin(), body.end());
    if (started_) put(TagType::kVideo, ts, body);  // a new configuration mid-file
    return;
  }
  if (!started_ && !is_keyframe(body)) return;  // a file starts at a keyframe
  if (!started_) start(ts);
  put(TagType::kVideo, ts, body);
}

void FileWriter::on_audio(uint32_t ts, std::span<const uint8_t> body) {
  base::Result<AudioTagInfo> info = classify_audio(body);
  if (info.is_ok() && info->is_sequence_header) {
    audio_header_.assign(body.begin(), body.end());
    if (started_) put(TagType::kAudio, ts, body);
    return;
  }
  if (!started_ && has_video_) return;  // audio before the first keyframe
  if (!started_) start(ts);             // an audio-only stream
  put(TagType::kAudio, ts, body);
}

// E.2 header and PreviousTagSize0, then what a decoder needs first, at 0.
void FileWriter::start(uint32_t ts) {
  started_ = true;
  base_ = ts;
  uint8_t head[kFileStartSize];
  write_file_start(!audio_header_.empty() || !has_video_, has_video_, head);
  out_->insert(out_->end(), head, head + kFileStartSize);
  file_bytes_ = kFileStartSize;
  if (!metadata_.empty()) {
    size_t at = find_duration(metadata_);
    if (at != 0) duration_offset_ = file_bytes_ + kTagHeaderSize + at;
    put(TagType::kScript, ts, metadata_);
  }
  if (!video_header_.empty()) put(TagType::kVideo, ts, video_header_);
  if (!audio_header_.empty()) put(TagType::kAudio, ts, audio_header_);
}

// Timestamps before the file's start (audio a little before the keyframe,
// a publisher going backwards) are written as 0.
uint32_t FileWriter::rebase(uint32_t ts) const noexcept {
  int32_t delta = int32_t(ts - base_);
  return delta < 0 ? 0 : uint32_t(delta);
}

// E.4.1 FLVTAG followed by E.3 PreviousTagSize.
void FileWriter::put(TagType type, uint32_t ts, std::span<const uint8_t> body) {
  TagFraming framing;
  uint32_t at = rebase(ts);
  if (!make_tag_framing(type, at, uint32_t(body.size()), framing).is_ok()) return;  // over 16 MB
  out_->insert(out_->end(), framing.header, framing.header + kTagHeaderSize);
  out_->insert(out_->end(), body.begin(), body.end());
  out_->insert(out_->end(), framing.previous_size, framing.previous_size + kPreviousTagSizeSize);
  file_bytes_ += kTagHeaderSize + body.size() + kPreviousTagSizeSize;
  if (at > duration_ms_) duration_ms_ = at;
}

}  // namespace srs::proto::flv
