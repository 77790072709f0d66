// Report: the final numbers of a run, from every client's statistics: text
// for the terminal, JSON for --json, and the --expect-* assertions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/srs-bench/latency_histogram.hpp"
#include "tools/srs-bench/options.hpp"

namespace srs::tools::srs_bench {

// One player connection that ended before the run's end without srs-bench
// closing it (with --reconnect): dropped by the server, refused, or rejected.
struct ConnectionEnd {
  double mono_s = 0;        // CLOCK_MONOTONIC seconds of the close
  uint16_t local_port = 0;  // the player's port: the server's peer port for this connection
  uint32_t server_pid = 0;  // RTMP: srs_pid of the connect _result (the worker); 0: unknown
  // "connect" (the TCP connect failed), "setup" (connected, no media yet), "playing".
  const char* phase = "";
  bool rejected = false;  // the server refused the play (an error status, an HTTP status)
  std::string reason;     // why the socket closed
  std::string status;     // the last onStatus code or HTTP status
  // A drop: the server ended a connection it had accepted, without refusing it.
  bool is_drop() const noexcept { return phase[0] != 'c' && !rejected; }
};

// One client as the report sees it. Times are ms from the play request; -1: never.
// With --reconnect a player's row covers all its connections: bytes, frames and
// stalls add up, first-frame times are the first connection's that played.
struct ClientRow {
  const char* kind = "rtmp";  // rtmp, http-flv, raw, publisher
  std::string url;
  bool connected = false;
  bool live_at_end = false;
  bool failed = false;
  std::string close_reason;
  std::string status;        // last onStatus code, HTTP status
  uint64_t bytes = 0;        // socket bytes in (players) or out (publishers)
  uint64_t media_bytes = 0;  // audio/video payload bytes
  uint64_t frames = 0;
  bool saw_video = false;
  double first_frame_ms = -1;
  double first_key_ms = -1;
  uint64_t stalls = 0;
  double max_gap_ms = 0;
  uint64_t stamps = 0;
  uint64_t cached_stamps = 0;  // stamped frames published before the play request
  double max_latency_ms = 0;
  double rate_bps = 0;  // media bits per second from the first frame to the end
  // CLOCK_MONOTONIC seconds of the play request and of the first keyframe (0: none).
  double request_s = 0;
  double first_key_s = 0;
  // Across a player's connections (--reconnect, --session).
  uint32_t connections = 1;
  uint32_t drops = 0;             // ConnectionEnd::is_drop()
  uint32_t connect_failures = 0;  // phase "connect"
  uint32_t rejected = 0;
  uint32_t leaves = 0;  // closed by srs-bench at the end of a --session
  // The gap in media a drop caused: from the last media before it to the first
  // media of a later connection. `open_gap`: no media came back before the end
  // (that gap, to the end, is in the maximum but not in `drop_gaps`).
  uint32_t drop_gaps = 0;
  double drop_gap_max_ms = 0;
  double drop_gap_total_ms = 0;
  bool open_gap = false;
  std::vector<ConnectionEnd> ends;
};

// How fast players start: from the first play request to the last player's
// first keyframe. `per_s` is the join rate (players started per second).
struct JoinRate {
  size_t players = 0;  // players that got a keyframe
  double span_s = 0;
  double per_s = 0;
};
JoinRate join_rate(const std::vector<ClientRow>& players);

// The players' cumulative received socket bytes at one instant. mono_s is
// CLOCK_MONOTONIC in seconds, the clock of Python's time.monotonic() on Linux,
// so a caller sampling the server's CPU can cut both at the same instants.
struct TimelineSample {
  double mono_s = 0;
  uint64_t bytes = 0;
};

struct Summary {
  double duration_s = 0;
  // CLOCK_MONOTONIC seconds: the run's start, when the last player was
  // started (0: the ramp never finished) and the end.
  double start_mono_s = 0;
  double ramp_end_mono_s = 0;
  double end_mono_s = 0;
  // One sample at the start, one a second (the progress timer) and one at the end.
  std::vector<TimelineSample> timeline;
  std::vector<ClientRow> players;
  std::vector<ClientRow> publishers;
  const LatencyHistogram* latency = nullptr;  // us
  uint64_t stamps_sent = 0;
  double publish_rate_bps = 0;  // mean media rate of the live publishers
  double full_rate_share = 0.9;
  double self_cpu_s = 0;      // srs-bench's own user + system time
  int64_t reconnect_ms = -1;  // --reconnect; -1: off
  uint64_t session_min_ms = 0, session_max_ms = 0;
};

std::string to_text(const Summary& s);
std::string to_json(const Summary& s, bool per_client);
// The failed assertions, worded for the terminal; empty when all passed.
std::vector<std::string> check(const Summary& s, const Options& o);

}  // namespace srs::tools::srs_bench
