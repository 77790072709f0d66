// Stream patterns for the keys that pick some streams of a vhost
// (dvr.apply): "app/stream", "app/*" (every stream of an app), "*/stream"
// or "*/*". A "*" stands for a whole name; names are compared exactly (RTMP
// names are case-sensitive). Parsed at load time (conf/loader.cpp) so a bad
// entry is reported with its file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace srs::conf {

struct StreamPattern {
  std::string app;     // "*": any
  std::string stream;  // "*": any

  bool matches(std::string_view a, std::string_view s) const {
    return (app == "*" || app == a) && (stream == "*" || stream == s);
  }
  bool operator==(const StreamPattern&) const = default;
};

// Empty on success, else what was expected (for the loader's message).
std::string parse_stream_pattern(std::string_view text, StreamPattern* out);

// Whether any of `patterns` matches app/stream.
bool any_matches(const std::vector<StreamPattern>& patterns, std::string_view app,
                 std::string_view stream);

}  // namespace srs::conf
