// Templates and command words of the master's children
// (conf/child_template.cpp).
#include "conf/child_template.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace srs::conf;

namespace {

TemplateValues sample() {
  return {"v", "live", "cam", "hd", "127.0.0.1", "1935"};
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string problem = split_command(text, &words);
  INFO(problem);
  CHECK(problem.empty());
  return words;
}

}  // namespace

TEST_CASE("expand: every template, once, and unknown brackets left as written") {
  CHECK(expand("rtmp://[host]:[port]/[app]/[stream]_[engine]?vhost=[vhost]", sample()) ==
        "rtmp://127.0.0.1:1935/live/cam_hd?vhost=v");
  CHECK(expand("[::1]:[port] [x] [", sample()) == "[::1]:1935 [x] [");
  TemplateValues tricky = sample();
  tricky.stream = "[app][engine]";  // a publisher's choice is never expanded again
  CHECK(expand("[stream]-[app]", tricky) == "[app][engine]-live");
}

TEST_CASE("check_template: names outside the allowed set are errors, other brackets are not") {
  CHECK(check_template("[app]/[stream]", {"app", "stream"}).empty());
  CHECK(check_template("rtmp://[::1]:1935/[app]", {"app"}).empty());
  CHECK(check_template("[app]/[foo]", {"app", "stream"}) ==
        "unknown template '[foo]' (expected [app] or [stream])");
  CHECK(check_template("[engine]", {"vhost", "app", "stream"}) ==
        "unknown template '[engine]' (expected [vhost], [app] or [stream])");
}

TEST_CASE("split_command: spaces, quotes, escapes and the errors") {
  CHECK(words_of("touch /tmp/[stream]") == std::vector<std::string>{"touch", "/tmp/[stream]"});
  CHECK(words_of("  sh  -c 'echo $HOME; x'\t\"a \\\"b\\\\\" ''") ==
        std::vector<std::string>{"sh", "-c", "echo $HOME; x", "a \"b\\", ""});
  CHECK(words_of("a'b c'd") == std::vector<std::string>{"ab cd"});
  std::vector<std::string> words{"left over"};
  CHECK(split_command("echo 'open", &words) == "a ' quote is never closed");
  CHECK(words.empty());
  CHECK(split_command("   ", &words) == "expected a command, got nothing");
}
