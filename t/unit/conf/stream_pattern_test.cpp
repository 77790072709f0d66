// Stream patterns (conf/stream_pattern.hpp): the accepted forms, what each
// rejected one says, and matching with whole-name wildcards.
#include "conf/stream_pattern.hpp"

#include <doctest/doctest.h>

using namespace srs::conf;

TEST_CASE("stream pattern: app/stream, app/*, */stream, */*") {
  StreamPattern p;
  REQUIRE(parse_stream_pattern("live/cam", &p).empty());
  CHECK(p == StreamPattern{"live", "cam"});
  CHECK(p.matches("live", "cam"));
  CHECK_FALSE(p.matches("live", "cam2"));
  CHECK_FALSE(p.matches("live2", "cam"));
  REQUIRE(parse_stream_pattern("live/*", &p).empty());
  CHECK(p.matches("live", "anything"));
  CHECK_FALSE(p.matches("vod", "anything"));
  REQUIRE(parse_stream_pattern("*/cam", &p).empty());
  CHECK(p.matches("any", "cam"));
  REQUIRE(parse_stream_pattern("*/*", &p).empty());
  CHECK(p.matches("a", "b"));
  std::vector<StreamPattern> list = {{"live", "cam"}, {"vod", "*"}};
  CHECK(any_matches(list, "vod", "x"));
  CHECK(any_matches(list, "live", "cam"));
  CHECK_FALSE(any_matches(list, "live", "x"));
  CHECK_FALSE(any_matches({}, "live", "cam"));
}

TEST_CASE("stream pattern: what a rejected one says") {
  StreamPattern p{"kept", "kept"};
  CHECK(parse_stream_pattern("livecam", &p) == "expected app/stream, app/* or */*, got 'livecam'");
  CHECK(parse_stream_pattern("a/b/c", &p) == "expected app/stream, app/* or */*, got 'a/b/c'");
  CHECK(parse_stream_pattern("live/", &p) ==
        "expected app/stream, app/* or */*, got 'live/': an empty stream name");
  CHECK(parse_stream_pattern("l*/cam", &p) ==
        "expected app/stream, app/* or */*, got 'l*/cam': a * inside the app name (a * stands "
        "for a whole name)");
  CHECK(parse_stream_pattern("live/c am", &p) ==
        "expected app/stream, app/* or */*, got 'live/c am': a space or control character in the "
        "stream name");
  CHECK(p == StreamPattern{"kept", "kept"});
}
