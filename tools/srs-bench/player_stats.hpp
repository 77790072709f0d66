// PlayerStats: what one player saw (bytes, first frame and keyframe, stalls,
// latency), and Totals: what the whole run saw, for the live progress line
// and the final report. Fed by every player kind with FLV-style tags (an RTMP
// audio/video message carries the same body as an FLV tag).
#pragma once

#include <cstdint>
#include <span>

#include "tools/srs-bench/latency_histogram.hpp"

namespace srs::tools::srs_bench {

struct Totals {
  // Publish-to-receive, us, of every stamped frame a player received that was
  // published after its play request (GOP-cache frames are older by design).
  LatencyHistogram latency;
  uint64_t bytes_in = 0;   // all players, socket bytes
  uint64_t bytes_out = 0;  // all publishers, socket bytes
  uint64_t errors = 0;     // connections that failed or were closed by the server
  uint64_t stamps_sent = 0;
  int64_t stall_ns = 1000000000;  // a media gap longer than this is a stall
};

class PlayerStats {
 public:
  // The play request went out (RTMP play, HTTP GET, or the TCP connect for raw).
  void on_request(int64_t now_ns) noexcept { request_ns_ = now_ns; }
  // One audio (8) or video (9) tag body, or script data (18), received at now_ns.
  void on_tag(uint8_t type, std::span<const uint8_t> body, int64_t now_ns, Totals& totals) noexcept;
  // Raw TCP: bytes only.
  void on_raw(size_t len, int64_t now_ns, Totals& totals) noexcept;
  // End of the run: a player silent since its last frame for too long stalled once more.
  void finish(int64_t end_ns, const Totals& totals) noexcept;

  int64_t request_ns() const noexcept { return request_ns_; }
  int64_t first_frame_ns() const noexcept { return first_frame_ns_; }
  int64_t first_key_ns() const noexcept { return first_key_ns_; }
  int64_t last_media_ns() const noexcept { return last_media_ns_; }
  uint64_t media_bytes() const noexcept { return media_bytes_; }
  uint64_t video_frames() const noexcept { return video_frames_; }
  uint64_t audio_frames() const noexcept { return audio_frames_; }
  uint64_t stalls() const noexcept { return stalls_; }
  int64_t max_gap_ns() const noexcept { return max_gap_ns_; }
  // Stamped frames published after the play request (their latency is
  // recorded) and before it (served from a GOP cache; not recorded).
  uint64_t stamps() const noexcept { return stamps_; }
  uint64_t cached_stamps() const noexcept { return cached_stamps_; }
  uint64_t max_latency_us() const noexcept { return max_latency_us_; }
  bool played() const noexcept { return first_frame_ns_ != 0; }
  bool saw_video() const noexcept { return video_frames_ > 0; }

 private:
  void on_media(int64_t now_ns, const Totals& totals) noexcept;

  int64_t request_ns_ = 0;
  int64_t first_frame_ns_ = 0;
  int64_t first_key_ns_ = 0;
  int64_t last_media_ns_ = 0;
  uint64_t media_bytes_ = 0;
  uint64_t video_frames_ = 0;
  uint64_t audio_frames_ = 0;
  uint64_t stalls_ = 0;
  int64_t max_gap_ns_ = 0;
  uint64_t stamps_ = 0;
  uint64_t cached_stamps_ = 0;
  uint64_t max_latency_us_ = 0;
};

}  // namespace srs::tools::srs_bench
