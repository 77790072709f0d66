// The scalar value types of the configuration, parsed from their YAML text:
// integers, booleans, durations with a unit, byte sizes with a binary suffix,
// and their formatting back for messages. No yaml-cpp here: the loader hands
// over the scalar's text, these say what it is or what was expected.
//
// Each parser returns an empty string when the text parsed (and was in
// range), else the problem as the user should read it:
//   "expected an integer in 128..65536, got 10"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "conf/config.hpp"

namespace srs::conf {

// Decimal digits only (no sign, no 0x, no separators), in min..max.
std::string parse_integer(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);

// "true" or "false" only; YAML 1.1's yes/no/on/off get a hint.
std::string parse_bool(std::string_view text, bool* out);

// "350ms", "10s", "5m", "1h", "7d": an integer with a unit, in min..max.
// A bare number is an error: a unit is never implied.
std::string parse_duration(std::string_view text, Duration min, Duration max, Duration* out);
// A decimal number in [min, max] ("1.5", "2").
std::string parse_real(std::string_view text, double min, double max, double* out);

// "65536", "64KiB", "16MiB", "1GiB": an integer of bytes, or with a binary suffix.
std::string parse_size(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);

// "auto", or a duration in min..max.
std::string parse_merge_window(std::string_view text, Duration min, Duration max, MergeWindow* out);

// "auto" (stored as 0) or an integer in min..max (min >= 1).
std::string parse_auto_integer(std::string_view text, int min, int max, int* out);

// trace|debug|info|warn|error.
std::string parse_level(std::string_view text, base::LogLevel* out);

// The shortest exact form: "350ms", "10s", "5m", "1h", "7d".
std::string format_duration(Duration d);
// The shortest exact form: "1023", "64KiB", "16MiB", "1GiB".
std::string format_size(uint64_t bytes);

}  // namespace srs::conf
