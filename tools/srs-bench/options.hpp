// Options: srs-bench's command line (see kUsage in options.cpp, `srs-bench --help`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/srs-bench/synthetic_stream.hpp"

namespace srs::tools::srs_bench {

enum class Scheme { kRtmp, kHttpFlv, kRawTcp };

// A parsed --play/--publish URL.
struct Target {
  Scheme scheme = Scheme::kRtmp;
  std::string url;  // as given
  std::string host;
  int port = 1935;
  std::string app;     // rtmp: the path before the last '/'
  std::string stream;  // rtmp: the last path segment (with its ?query)
  std::string path;    // http: the request path
  std::string tc_url;  // rtmp: scheme://host:port/app
};

struct Options {
  std::vector<Target> play;  // each gets `players` players
  uint32_t players = 0;
  std::optional<Target> publish;
  uint32_t publishers = 0;
  std::string flv_file;
  SyntheticConfig synthetic;
  double ramp_per_s = 100;
  uint64_t duration_ms = 20000;
  uint64_t play_delay_ms = 5000;  // players wait for the publishers at most this long
  uint64_t stall_ms = 1000;
  // Players whose connection ends before the run's end connect again after
  // this delay (none: they stay gone). Drops and reconnects are reported.
  std::optional<uint64_t> reconnect_ms;
  // Players leave on their own after a session of a random length in
  // [session_min_ms, session_max_ms] (0: never); with --reconnect they come back.
  uint64_t session_min_ms = 0;
  uint64_t session_max_ms = 0;
  uint64_t seed = 1;  // session lengths
  double full_rate_share = 0.9;
  std::string json_file;
  bool quiet = false;
  bool per_client = false;  // per-client lines in the JSON
  // Assertions.
  std::optional<uint64_t> expect_min_bytes;
  bool expect_all_played = false;
  bool expect_publish = false;
  std::optional<uint64_t> expect_max_p99_ms;
};

// Parses argv. On error returns the message; `*help` is set for --help.
std::optional<std::string> parse_options(int argc, char** argv, Options* out, bool* help);
const char* usage() noexcept;

// "20s", "350ms", "2m", "1h"; a bare number is seconds.
std::optional<uint64_t> parse_duration_ms(std::string_view text);
// "1100kbps", "1.1mbps", "64kbps", "500000" (bits per second).
std::optional<uint64_t> parse_bitrate(std::string_view text);
// "MIN-MAX" or "DUR" (MIN = MAX): a session length range in ms, MIN > 0.
std::optional<std::pair<uint64_t, uint64_t>> parse_duration_range(std::string_view text);
// "BITRATE[,gop=DURATION][,fps=N][,audio=BITRATE]".
std::optional<SyntheticConfig> parse_synthetic(std::string_view text);
// rtmp://host[:port]/app[/...]/stream, http://host[:port]/path.flv, tcp://host:port.
std::optional<Target> parse_target(std::string_view url);

}  // namespace srs::tools::srs_bench
