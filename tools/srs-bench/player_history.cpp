// PlayerHistory: one player across its connections (see player_history.hpp).
#include "tools/srs-bench/player_history.hpp"

#include <algorithm>

namespace srs::tools::srs_bench {

namespace {

constexpr double kNsPerMs = 1e6;
constexpr double kNsPerS = 1e9;

double ms_between(int64_t from_ns, int64_t to_ns) {
  if (from_ns == 0 || to_ns == 0) return -1;
  return static_cast<double>(to_ns - from_ns) / kNsPerMs;
}

}  // namespace

void PlayerHistory::end(ConnectionEnd e, int64_t last_media_ns, int64_t closed_ns) noexcept {
  if (e.phase[0] == 'c') {
    ++connect_failures_;
  } else if (e.rejected) {
    ++rejected_;
  } else {
    ++drops_;
    // A drop during the set-up of a reconnect leaves the first gap open.
    if (!gap_open_) {
      gap_open_ = true;
      gap_from_ns_ = last_media_ns != 0 ? last_media_ns : closed_ns;
    }
  }
  ends_.push_back(std::move(e));
}

void PlayerHistory::fold(bool connected, uint64_t bytes_in, const PlayerStats& st) noexcept {
  ++folded_;
  connected_ |= connected;
  saw_video_ |= st.saw_video();
  bytes_ += bytes_in;
  media_bytes_ += st.media_bytes();
  frames_ += st.video_frames() + st.audio_frames();
  stalls_ += st.stalls();
  stamps_ += st.stamps();
  cached_ += st.cached_stamps();
  max_gap_ns_ = std::max(max_gap_ns_, st.max_gap_ns());
  max_latency_us_ = std::max(max_latency_us_, st.max_latency_us());
  if (first_frame_ns_ == 0 && st.first_frame_ns() != 0) {
    request_ns_ = st.request_ns();
    first_frame_ns_ = st.first_frame_ns();
    first_key_ns_ = st.first_key_ns();
  }
}

void PlayerHistory::watch(const PlayerStats& current) noexcept {
  if (!gap_open_ || current.first_frame_ns() == 0) return;
  int64_t gap = current.first_frame_ns() - gap_from_ns_;
  gap_open_ = false;
  ++gaps_;
  gap_max_ns_ = std::max(gap_max_ns_, gap);
  gap_total_ns_ += gap;
}

void PlayerHistory::merge_into(ClientRow* r, int64_t end_ns) const noexcept {
  r->connections = connections();
  r->drops = drops_;
  r->connect_failures = connect_failures_;
  r->rejected = rejected_;
  r->leaves = leaves_;
  r->ends = ends_;
  r->drop_gaps = gaps_;
  r->drop_gap_max_ms = static_cast<double>(gap_max_ns_) / kNsPerMs;
  r->drop_gap_total_ms = static_cast<double>(gap_total_ns_) / kNsPerMs;
  r->open_gap = gap_open_;
  if (gap_open_ && end_ns > gap_from_ns_) {
    r->drop_gap_max_ms =
        std::max(r->drop_gap_max_ms, static_cast<double>(end_ns - gap_from_ns_) / kNsPerMs);
  }
  r->max_gap_ms = std::max(r->max_gap_ms, r->drop_gap_max_ms);
  if (folded_ == 0) return;
  r->connected |= connected_;
  r->saw_video |= saw_video_;
  r->bytes += bytes_;
  r->media_bytes += media_bytes_;
  r->frames += frames_;
  r->stalls += stalls_;
  r->stamps += stamps_;
  r->cached_stamps += cached_;
  r->max_gap_ms = std::max(r->max_gap_ms, static_cast<double>(max_gap_ns_) / kNsPerMs);
  r->max_latency_ms = std::max(r->max_latency_ms, static_cast<double>(max_latency_us_) / 1000);
  if (first_frame_ns_ == 0) return;  // no earlier connection played: the current one's times
  r->first_frame_ms = ms_between(request_ns_, first_frame_ns_);
  r->first_key_ms = ms_between(request_ns_, first_key_ns_);
  r->request_s = static_cast<double>(request_ns_) / kNsPerS;
  r->first_key_s = static_cast<double>(first_key_ns_) / kNsPerS;
  r->rate_bps = end_ns > first_frame_ns_ ? static_cast<double>(r->media_bytes) * 8 * kNsPerS /
                                               static_cast<double>(end_ns - first_frame_ns_)
                                         : 0;
}

}  // namespace srs::tools::srs_bench
