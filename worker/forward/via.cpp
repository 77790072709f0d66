// Forward paths (see via.hpp).
#include "worker/forward/via.hpp"

namespace srs::worker {

bool came_through(std::string_view via, std::string_view server_id) {
  if (server_id.empty()) return false;
  while (!via.empty()) {
    size_t comma = via.find(',');
    if (via.substr(0, comma) == server_id) return true;
    if (comma == std::string_view::npos) break;
    via.remove_prefix(comma + 1);
  }
  return false;
}

std::string via_after(std::string_view via, std::string_view server_id) {
  std::string path(via);
  if (server_id.empty()) return path;
  if (!path.empty()) path += ',';
  path += server_id;
  return path;
}

}  // namespace srs::worker
