// Content types by file extension: what players and browsers expect for the
// files a streaming server serves (HLS: RFC 8216 4, "application/
// vnd.apple.mpegurl" and "video/mp2t"; HTTP-FLV: "video/x-flv").
#pragma once

#include <string_view>

namespace srs::proto::http {

// The media type of `path` by its extension (case-insensitive);
// "application/octet-stream" when unknown.
const char* mime_type(std::string_view path) noexcept;

}  // namespace srs::proto::http
