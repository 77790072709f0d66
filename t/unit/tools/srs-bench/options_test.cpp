// srs-bench's command line: the session range of --session and --reconnect.
#include "tools/srs-bench/options.hpp"

#include <doctest/doctest.h>

#include <vector>

using srs::tools::srs_bench::Options;
using srs::tools::srs_bench::parse_duration_range;
using srs::tools::srs_bench::parse_options;

namespace {

std::optional<std::string> parse(std::vector<const char*> args, Options* o) {
  args.insert(args.begin(), "srs-bench");
  bool help = false;
  return parse_options(int(args.size()), const_cast<char**>(args.data()), o, &help);
}

}  // namespace

TEST_CASE("--session: MIN-MAX or one duration, MIN > 0 and MIN <= MAX") {
  CHECK(parse_duration_range("10s-30s") == std::make_pair(uint64_t(10000), uint64_t(30000)));
  CHECK(parse_duration_range("500ms") == std::make_pair(uint64_t(500), uint64_t(500)));
  CHECK(parse_duration_range("1m-90s") == std::make_pair(uint64_t(60000), uint64_t(90000)));
  CHECK_FALSE(parse_duration_range("30s-10s"));
  CHECK_FALSE(parse_duration_range("0s-10s"));
  CHECK_FALSE(parse_duration_range("10s-"));
  CHECK_FALSE(parse_duration_range("x"));
}

TEST_CASE("--reconnect and --session on the command line") {
  Options o;
  REQUIRE_FALSE(parse(
      {"--play", "rtmp://h/app/s", "--reconnect", "500ms", "--session", "10s-30s", "--seed", "7"},
      &o));
  REQUIRE(o.reconnect_ms);
  CHECK(*o.reconnect_ms == 500);
  CHECK(o.session_min_ms == 10000);
  CHECK(o.session_max_ms == 30000);
  CHECK(o.seed == 7);
  Options none;
  REQUIRE_FALSE(parse({"--play", "rtmp://h/app/s"}, &none));
  CHECK_FALSE(none.reconnect_ms);
  CHECK(none.session_min_ms == 0);
  Options bad;
  CHECK(parse({"--play", "rtmp://h/app/s", "--session", "30s-10s"}, &bad));
}
