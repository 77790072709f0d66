// SRS-style HLS path templates: "[app]/[stream]-[seq].ts" and
// "[app]/[stream].m3u8" (SRS hls_ts_file / hls_m3u8_file), rendered to paths
// relative to the HLS root, and the URI a playlist uses for a segment.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::proto::hls {

struct PathVars {
  std::string_view vhost;
  std::string_view app;
  std::string_view stream;
  uint64_t seq = 0;
};

// Replaces [vhost], [app], [stream] and [seq]; other text is kept as is.
std::string render_path(std::string_view tmpl, const PathVars& vars);

// A rendered path is safe when it is relative, non-empty and has no empty,
// "." or ".." component: it can never leave the HLS root.
bool is_safe_path(std::string_view path) noexcept;

// The URI of `segment_path` inside the playlist at `playlist_path` (RFC 8216
// 4.1: relative URIs resolve against the playlist's URI): the path relative to
// the playlist's folder when the segment is below it, else "/" + the path.
// A non-empty `prefix` (SRS hls_entry_prefix) is prepended instead.
std::string segment_uri(std::string_view playlist_path, std::string_view segment_path,
                        std::string_view prefix);

}  // namespace srs::proto::hls
