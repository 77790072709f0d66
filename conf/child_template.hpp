// The words of the master's children, as written in the configuration:
// templates ([app] ...), commands split into words, and the "app/stream"
// patterns that say which streams a rule applies to.
//
//   expand("[app]/[stream]_[engine]", {app: live, stream: cam, engine: hd}) -> "live/cam_hd"
//   split_command("ffmpeg -i 'a b' x")       -> {"ffmpeg", "-i", "a b", "x"}
//   stream_pattern_matches("live/*", "live", "cam") -> true
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

// "app/stream", "app/*" or "*": an app (which may hold '/') and a stream
// name or '*'. Empty when `pattern` is one; else the problem.
std::string check_stream_pattern(std::string_view pattern);
bool stream_pattern_matches(std::string_view pattern, std::string_view app,
                            std::string_view stream);
// True when `patterns` is empty or one of them matches.
bool any_pattern_matches(const std::vector<std::string>& patterns, std::string_view app,
                         std::string_view stream);

}  // namespace srs::conf
