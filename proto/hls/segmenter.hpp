// Segmenter: one live stream's HLS, with no file I/O (RFC 8216). Fed with
// the stream's RTMP audio and video messages (FLV tag bodies + timestamps) and
// the caller's clock, it muxes MPEG-TS (ts::Muxer), decides where segments
// start, keeps the playlist (hls::Playlist) and tells the caller what to do
// with files: open a segment's temporary file, append bytes, close and rename
// it, write the playlist through a temporary file and rename it, delete an
// old segment once it is due.
//
// Where segments start (the policy):
//  - with video, only on a keyframe, once the segment has lasted
//    `fragment_ms`; frames before the first keyframe are dropped;
//  - without video (no video sequence header seen), on any audio frame once
//    the segment has lasted `fragment_ms`;
//  - EXT-X-TARGETDURATION = ceil(fragment_ms * td_ratio / 1000), computed
//    once and never changed (4.3.3.1). A segment that would outgrow it is cut
//    before the frame that would make it too long, keyframe or not (the next
//    segment then does not start with a keyframe); each such cut is counted and
//    returned as a kForcedCut event for the log. So every EXTINF <= target,
//    as long as frames are not further apart than the last gap seen;
//  - EXT-X-DISCONTINUITY on the first segment after a republish (a
//    Segmenter built on a saved state, or on_unpublish() then more media), a
//    changed sequence header (codec or parameters), or a timestamp jump
//    (backwards, or forwards by more than `jump_ms`) (4.3.2.3).
//
// Segment durations come from media timestamps (the next segment's first
// DTS minus this one's); "now" (for deletions) is the caller's clock in ms.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.hpp"
#include "proto/hls/playlist.hpp"
#include "proto/ts/muxer.hpp"

namespace srs::proto::hls {

struct SegmenterConfig {
  std::string vhost = "__defaultVhost__";
  std::string app;
  std::string stream;
  std::string m3u8_template = "[app]/[stream].m3u8";    // SRS hls_m3u8_file
  std::string ts_template = "[app]/[stream]-[seq].ts";  // SRS hls_ts_file
  std::string entry_prefix;      // SRS hls_entry_prefix; empty: URIs relative to the playlist
  uint32_t fragment_ms = 10000;  // SRS hls_fragment
  uint32_t window_ms = 60000;    // SRS hls_window
  double td_ratio = 1.5;         // target duration = ceil(fragment * ratio): room for GOPs
  uint32_t jump_ms = 5000;       // a forward timestamp gap this large is a discontinuity
  ts::MuxerOptions muxer;
};

enum class FileOpKind : uint8_t {
  kOpen,           // create tmp_path (truncate)
  kAppend,         // append bytes to the open segment's tmp_path
  kClose,          // close tmp_path, rename it to path
  kWritePlaylist,  // write bytes to tmp_path, rename it to path (atomic update)
  kDelete,         // unlink path
};

struct FileOp {
  FileOpKind kind = FileOpKind::kAppend;
  uint64_t sequence = 0;           // the segment's number (not for the playlist)
  std::string path;                // relative to the HLS root; empty for kAppend
  std::string tmp_path;            // kOpen, kClose, kWritePlaylist
  std::span<const uint8_t> bytes;  // kAppend, kWritePlaylist: valid until the next call
};

enum class EventKind : uint8_t {
  kSegment,        // a segment was closed (sequence, duration_ms)
  kForcedCut,      // cut without a keyframe to keep the target duration
  kDiscontinuity,  // the segment opened carries EXT-X-DISCONTINUITY
  kDropped,        // a frame dropped while waiting for a keyframe
  kMuxError,       // a message the muxer refused (status says why), skipped: once per
                   // track for a run of the same error; stats().mux_errors counts all
};

struct Event {
  EventKind kind = EventKind::kSegment;
  uint64_t sequence = 0;
  uint32_t duration_ms = 0;
  base::Status status;
};

// Reused by the caller from call to call: each call clears it first.
struct Output {
  std::vector<FileOp> ops;
  std::vector<Event> events;
  void clear() noexcept {
    ops.clear();
    events.clear();
  }
};

struct SegmenterStats {
  uint64_t segments = 0;
  uint64_t forced_cuts = 0;
  uint64_t discontinuities = 0;
  uint64_t dropped = 0;
  uint64_t mux_errors = 0;
};

class Segmenter {
 public:
  // `state`: the playlist of a previous publish of this stream (numbers and
  // window continue, the first new segment carries a discontinuity).
  explicit Segmenter(SegmenterConfig config, PlaylistState state = {});

  // kInvalid when a template renders an unsafe path or the durations are zero.
  [[nodiscard]] static base::Status validate(const SegmenterConfig& config);
  static uint32_t target_duration_for(const SegmenterConfig& config) noexcept;

  void on_video(uint32_t timestamp_ms, std::span<const uint8_t> body, uint64_t now_ms, Output& out);
  void on_audio(uint32_t timestamp_ms, std::span<const uint8_t> body, uint64_t now_ms, Output& out);
  // Deletions that fell due (call it from a timer, e.g. once a second).
  void tick(uint64_t now_ms, Output& out);
  // The publisher left: close the open segment, write the playlist
  // (`end_list`: with EXT-X-ENDLIST). More media afterwards starts a new
  // segment with a discontinuity.
  void on_unpublish(uint64_t now_ms, bool end_list, Output& out);
  // Deletes every segment and the playlist (SRS hls_dispose).
  void dispose(Output& out);

  uint32_t target_duration_s() const noexcept { return playlist_.target_duration_s(); }
  const std::string& playlist_path() const noexcept { return m3u8_path_; }
  const std::string& playlist_text() const noexcept { return text_; }
  const PlaylistState& state() const noexcept { return playlist_.state(); }
  PlaylistState take_state() noexcept { return playlist_.take_state(); }
  const SegmenterStats& stats() const noexcept { return stats_; }
  const ts::Muxer& muxer() const noexcept { return muxer_; }

 private:
  struct Frame;

  void on_media(const Frame& frame, std::span<const uint8_t> body, uint64_t now_ms, Output& out);
  void on_sequence_header(const Frame& frame, std::span<const uint8_t> body, Output& out);
  bool is_jump(const Frame& frame) const noexcept;
  uint32_t media_end() const noexcept;
  bool should_cut(const Frame& frame, Output& out) noexcept;
  void open_segment(uint32_t dts, Output& out);
  void close_segment(uint32_t end_dts, uint64_t now_ms, Output& out);
  void mux(const Frame& frame, std::span<const uint8_t> body, Output& out);
  void report(const Frame& frame, const base::Status& status, Output& out);
  void emit_bytes(Output& out);
  void write_playlist(bool end_list, Output& out);
  void emit_deletions(uint64_t now_ms, Output& out);
  void begin(uint64_t now_ms, Output& out) noexcept;
  void finish(Output& out);

  SegmenterConfig config_;
  Playlist playlist_;
  ts::Muxer muxer_;
  SegmenterStats stats_;
  std::string m3u8_path_;
  std::string text_;            // the last playlist written
  std::vector<uint8_t> bytes_;  // TS bytes of this call (FileOp spans point here)
  size_t emitted_ = 0;          // bytes_ already covered by kAppend ops
  std::vector<std::pair<size_t, size_t>> ranges_;  // offset, size of each kAppend, in order
  uint64_t now_ms_ = 0;                            // of the current call
  bool playlist_dirty_ = false;
  bool end_list_ = false;
  std::vector<uint8_t> video_header_, audio_header_;  // last sequence headers
  uint32_t force_ms_;                                 // target duration in ms
  bool open_ = false;
  bool discontinuity_next_ = false;
  uint64_t seq_ = 0;  // of the open segment
  bool seg_discontinuity_ = false;
  std::string seg_path_, seg_tmp_;
  uint32_t seg_start_ = 0;         // first DTS of the open segment
  uint32_t max_dts_ = 0;           // largest DTS in the open segment
  uint32_t last_dts_[2] = {0, 0};  // per track (0 video, 1 audio)
  uint32_t gap_ms_[2] = {0, 0};    // last DTS step per track
  bool seen_[2] = {false, false};
  base::Errc last_error_[2] = {base::Errc::kOk, base::Errc::kOk};  // per track, for report()
};

}  // namespace srs::proto::hls
