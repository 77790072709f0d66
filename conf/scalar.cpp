// Scalar parsers of the configuration (see scalar.hpp).
#include "conf/scalar.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace srs::conf {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t factor;
};

// Longest suffix first where one is a suffix of another ("ms" before "s").
constexpr Unit kDurationUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
constexpr Unit kSizeUnits[] = {{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}};

bool is_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Digits to a number; false on overflow.
bool to_u64(std::string_view digits, uint64_t* out) {
  uint64_t v = 0;
  for (char c : digits) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Splits "16MiB" into 16 and the factor of "MiB"; false when no unit matches.
template <size_t N>
bool split_unit(std::string_view text, const Unit (&units)[N], std::string_view* digits,
                uint64_t* factor) {
  for (const Unit& u : units) {
    if (text.size() <= u.suffix.size() || !text.ends_with(u.suffix)) continue;
    std::string_view head = text.substr(0, text.size() - u.suffix.size());
    if (!is_digits(head)) continue;
    *digits = head;
    *factor = u.factor;
    return true;
  }
  return false;
}

// value * factor, false on overflow.
bool scale(std::string_view digits, uint64_t factor, uint64_t* out) {
  uint64_t v = 0;
  if (!to_u64(digits, &v)) return false;
  if (factor != 0 && v > std::numeric_limits<uint64_t>::max() / factor) return false;
  *out = v * factor;
  return true;
}

template <size_t N>
std::string format_with(uint64_t value, const Unit (&units)[N], std::string_view bare) {
  for (size_t i = N; i-- > 0;) {
    if (value != 0 && value % units[i].factor == 0) {
      return std::to_string(value / units[i].factor) + std::string(units[i].suffix);
    }
  }
  return std::to_string(value) + std::string(bare);
}

}  // namespace

std::string parse_integer(std::string_view text, uint64_t min, uint64_t max, uint64_t* out) {
  std::string expected =
      "expected an integer in " + std::to_string(min) + ".." + std::to_string(max);
  uint64_t v = 0;
  if (!is_digits(text)) return expected + ", got " + quoted(text);
  if (!to_u64(text, &v) || v < min || v > max) return expected + ", got " + std::string(text);
  *out = v;
  return {};
}

std::string parse_bool(std::string_view text, bool* out) {
  if (text == "true" || text == "false") {
    *out = text == "true";
    return {};
  }
  return "expected true or false, got " + quoted(text) + " (use true or false)";
}

std::string parse_real(std::string_view text, double min, double max, double* out) {
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || errno != 0 || v != v) {
    return "expected a number, got '" + copy + "'";
  }
  if (v < min || v > max) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "expected a number in %g..%g, got %s", min, max, copy.c_str());
    return buf;
  }
  *out = v;
  return {};
}

std::string parse_duration(std::string_view text, Duration min, Duration max, Duration* out) {
  std::string range = format_duration(min) + ".." + format_duration(max);
  std::string_view digits;
  uint64_t factor = 0;
  if (!split_unit(text, kDurationUnits, &digits, &factor)) {
    return "expected a duration with a unit such as 10s or 350ms (ms, s, m, h, d) in " + range +
           ", got " + quoted(text);
  }
  uint64_t ms = 0;
  bool fits = scale(digits, factor, &ms) &&
              ms <= static_cast<uint64_t>(std::numeric_limits<Duration::rep>::max());
  if (!fits || Duration(static_cast<Duration::rep>(ms)) < min ||
      Duration(static_cast<Duration::rep>(ms)) > max) {
    return "expected a duration in " + range + ", got " + std::string(text);
  }
  *out = Duration(static_cast<Duration::rep>(ms));
  return {};
}

std::string parse_size(std::string_view text, uint64_t min, uint64_t max, uint64_t* out) {
  std::string range = format_size(min) + ".." + format_size(max);
  std::string_view digits = text;
  uint64_t factor = 1;
  if (!is_digits(text) && !split_unit(text, kSizeUnits, &digits, &factor)) {
    return "expected a size in bytes, or with a suffix KiB, MiB or GiB (such as 16MiB), in " +
           range + ", got " + quoted(text);
  }
  uint64_t bytes = 0;
  if (!scale(digits, factor, &bytes) || bytes < min || bytes > max) {
    return "expected a size in " + range + ", got " + std::string(text);
  }
  *out = bytes;
  return {};
}

std::string parse_merge_window(std::string_view text, Duration min, Duration max,
                               MergeWindow* out) {
  if (text == "auto") {
    *out = MergeWindow{};
    return {};
  }
  Duration fixed{0};
  if (!parse_duration(text, min, max, &fixed).empty()) {
    return "expected auto or a duration in " + format_duration(min) + ".." + format_duration(max) +
           ", got " + quoted(text);
  }
  *out = MergeWindow{false, fixed};
  return {};
}

std::string parse_auto_integer(std::string_view text, int min, int max, int* out) {
  if (text == "auto") {
    *out = 0;
    return {};
  }
  uint64_t v = 0;
  if (!parse_integer(text, static_cast<uint64_t>(min), static_cast<uint64_t>(max), &v).empty()) {
    return "expected auto or an integer in " + std::to_string(min) + ".." + std::to_string(max) +
           ", got " + quoted(text);
  }
  *out = static_cast<int>(v);
  return {};
}

std::string parse_level(std::string_view text, base::LogLevel* out) {
  if (base::parse_log_level(std::string(text), out)) return {};
  return "expected one of trace, debug, info, warn, error, got " + quoted(text);
}

std::string format_duration(Duration d) {
  if (d.count() < 0) return std::to_string(d.count()) + "ms";
  if (d.count() == 0) return "0s";
  return format_with(static_cast<uint64_t>(d.count()), kDurationUnits, "ms");
}

std::string format_size(uint64_t bytes) {
  return format_with(bytes, kSizeUnits, "");
}

}  // namespace srs::conf
