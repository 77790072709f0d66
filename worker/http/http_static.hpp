// Static files under a root (HLS playlists and segments, players' pages):
// the file a normalized request path names, opened only if its real path
// (symbolic links resolved) is still under the root's real path, with the
// part of it a Range header asks for.
#pragma once

#include <cstdint>
#include <string>

#include "base/fd.hpp"

namespace srs::worker {

struct StaticFile {
  int status = 404;     // 200, 206, 403, 404 or 416
  base::Fd fd;          // open for 200 and 206
  uint64_t size = 0;    // of the whole file
  uint64_t offset = 0;  // first byte to send
  uint64_t length = 0;  // bytes to send
  std::string content_type;
  std::string content_range;  // for 206 and 416
  std::string why;            // for the log when not 200/206
};

// `path` comes from proto::http::normalize_path (starts with '/', no dot
// segments); a trailing '/' names its index.html. `range` may be null.
StaticFile open_static(const std::string& root, const std::string& path, const std::string* range);

}  // namespace srs::worker
