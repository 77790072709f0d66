// PlayerStats: per-player measurements (see player_stats.hpp).
#include "tools/srs-bench/player_stats.hpp"

#include <algorithm>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "tools/srs-bench/latency_stamp.hpp"

namespace srs::tools::srs_bench {

void PlayerStats::on_media(int64_t now_ns, const Totals& totals) noexcept {
  if (first_frame_ns_ == 0) first_frame_ns_ = now_ns;
  if (last_media_ns_ != 0) {
    int64_t gap = now_ns - last_media_ns_;
    max_gap_ns_ = std::max(max_gap_ns_, gap);
    if (gap > totals.stall_ns) ++stalls_;
  }
  last_media_ns_ = now_ns;
}

void PlayerStats::on_tag(uint8_t type, std::span<const uint8_t> body, int64_t now_ns,
                         Totals& totals) noexcept {
  if (type != 8 && type != 9) return;  // script data is not media
  media_bytes_ += body.size();
  if (type == 8) {
    auto info = proto::flv::classify_audio(body);
    if (info.is_ok() && info->is_sequence_header) return;
    ++audio_frames_;
    on_media(now_ns, totals);
    return;
  }
  auto info = proto::flv::classify_video(body);
  if (info.is_ok() && (info->is_sequence_header || info->is_command)) return;
  ++video_frames_;
  on_media(now_ns, totals);
  if (first_key_ns_ == 0 && info.is_ok() && info->is_keyframe) first_key_ns_ = now_ns;
  auto stamp = find_video_stamp(body);
  if (!stamp) return;
  // A frame published before the play request came from the server's GOP
  // cache: its age is not delivery latency. Count it apart.
  if (*stamp < request_ns_) {
    ++cached_stamps_;
    return;
  }
  int64_t us = (now_ns - *stamp) / 1000;
  ++stamps_;
  max_latency_us_ = std::max<uint64_t>(max_latency_us_, us < 0 ? 0 : static_cast<uint64_t>(us));
  totals.latency.record(us);
}

void PlayerStats::on_raw(size_t len, int64_t now_ns, Totals& totals) noexcept {
  media_bytes_ += len;
  on_media(now_ns, totals);
  if (first_key_ns_ == 0) first_key_ns_ = now_ns;
}

void PlayerStats::finish(int64_t end_ns, const Totals& totals) noexcept {
  if (last_media_ns_ == 0) return;
  int64_t gap = end_ns - last_media_ns_;
  max_gap_ns_ = std::max(max_gap_ns_, gap);
  if (gap > totals.stall_ns) ++stalls_;
}

}  // namespace srs::tools::srs_bench
