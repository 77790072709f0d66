// Stream patterns (see stream_pattern.hpp).
#include "conf/stream_pattern.hpp"

#include <algorithm>

namespace srs::conf {
namespace {

// Empty when `part` is a whole name or "*"; else what is wrong with it.
std::string check_part(std::string_view part, const char* what) {
  if (part.empty()) return std::string("an empty ") + what + " name";
  if (part != "*" && part.find('*') != std::string_view::npos)
    return std::string("a * inside the ") + what + " name (a * stands for a whole name)";
  bool printable = std::all_of(part.begin(), part.end(), [](char c) {
    return static_cast<unsigned char>(c) > ' ' && c != 0x7f;
  });
  if (!printable) return std::string("a space or control character in the ") + what + " name";
  return {};
}

}  // namespace

std::string parse_stream_pattern(std::string_view text, StreamPattern* out) {
  size_t slash = text.find('/');
  std::string form = "expected app/stream, app/* or */*, got '" + std::string(text) + "'";
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos)
    return form;
  std::string_view app = text.substr(0, slash), stream = text.substr(slash + 1);
  std::string problem = check_part(app, "app");
  if (problem.empty()) problem = check_part(stream, "stream");
  if (!problem.empty()) return form + ": " + problem;
  out->app = std::string(app);
  out->stream = std::string(stream);
  return {};
}

bool any_matches(const std::vector<StreamPattern>& patterns, std::string_view app,
                 std::string_view stream) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const StreamPattern& p) { return p.matches(app, stream); });
}

}  // namespace srs::conf
