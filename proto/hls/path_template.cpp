// Path template rendering and the segment URI rule.
#include "proto/hls/path_template.hpp"

namespace srs::proto::hls {

std::string render_path(std::string_view tmpl, const PathVars& vars) {
  std::string out;
  out.reserve(tmpl.size() + vars.app.size() + vars.stream.size() + 20);
  size_t i = 0;
  while (i < tmpl.size()) {
    auto take = [&](std::string_view token, std::string_view value) {
      if (tmpl.substr(i, token.size()) != token) return false;
      out.append(value);
      i += token.size();
      return true;
    };
    if (tmpl[i] == '[') {
      std::string seq = std::to_string(vars.seq);
      if (take("[vhost]", vars.vhost) || take("[app]", vars.app) || take("[stream]", vars.stream) ||
          take("[seq]", seq))
        continue;
    }
    out.push_back(tmpl[i++]);
  }
  return out;
}

bool is_safe_path(std::string_view path) noexcept {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (part.find('\0') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

std::string segment_uri(std::string_view playlist_path, std::string_view segment_path,
                        std::string_view prefix) {
  if (!prefix.empty()) {
    std::string uri(prefix);
    if (uri.back() != '/') uri.push_back('/');
    return uri.append(segment_path);
  }
  size_t slash = playlist_path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : playlist_path.substr(0, slash + 1);
  if (segment_path.substr(0, dir.size()) == dir)
    return std::string(segment_path.substr(dir.size()));
  return "/" + std::string(segment_path);
}

}  // namespace srs::proto::hls
