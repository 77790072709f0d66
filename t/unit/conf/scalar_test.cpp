// Scalar parsers of the configuration: what each accepts, and the message a
// user reads for what it refuses.
#include "conf/scalar.hpp"

#include <doctest/doctest.h>

using namespace srs::conf;
using namespace std::chrono_literals;

namespace {

constexpr Duration kWeek = 7 * 24h;

Duration duration_of(const char* text) {
  Duration d{-1};
  std::string problem = parse_duration(text, 0s, kWeek, &d);
  INFO(problem);
  CHECK(problem.empty());
  return d;
}

std::string duration_problem(const char* text, Duration min = 0s, Duration max = kWeek) {
  Duration d{-1};
  std::string problem = parse_duration(text, min, max, &d);
  CHECK(d == Duration{-1});  // untouched on error
  return problem;
}

}  // namespace

TEST_CASE("durations need a unit and parse exactly") {
  CHECK(duration_of("350ms") == 350ms);
  CHECK(duration_of("10s") == 10s);
  CHECK(duration_of("5m") == 5min);
  CHECK(duration_of("1h") == 1h);
  CHECK(duration_of("7d") == kWeek);
  CHECK(duration_of("0s") == 0s);
  CHECK(duration_of("0ms") == 0s);
}

TEST_CASE("a bare number or a wrong unit is not a duration") {
  CHECK(duration_problem("10").find("expected a duration with a unit such as 10s or 350ms") !=
        std::string::npos);
  CHECK(duration_problem("0").find("with a unit") != std::string::npos);
  CHECK(duration_problem("10 s").find("with a unit") != std::string::npos);
  CHECK(duration_problem("10sec").find("with a unit") != std::string::npos);
  CHECK(duration_problem("-1s").find("with a unit") != std::string::npos);
  CHECK(duration_problem("1.5s").find("with a unit") != std::string::npos);
  CHECK(duration_problem("s").find("with a unit") != std::string::npos);
  CHECK(duration_problem("").find("with a unit") != std::string::npos);
}

TEST_CASE("durations out of range or overflowing say the range") {
  CHECK(duration_problem("8d") == "expected a duration in 0s..7d, got 8d");
  CHECK(duration_problem("500ms", 1s, 1h) == "expected a duration in 1s..1h, got 500ms");
  CHECK(duration_problem("61m", 1s, 1h) == "expected a duration in 1s..1h, got 61m");
  // 99999999999h fits in 64 bits of milliseconds but not in the range.
  CHECK(duration_problem("99999999999h") == "expected a duration in 0s..7d, got 99999999999h");
  // These overflow the multiplication, and the digits themselves.
  CHECK(duration_problem("9999999999999999d").find("0s..7d") != std::string::npos);
  CHECK(duration_problem("99999999999999999999999ms").find("0s..7d") != std::string::npos);
  Duration d{-1};
  CHECK(parse_duration("99999999999h", 0s, Duration::max(), &d).empty());
  CHECK(d == 99999999999h);
  CHECK_FALSE(parse_duration("9999999999999999d", 0s, Duration::max(), &d).empty());
}

TEST_CASE("sizes: bytes, or a binary suffix") {
  uint64_t v = 0;
  CHECK(parse_size("65536", 0, UINT64_MAX, &v).empty());
  CHECK(v == 65536);
  CHECK(parse_size("64KiB", 0, UINT64_MAX, &v).empty());
  CHECK(v == 65536);
  CHECK(parse_size("16MiB", 0, UINT64_MAX, &v).empty());
  CHECK(v == 16u << 20);
  CHECK(parse_size("1GiB", 0, UINT64_MAX, &v).empty());
  CHECK(v == 1u << 30);
  v = 7;
  CHECK(parse_size("16MB", 0, UINT64_MAX, &v).find("KiB, MiB or GiB") != std::string::npos);
  CHECK(parse_size("16 MiB", 0, UINT64_MAX, &v).find("KiB, MiB or GiB") != std::string::npos);
  CHECK(parse_size("MiB", 0, UINT64_MAX, &v).find("KiB, MiB or GiB") != std::string::npos);
  CHECK(parse_size("-1", 0, UINT64_MAX, &v).find("KiB, MiB or GiB") != std::string::npos);
  CHECK(parse_size("99999999999999GiB", 0, UINT64_MAX, &v).find("got 99999999999999GiB") !=
        std::string::npos);
  CHECK(parse_size("2GiB", 64 << 10, 1 << 30, &v) == "expected a size in 64KiB..1GiB, got 2GiB");
  CHECK(v == 7);
}

TEST_CASE("integers are plain decimal digits in range") {
  uint64_t v = 0;
  CHECK(parse_integer("60000", 128, 65536, &v).empty());
  CHECK(v == 60000);
  CHECK(parse_integer("10", 128, 65536, &v) == "expected an integer in 128..65536, got 10");
  CHECK(parse_integer("yes", 128, 65536, &v) == "expected an integer in 128..65536, got 'yes'");
  CHECK(parse_integer("-5", 0, 10, &v) == "expected an integer in 0..10, got '-5'");
  CHECK(parse_integer("0x10", 0, 100, &v) == "expected an integer in 0..100, got '0x10'");
  CHECK(parse_integer("1e3", 0, 10000, &v) == "expected an integer in 0..10000, got '1e3'");
  CHECK(parse_integer("18446744073709551616", 0, UINT64_MAX, &v).find("got 1844") !=
        std::string::npos);
  CHECK(parse_integer("18446744073709551615", 0, UINT64_MAX, &v).empty());
  CHECK(v == UINT64_MAX);
}

TEST_CASE("booleans are true or false only") {
  bool b = false;
  CHECK(parse_bool("true", &b).empty());
  CHECK(b);
  CHECK(parse_bool("false", &b).empty());
  CHECK_FALSE(b);
  for (const char* text : {"yes", "no", "on", "off", "y", "1", "True", ""}) {
    CAPTURE(text);
    CHECK(parse_bool(text, &b).find("use true or false") != std::string::npos);
  }
}

TEST_CASE("auto or an integer, and log levels") {
  int n = -1;
  CHECK(parse_auto_integer("auto", 1, 64, &n).empty());
  CHECK(n == 0);
  CHECK(parse_auto_integer("64", 1, 64, &n).empty());
  CHECK(n == 64);
  CHECK(parse_auto_integer("0", 1, 64, &n) == "expected auto or an integer in 1..64, got '0'");
  CHECK(parse_auto_integer("65", 1, 64, &n).find("1..64") != std::string::npos);
  srs::base::LogLevel level = srs::base::LogLevel::kInfo;
  CHECK(parse_level("trace", &level).empty());
  CHECK(level == srs::base::LogLevel::kTrace);
  CHECK(parse_level("verbose", &level).find("trace, debug, info, warn, error") !=
        std::string::npos);
}

TEST_CASE("durations and sizes format in their largest exact unit") {
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(350ms) == "350ms");
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(2h) == "2h");
  CHECK(format_duration(48h) == "2d");
  CHECK(format_size(0) == "0");
  CHECK(format_size(1000) == "1000");
  CHECK(format_size(64 << 10) == "64KiB");
  CHECK(format_size(3 << 20) == "3MiB");
  CHECK(format_size(1ull << 30) == "1GiB");
}
