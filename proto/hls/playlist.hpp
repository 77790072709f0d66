// Playlist: the sliding window of a live HLS media playlist (RFC 8216) and
// its text. Pure state: it never touches files; removed segments come back
// as deletions that fall due later (section 6.2.2).
//
//  - EXT-X-TARGETDURATION is fixed at construction and never changes
//    (4.3.3.1: "MUST NOT change"); the segmenter keeps every EXTINF within it.
//  - EXT-X-MEDIA-SEQUENCE is the number of the first segment shown; it grows
//    by exactly one per segment removed from the head (6.2.2), never resets.
//  - EXT-X-DISCONTINUITY-SEQUENCE grows when a segment carrying
//    EXT-X-DISCONTINUITY leaves the playlist (4.3.3.3, 6.2.2).
//  - Segments are removed only while what stays lasts at least the window
//    and at least three target durations (6.2.2).
//  - A removed segment's file is deleted only after its duration plus the
//    longest duration of a playlist that contained it (6.2.2).
//  - EXT-X-VERSION 3 (decimal EXTINF, 7), no EXT-X-PLAYLIST-TYPE (live).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"

namespace srs::proto::hls {

struct SegmentInfo {
  uint64_t sequence = 0;  // media sequence number
  uint32_t duration_ms = 0;
  bool discontinuity = false;        // EXT-X-DISCONTINUITY before it
  std::string uri;                   // as the playlist shows it
  std::string path;                  // the file, relative to the HLS root
  uint64_t longest_playlist_ms = 0;  // longest playlist duration that contained it
};

struct PendingDeletion {
  uint64_t sequence = 0;
  std::string path;
  uint64_t due_ms = 0;  // caller's clock
};

// What survives a publisher restart: the caller keeps it and passes it back.
struct PlaylistState {
  uint64_t media_sequence = 0;  // of segments.front(), or of the next segment when empty
  uint64_t discontinuity_sequence = 0;
  uint64_t next_sequence = 0;  // number for the next segment
  std::deque<SegmentInfo> segments;
  std::vector<PendingDeletion> deletions;

  bool empty() const noexcept { return segments.empty() && next_sequence == 0; }
};

// Recovers the state from a playlist this module wrote (`text`, stored at
// `playlist_path` relative to the HLS root): for a publisher that comes back
// on another worker, or after a restart, so numbers still continue.
// Segments whose URI has a scheme (an entry prefix) get no path (never
// deleted); deletions that were pending are not in the text and are lost.
// kInvalid when the text is not a media playlist.
[[nodiscard]] base::Result<PlaylistState> parse_playlist(std::string_view text,
                                                         std::string_view playlist_path);

class Playlist {
 public:
  Playlist(uint32_t target_duration_s, uint32_t window_ms, PlaylistState state = {});

  // Appends a finished segment, then removes from the head what the window
  // allows, scheduling each removed file's deletion relative to `now_ms`.
  void add(SegmentInfo segment, uint64_t now_ms);

  // Moves deletions due at `now_ms` into `out` (in sequence order).
  void take_due(uint64_t now_ms, std::vector<PendingDeletion>& out);
  // Every segment (shown or pending deletion), emptied: for disposal.
  void take_all(std::vector<PendingDeletion>& out);

  // The playlist text; `end_list` adds EXT-X-ENDLIST (4.3.3.4).
  void render(std::string& out, bool end_list) const;

  // The number of the next segment (and counts it).
  uint64_t allocate_sequence() noexcept { return state_.next_sequence++; }
  bool empty() const noexcept { return state_.segments.empty(); }

  uint32_t target_duration_s() const noexcept { return target_s_; }
  uint64_t total_ms() const noexcept { return total_ms_; }
  const PlaylistState& state() const noexcept { return state_; }
  PlaylistState take_state() noexcept { return std::move(state_); }

 private:
  void slide(uint64_t now_ms);

  uint32_t target_s_;
  uint32_t window_ms_;
  PlaylistState state_;
  uint64_t total_ms_ = 0;
};

}  // namespace srs::proto::hls
