// The DVR file path template (SRS's dvr_path, research/srs.md 1.12):
// "./objs/nginx/html/[app]/[stream].[timestamp].flv".
//
//   [vhost] [app] [stream]   the stream's names
//   [timestamp]              milliseconds since the epoch when the file opens
//   [2006] [01] [02]         year, month, day (local time, as SRS)
//   [15] [04] [05] [999]     hour, minute, second, millisecond
//
// Other text is kept as is. A path ending in ".mp4" records MP4, one ending
// in ".flv" FLV; any other path is a folder (of FLV files, as SRS).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace srs::worker {

struct DvrPathVars {
  std::string_view vhost;
  std::string_view app;
  std::string_view stream;
  int64_t now_ms = 0;  // wall clock, ms since the epoch
};

std::string render_dvr_path(std::string_view tmpl, const DvrPathVars& vars);

// SRS's rule for a dvr_path that names a folder (ends in neither ".flv" nor
// ".mp4"): the file is "[stream].[timestamp].flv" in it.
std::string dvr_file_template(std::string_view path);

}  // namespace srs::worker
