// The live playlist window and its text (RFC 8216 4.3, 6.2.2).
#include "proto/hls/playlist.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace srs::proto::hls {

Playlist::Playlist(uint32_t target_duration_s, uint32_t window_ms, PlaylistState state)
    : target_s_(std::max<uint32_t>(target_duration_s, 1)),
      window_ms_(window_ms),
      state_(std::move(state)) {
  for (const auto& s : state_.segments) total_ms_ += s.duration_ms;
  if (!state_.segments.empty()) state_.media_sequence = state_.segments.front().sequence;
}

void Playlist::add(SegmentInfo segment, uint64_t now_ms) {
  if (state_.segments.empty()) state_.media_sequence = segment.sequence;
  total_ms_ += segment.duration_ms;
  state_.segments.push_back(std::move(segment));
  slide(now_ms);
  for (auto& s : state_.segments)
    s.longest_playlist_ms = std::max(s.longest_playlist_ms, total_ms_);
}

void Playlist::slide(uint64_t now_ms) {
  // 6.2.2: never shorter than three target durations once a segment is removed.
  uint64_t keep = std::max<uint64_t>(window_ms_, uint64_t{3} * target_s_ * 1000);
  while (state_.segments.size() > 1 && total_ms_ - state_.segments.front().duration_ms >= keep) {
    SegmentInfo& head = state_.segments.front();
    total_ms_ -= head.duration_ms;
    if (head.discontinuity) ++state_.discontinuity_sequence;  // 6.2.2
    // 6.2.2: available for its duration + the longest playlist that held it.
    uint64_t due = now_ms + head.duration_ms +
                   std::max(head.longest_playlist_ms, total_ms_ + head.duration_ms);
    state_.deletions.push_back({head.sequence, std::move(head.path), due});
    state_.segments.pop_front();
    state_.media_sequence = state_.segments.front().sequence;
  }
}

void Playlist::take_due(uint64_t now_ms, std::vector<PendingDeletion>& out) {
  auto& d = state_.deletions;
  auto due = std::stable_partition(d.begin(), d.end(),
                                   [&](const PendingDeletion& p) { return p.due_ms <= now_ms; });
  std::move(d.begin(), due, std::back_inserter(out));
  d.erase(d.begin(), due);
}

void Playlist::take_all(std::vector<PendingDeletion>& out) {
  std::move(state_.deletions.begin(), state_.deletions.end(), std::back_inserter(out));
  state_.deletions.clear();
  for (auto& s : state_.segments) out.push_back({s.sequence, std::move(s.path), 0});
  state_.segments.clear();
  total_ms_ = 0;
}

void Playlist::render(std::string& out, bool end_list) const {
  char line[96];
  out.clear();
  out += "#EXTM3U\n#EXT-X-VERSION:3\n";  // 4.3.1.2; 7: version 3 for decimal EXTINF
  std::snprintf(line, sizeof line, "#EXT-X-TARGETDURATION:%" PRIu32 "\n", target_s_);
  out += line;
  std::snprintf(line, sizeof line, "#EXT-X-MEDIA-SEQUENCE:%" PRIu64 "\n", state_.media_sequence);
  out += line;
  if (state_.discontinuity_sequence) {
    std::snprintf(line, sizeof line, "#EXT-X-DISCONTINUITY-SEQUENCE:%" PRIu64 "\n",
                  state_.discontinuity_sequence);
    out += line;
  }
  for (const auto& s : state_.segments) {
    if (s.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    std::snprintf(line, sizeof line, "#EXTINF:%" PRIu32 ".%03" PRIu32 ",\n", s.duration_ms / 1000,
                  s.duration_ms % 1000);
    out += line;
    out += s.uri;
    out += '\n';
  }
  if (end_list) out += "#EXT-X-ENDLIST\n";
}

}  // namespace srs::proto::hls
