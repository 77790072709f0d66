// Content types by extension (see mime.hpp).
#include "proto/http/mime.hpp"

namespace srs::proto::http {
namespace {

struct Entry {
  const char* ext;
  const char* type;
};

constexpr Entry kTypes[] = {
    {"m3u8", "application/vnd.apple.mpegurl"},
    {"ts", "video/mp2t"},
    {"flv", "video/x-flv"},
    {"mp4", "video/mp4"},
    {"m4s", "video/iso.segment"},
    {"m4a", "audio/mp4"},
    {"mpd", "application/dash+xml"},
    {"aac", "audio/aac"},
    {"mp3", "audio/mpeg"},
    {"webm", "video/webm"},
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},
};

bool ieq(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

const char* mime_type(std::string_view path) noexcept {
  size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string_view ext = path.substr(dot + 1);
  for (const Entry& e : kTypes) {
    if (ieq(ext, e.ext)) return e.type;
  }
  return "application/octet-stream";
}

}  // namespace srs::proto::http
