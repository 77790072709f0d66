// The words of the master's children, as written in the configuration:
// templates ([app] ...) and commands split into words.
//
//   expand("[app]/[stream]_[engine]", {app: live, stream: cam, engine: hd}) -> "live/cam_hd"
//   split_command("ffmpeg -i 'a b' x")       -> {"ffmpeg", "-i", "a b", "x"}
//
// Expansion is one pass over the text: a value that itself holds "[app]"
// (a stream name is the publisher's choice) is never expanded again, and
// no shell ever sees the result (children are exec'd with their words).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace srs::conf {

struct TemplateValues {
  std::string vhost, app, stream, engine, host, port;
};

// The names expand() knows: [vhost] [app] [stream] [engine] [host] [port].
// Empty when every [name] of `text` is one of `allowed` (a subset of
// those); else what is wrong ("unknown template '[foo]' (expected ...)").
std::string check_template(std::string_view text, const std::vector<std::string_view>& allowed);
std::string expand(std::string_view text, const TemplateValues& values);

// Splits a command line into words at spaces and tabs; '...' and "..."
// group words (no escapes inside single quotes; \" and \\ inside double
// ones). Empty on success, else the problem (an open quote, no word).
std::string split_command(std::string_view text, std::vector<std::string>* words);

}  // namespace srs::conf
