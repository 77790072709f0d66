// HLS segmenting decisions and the file operations they imply (RFC 8216;
// the policy is described in segmenter.hpp).
#include "proto/hls/segmenter.hpp"

#include <algorithm>
#include <cmath>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "proto/hls/path_template.hpp"

namespace srs::proto::hls {

using base::Errc;
using base::Status;

// Less than the 500 ms EXTINF rounding allows, with room for jitter.
constexpr uint64_t kAudioSlackMs = 400;

struct Segmenter::Frame {
  bool video = false;
  bool keyframe = false;
  bool sequence_header = false;
  uint32_t dts = 0;
  int track() const noexcept { return video ? 0 : 1; }
};

uint32_t Segmenter::target_duration_for(const SegmenterConfig& config) noexcept {
  double ratio = std::max(config.td_ratio, 1.0);
  double ms = std::ceil(double(config.fragment_ms) * ratio);
  auto td = static_cast<uint32_t>(std::ceil(ms / 1000.0));
  return std::max<uint32_t>(td, 1);
}

Status Segmenter::validate(const SegmenterConfig& config) {
  if (config.fragment_ms == 0 || config.window_ms == 0)
    return Status::fail(Errc::kInvalid, "hls: fragment and window must be positive");
  if (!(config.td_ratio >= 1.0)) return Status::fail(Errc::kInvalid, "hls: td_ratio must be >= 1");
  PathVars vars{config.vhost, config.app, config.stream, 0};
  std::string m3u8 = render_path(config.m3u8_template, vars);
  std::string ts = render_path(config.ts_template, vars);
  if (!is_safe_path(m3u8) || !is_safe_path(ts))
    return Status::fail(Errc::kInvalid, "hls: a path template leaves the HLS root");
  if (config.ts_template.find("[seq]") == std::string::npos || m3u8 == ts)
    return Status::fail(Errc::kInvalid, "hls: the segment template needs [seq]");
  return Status::ok();
}

Segmenter::Segmenter(SegmenterConfig config, PlaylistState state)
    : config_(std::move(config)),
      playlist_(target_duration_for(config_), config_.window_ms, std::move(state)),
      muxer_(config_.muxer),
      force_ms_(target_duration_for(config_) * 1000) {
  m3u8_path_ = render_path(config_.m3u8_template, {config_.vhost, config_.app, config_.stream, 0});
  discontinuity_next_ = !playlist_.state().empty();  // a republish
}

void Segmenter::begin(uint64_t now_ms, Output& out) noexcept {
  out.clear();
  bytes_.clear();
  ranges_.clear();
  emitted_ = 0;
  now_ms_ = now_ms;
}

void Segmenter::on_video(uint32_t timestamp_ms, std::span<const uint8_t> body, uint64_t now_ms,
                         Output& out) {
  begin(now_ms, out);
  auto info = flv::classify_video(body);
  if (!info.is_ok()) {
    ++stats_.mux_errors;
    out.events.push_back({EventKind::kMuxError, seq_, 0, info.status()});
  } else if (!info->is_command && !info->is_metadata && !info->is_end_of_sequence) {
    Frame f{true, info->is_keyframe && !info->is_sequence_header, info->is_sequence_header,
            timestamp_ms};
    bool carried = info->codec == flv::VideoCodec::kAvc || info->codec == flv::VideoCodec::kHevc;
    // Frames the muxer cannot take must not open or cut segments either.
    if (!carried)
      report(f, Status::fail(Errc::kUnsupported, "hls: video codec not in MPEG-TS here"), out);
    else if (!f.sequence_header && !muxer_.has_video_config())
      report(f, Status::fail(Errc::kInvalid, "hls: video frame before its sequence header"), out);
    else
      on_media(f, body, now_ms, out);
  }
  finish(out);
}

void Segmenter::on_audio(uint32_t timestamp_ms, std::span<const uint8_t> body, uint64_t now_ms,
                         Output& out) {
  begin(now_ms, out);
  auto info = flv::classify_audio(body);
  if (!info.is_ok()) {
    ++stats_.mux_errors;
    out.events.push_back({EventKind::kMuxError, seq_, 0, info.status()});
  } else if (!info->is_sequence_end) {
    Frame f{false, false, info->is_sequence_header, timestamp_ms};
    bool aac = info->codec == flv::AudioCodec::kAac;
    if (!aac && info->codec != flv::AudioCodec::kMp3)
      report(f, Status::fail(Errc::kUnsupported, "hls: audio codec not in MPEG-TS here"), out);
    else if (aac && !f.sequence_header && !muxer_.has_audio_config())
      report(f, Status::fail(Errc::kInvalid, "hls: AAC frame before its sequence header"), out);
    else
      on_media(f, body, now_ms, out);
  }
  finish(out);
}

void Segmenter::on_media(const Frame& f, std::span<const uint8_t> body, uint64_t now_ms,
                         Output& out) {
  if (f.sequence_header) {
    on_sequence_header(f, body, out);
    return;
  }
  if (open_ && is_jump(f)) {
    // A new timeline: end the segment one frame after its last one (4.3.2.3).
    close_segment(media_end(), now_ms, out);
    discontinuity_next_ = true;
    seen_[0] = seen_[1] = false;
  }
  bool has_video = muxer_.has_video_config();
  if (!open_) {
    bool can_start = f.video ? f.keyframe : !has_video;
    if (!can_start) {
      ++stats_.dropped;
      out.events.push_back({EventKind::kDropped, seq_, 0, Status::ok()});
      return;
    }
    open_segment(f.dts, out);
  } else if (should_cut(f, out)) {
    close_segment(f.dts, now_ms, out);
    open_segment(f.dts, out);
  }
  mux(f, body, out);
  int t = f.track();
  if (seen_[t] && f.dts > last_dts_[t]) gap_ms_[t] = std::min<uint32_t>(f.dts - last_dts_[t], 1000);
  last_dts_[t] = f.dts;
  seen_[t] = true;
  max_dts_ = std::max(max_dts_, f.dts);
}

void Segmenter::on_sequence_header(const Frame& f, std::span<const uint8_t> body, Output& out) {
  std::vector<uint8_t>& last = f.video ? video_header_ : audio_header_;
  bool changed = !last.empty() && !std::equal(last.begin(), last.end(), body.begin(), body.end());
  ts::Program before = muxer_.program();
  Status st =
      f.video ? muxer_.write_video(f.dts, body, bytes_) : muxer_.write_audio(f.dts, body, bytes_);
  report(f, st, out);
  if (!st.is_ok()) return;
  last.assign(body.begin(), body.end());
  // 4.3.2.3: a change of encoding parameters or of the track set.
  bool tracks_changed = !(before == muxer_.program());
  if ((changed || tracks_changed) && (open_ || !playlist_.empty())) discontinuity_next_ = true;
}

uint32_t Segmenter::media_end() const noexcept {
  // Where the last frame of either track ends: its DTS plus that track's frame step.
  uint32_t end = max_dts_;
  for (int t = 0; t < 2; ++t)
    if (seen_[t] && last_dts_[t] >= seg_start_) end = std::max(end, last_dts_[t] + gap_ms_[t]);
  return end;
}

bool Segmenter::is_jump(const Frame& f) const noexcept {
  int t = f.track();
  if (seen_[t] && f.dts + 500 < last_dts_[t]) return true;  // backwards
  return f.dts > max_dts_ && f.dts - max_dts_ > config_.jump_ms;
}

bool Segmenter::should_cut(const Frame& f, Output& out) noexcept {
  bool has_video = muxer_.has_video_config();
  uint32_t dur = f.dts > seg_start_ ? f.dts - seg_start_ : 0;
  bool start_point = has_video ? f.video && f.keyframe : !f.video;
  if (start_point && (discontinuity_next_ || dur >= config_.fragment_ms)) return true;
  // 4.3.3.1: EXTINF <= target duration. Cut now if the next frame of this
  // track (one gap later) would already make the segment too long. With
  // video, audio cuts only when video is late past the rounding slack
  // (EXTINF is compared rounded), so a keyframe due right at the target wins.
  uint64_t limit = force_ms_ + (has_video && !f.video ? kAudioSlackMs : 0);
  if (dur == 0 || uint64_t{dur} + gap_ms_[f.track()] <= limit) return false;
  ++stats_.forced_cuts;
  out.events.push_back({EventKind::kForcedCut, seq_, dur, Status::ok()});
  return true;
}

void Segmenter::open_segment(uint32_t dts, Output& out) {
  seq_ = playlist_.allocate_sequence();
  seg_path_ = render_path(config_.ts_template, {config_.vhost, config_.app, config_.stream, seq_});
  seg_tmp_ = seg_path_ + ".tmp";
  out.ops.push_back({FileOpKind::kOpen, seq_, seg_path_, seg_tmp_, {}});
  seg_discontinuity_ = discontinuity_next_;
  discontinuity_next_ = false;
  if (seg_discontinuity_) {
    ++stats_.discontinuities;
    out.events.push_back({EventKind::kDiscontinuity, seq_, 0, Status::ok()});
  }
  muxer_.start_segment(bytes_, seg_discontinuity_);
  seg_start_ = max_dts_ = dts;
  open_ = true;
}

void Segmenter::close_segment(uint32_t end_dts, uint64_t now_ms, Output& out) {
  muxer_.flush(bytes_);
  emit_bytes(out);
  out.ops.push_back({FileOpKind::kClose, seq_, seg_path_, seg_tmp_, {}});
  uint32_t dur = end_dts > seg_start_ ? end_dts - seg_start_ : 0;
  SegmentInfo info;
  info.sequence = seq_;
  info.duration_ms = dur;
  info.discontinuity = seg_discontinuity_;
  info.uri = segment_uri(m3u8_path_, seg_path_, config_.entry_prefix);
  info.path = seg_path_;
  playlist_.add(std::move(info), now_ms);
  ++stats_.segments;
  out.events.push_back({EventKind::kSegment, seq_, dur, Status::ok()});
  playlist_dirty_ = true;
  open_ = false;
}

void Segmenter::mux(const Frame& f, std::span<const uint8_t> body, Output& out) {
  Status st =
      f.video ? muxer_.write_video(f.dts, body, bytes_) : muxer_.write_audio(f.dts, body, bytes_);
  report(f, st, out);
  emit_bytes(out);
}

void Segmenter::report(const Frame& f, const Status& st, Output& out) {
  // One event per track for a run of the same refusal (a codec MPEG-TS does
  // not carry here would otherwise log every frame); all are counted.
  base::Errc& last = last_error_[f.track()];
  if (st.is_ok()) {
    last = base::Errc::kOk;
    return;
  }
  ++stats_.mux_errors;
  if (last == st.code()) return;
  last = st.code();
  out.events.push_back({EventKind::kMuxError, seq_, 0, st});
}

void Segmenter::emit_bytes(Output& out) {
  if (bytes_.size() == emitted_) return;
  out.ops.push_back({FileOpKind::kAppend, seq_, {}, {}, {}});
  ranges_.emplace_back(emitted_, bytes_.size() - emitted_);
  emitted_ = bytes_.size();
}

void Segmenter::tick(uint64_t now_ms, Output& out) {
  begin(now_ms, out);
  finish(out);
}

void Segmenter::on_unpublish(uint64_t now_ms, bool end_list, Output& out) {
  begin(now_ms, out);
  if (open_) close_segment(media_end(), now_ms, out);
  discontinuity_next_ = true;
  seen_[0] = seen_[1] = false;
  end_list_ = end_list;
  playlist_dirty_ = !playlist_.empty();
  finish(out);
  end_list_ = false;
}

void Segmenter::dispose(Output& out) {
  begin(now_ms_, out);
  if (open_) {
    close_segment(max_dts_, now_ms_, out);
    playlist_dirty_ = false;
  }
  std::vector<PendingDeletion> all;
  playlist_.take_all(all);
  for (auto& d : all)
    out.ops.push_back({FileOpKind::kDelete, d.sequence, std::move(d.path), {}, {}});
  out.ops.push_back({FileOpKind::kDelete, 0, m3u8_path_, {}, {}});
  finish(out);
}

void Segmenter::write_playlist(bool end_list, Output& out) {
  playlist_.render(text_, end_list);
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text_.data()), text_.size());
  out.ops.push_back({FileOpKind::kWritePlaylist, 0, m3u8_path_, m3u8_path_ + ".tmp", bytes});
  playlist_dirty_ = false;
}

void Segmenter::emit_deletions(uint64_t now_ms, Output& out) {
  std::vector<PendingDeletion> due;
  if (playlist_.state().deletions.empty()) return;
  playlist_.take_due(now_ms, due);
  for (auto& d : due)
    out.ops.push_back({FileOpKind::kDelete, d.sequence, std::move(d.path), {}, {}});
}

void Segmenter::finish(Output& out) {
  emit_bytes(out);
  if (playlist_dirty_) write_playlist(end_list_, out);
  emit_deletions(now_ms_, out);
  size_t r = 0;
  for (auto& op : out.ops) {
    if (op.kind != FileOpKind::kAppend || op.path.size()) continue;
    op.bytes = {bytes_.data() + ranges_[r].first, ranges_[r].second};
    ++r;
  }
}

}  // namespace srs::proto::hls
