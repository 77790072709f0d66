// The live playlist window and its text (RFC 8216 4.3, 6.2.2).
#include "proto/hls/playlist.hpp"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace srs::proto::hls {

namespace {

// "#TAG:value" -> value as an unsigned number; false when absent or malformed.
bool tag_number(std::string_view line, std::string_view tag, uint64_t& out) {
  if (line.substr(0, tag.size()) != tag) return false;
  auto v = line.substr(tag.size());
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  return r.ec == std::errc() && r.ptr == v.data() + v.size();
}

// "#EXTINF:4.000," -> 4000 (ms).
bool extinf_ms(std::string_view line, uint32_t& out) {
  constexpr std::string_view kTag = "#EXTINF:";
  if (line.substr(0, kTag.size()) != kTag) return false;
  auto v = line.substr(kTag.size());
  v = v.substr(0, v.find(','));
  double seconds = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (r.ec != std::errc() || !(seconds >= 0) || seconds > 86400) return false;
  out = static_cast<uint32_t>(seconds * 1000 + 0.5);
  return true;
}

std::string uri_to_path(std::string_view playlist_path, std::string_view uri) {
  if (uri.find("://") != std::string_view::npos) return {};
  if (!uri.empty() && uri.front() == '/') return std::string(uri.substr(1));
  size_t slash = playlist_path.rfind('/');
  std::string path(slash == std::string_view::npos ? "" : playlist_path.substr(0, slash + 1));
  return path.append(uri);
}

}  // namespace

base::Result<PlaylistState> parse_playlist(std::string_view text, std::string_view playlist_path) {
  PlaylistState st;
  if (text.substr(0, 7) != "#EXTM3U")
    return base::Status::fail(base::Errc::kInvalid, "hls: not a playlist (no #EXTM3U)");
  SegmentInfo next;
  bool have_extinf = false;
  uint64_t total = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    uint64_t n = 0;
    if (tag_number(line, "#EXT-X-MEDIA-SEQUENCE:", n))
      st.media_sequence = n;
    else if (tag_number(line, "#EXT-X-DISCONTINUITY-SEQUENCE:", n))
      st.discontinuity_sequence = n;
    else if (line == "#EXT-X-DISCONTINUITY")
      next.discontinuity = true;
    else if (extinf_ms(line, next.duration_ms))
      have_extinf = true;
    else if (!line.empty() && line.front() != '#') {
      if (!have_extinf)
        return base::Status::fail(base::Errc::kInvalid, "hls: a URI without #EXTINF");
      next.sequence = st.media_sequence + st.segments.size();
      next.uri = std::string(line);
      next.path = uri_to_path(playlist_path, line);
      total += next.duration_ms;
      st.segments.push_back(std::move(next));
      next = SegmentInfo();
      have_extinf = false;
    }
  }
  for (auto& s : st.segments) s.longest_playlist_ms = total;
  st.next_sequence = st.media_sequence + st.segments.size();
  return st;
}

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
