// Options: srs-bench's command line.
#include "tools/srs-bench/options.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace srs::tools::srs_bench {

namespace {

constexpr const char* kUsage = R"(srs-bench: RTMP / HTTP-FLV load generator with end-to-end latency.

Usage: srs-bench [--play URL]... [--players N] [--publish URL [--publishers M]
                 [--flv FILE | --synthetic SPEC]] [options]

One process, one libevent loop, non-blocking sockets: thousands of clients on one core.

Load
  --play URL          players read this URL (repeat for several; --players each):
                        rtmp://host[:port]/app/stream      RTMP play
                        http://host[:port]/app/stream.flv  HTTP-FLV
                        tcp://host:port                    raw TCP, bytes counted only
  --players N         players per --play URL (default 1)
  --publish URL       rtmp://host[:port]/app/stream: publishers push here
  --publishers M      publishers (default 1). With M > 1, publisher i publishes
                      STREAM_i and player j of a URL with the same stream plays STREAM_(j mod M)
  --flv FILE          publish FILE in a loop, paced by its timestamps (AVC frames get a stamp)
  --synthetic SPEC    publish a generated stream: BITRATE[,gop=DUR][,fps=N][,audio=BITRATE]
                      (default 1100kbps,gop=2s,fps=25,audio=64kbps)
  --ramp R[/s]        clients started per second (default 100/s)
  --duration DUR      whole run, from the first connection (default 20s)
  --play-delay DUR    players start once every publisher publishes, or after DUR (default 5s)
  --reconnect DUR     a player whose connection ends before the run's end (dropped by the
                      server, refused, or left after --session) connects again after DUR;
                      the report counts drops, reconnects and the gap in media after a drop,
                      and --per-client lists every connection that ended, with its local port
  --session MIN-MAX   each player connection leaves on its own after a random time in
                      [MIN, MAX] (or exactly DUR); counted as a leave, never as a drop
  --seed N            seed of the session lengths (default 1)

Report
  --json FILE         write the final report as JSON
  --per-client        include one entry per client in the JSON
  --quiet             no live progress line each second (on stderr)
  --stall DUR         a gap in media longer than this is a stall (default 1s)
  --full-rate PCT     a player is at full rate when it receives PCT% of the publish rate
                      (default 90)

Assertions (exit status 1 when one fails, 2 on usage errors)
  --expect-min-bytes N      every player received at least N bytes
  --expect-all-played       every player received media (a video keyframe when there is video)
  --expect-publish          every publisher was publishing until the end
  --expect-max-p99 DUR      latency p99 at most DUR

Durations: 20s, 350ms, 2m (a bare number is seconds). Bitrates: 1100kbps, 1.1mbps, 500000.
Latency: publishers embed CLOCK_MONOTONIC send times in an SEI NAL unit of each AVC frame;
players report publish-to-receive delay (p50, p90, p99, max).
)";

bool parse_double(std::string_view text, double* out) {
  std::string s(text);
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

bool parse_u64(std::string_view text, uint64_t* out) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Splits "host[:port]" from the front of `rest`; the port defaults to `port`.
bool split_host_port(std::string_view authority, Target* t) {
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    t->host = std::string(authority);
    return !t->host.empty();
  }
  t->host = std::string(authority.substr(0, colon));
  uint64_t port = 0;
  if (!parse_u64(authority.substr(colon + 1), &port) || port == 0 || port > 65535) return false;
  t->port = static_cast<int>(port);
  return !t->host.empty();
}

}  // namespace

const char* usage() noexcept {
  return kUsage;
}

std::optional<uint64_t> parse_duration_ms(std::string_view text) {
  static constexpr struct {
    const char* suffix;
    double ms;
  } kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  for (const auto& u : kUnits) {
    if (!ends_with(text, u.suffix)) continue;
    double v = 0;
    if (!parse_double(text.substr(0, text.size() - std::strlen(u.suffix)), &v) || v < 0) break;
    return static_cast<uint64_t>(v * u.ms + 0.5);
  }
  double v = 0;
  if (!parse_double(text, &v) || v < 0) return std::nullopt;
  return static_cast<uint64_t>(v * 1000 + 0.5);
}

std::optional<std::pair<uint64_t, uint64_t>> parse_duration_range(std::string_view text) {
  size_t dash = text.find('-');
  auto lo = parse_duration_ms(text.substr(0, dash));
  auto hi = dash == std::string_view::npos ? lo : parse_duration_ms(text.substr(dash + 1));
  if (!lo || !hi || *lo == 0 || *hi < *lo) return std::nullopt;
  return std::make_pair(*lo, *hi);
}

std::optional<uint64_t> parse_bitrate(std::string_view text) {
  static constexpr struct {
    const char* suffix;
    double factor;
  } kUnits[] = {{"kbps", 1e3}, {"mbps", 1e6}, {"gbps", 1e9}, {"bps", 1}, {"k", 1e3}, {"m", 1e6}};
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view s(lower);
  for (const auto& u : kUnits) {
    if (!ends_with(s, u.suffix)) continue;
    double v = 0;
    if (!parse_double(s.substr(0, s.size() - std::strlen(u.suffix)), &v) || v <= 0) {
      return std::nullopt;
    }
    return static_cast<uint64_t>(v * u.factor + 0.5);
  }
  double v = 0;
  if (!parse_double(s, &v) || v <= 0) return std::nullopt;
  return static_cast<uint64_t>(v);
}

std::optional<SyntheticConfig> parse_synthetic(std::string_view text) {
  SyntheticConfig c;
  bool first = true;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (first && item.find('=') == std::string_view::npos) {
      auto b = parse_bitrate(item);
      if (!b) return std::nullopt;
      c.bitrate_bps = *b;
      first = false;
      continue;
    }
    first = false;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "gop") {
      auto d = parse_duration_ms(value);
      if (!d || *d == 0) return std::nullopt;
      c.gop_ms = static_cast<uint32_t>(*d);
    } else if (key == "fps") {
      uint64_t fps = 0;
      if (!parse_u64(value, &fps) || fps == 0 || fps > 240) return std::nullopt;
      c.fps = static_cast<uint32_t>(fps);
    } else if (key == "audio") {
      uint64_t bps = 0;
      if (value != "0") {
        auto b = parse_bitrate(value);
        if (!b) return std::nullopt;
        bps = *b;
      }
      c.audio_bps = static_cast<uint32_t>(bps);
    } else {
      return std::nullopt;
    }
  }
  if (c.bitrate_bps < 8000) return std::nullopt;
  return c;
}

std::optional<Target> parse_target(std::string_view url) {
  Target t;
  t.url = std::string(url);
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string_view scheme = url.substr(0, sep), rest = url.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (scheme == "tcp") {
    t.scheme = Scheme::kRawTcp;
    t.port = 0;
    if (!split_host_port(authority, &t) || t.port == 0) return std::nullopt;
    return t;
  }
  if (scheme == "http") {
    t.scheme = Scheme::kHttpFlv;
    t.port = 80;
    if (!split_host_port(authority, &t)) return std::nullopt;
    t.path = std::string(path);
    size_t last = path.rfind('/');
    std::string_view leaf = path.substr(last + 1);
    t.app = std::string(path.substr(1, last == 0 ? 0 : last - 1));
    t.stream = std::string(leaf.substr(0, leaf.rfind(".flv")));
    return t;
  }
  if (scheme != "rtmp") return std::nullopt;
  t.scheme = Scheme::kRtmp;
  if (!split_host_port(authority, &t)) return std::nullopt;
  size_t last = path.rfind('/');
  if (last == 0 || last + 1 >= path.size()) return std::nullopt;  // need /app/stream
  t.app = std::string(path.substr(1, last - 1));
  t.stream = std::string(path.substr(last + 1));
  t.tc_url = "rtmp://" + t.host + ":" + std::to_string(t.port) + "/" + t.app;
  return t;
}

namespace {

struct Parser {
  int argc;
  char** argv;
  int i = 1;
  std::string error;

  const char* value(const char* flag) {
    if (i + 1 >= argc) {
      error = std::string(flag) + " needs a value";
      return nullptr;
    }
    return argv[++i];
  }
};

std::optional<std::string> bad(const char* flag, const char* v) {
  return std::string("invalid value for ") + flag + ": '" + (v ? v : "") + "'";
}

// Handles one flag that takes a value; returns an error message or nothing.
std::optional<std::string> apply(Options* o, std::string_view flag, const char* v) {
  uint64_t n = 0;
  if (flag == "--play") {
    auto t = parse_target(v);
    if (!t) return bad("--play", v);
    o->play.push_back(*t);
  } else if (flag == "--players" || flag == "--publishers") {
    if (!parse_u64(v, &n) || n > 1000000) return bad(flag.data(), v);
    (flag == "--players" ? o->players : o->publishers) = static_cast<uint32_t>(n);
  } else if (flag == "--publish") {
    auto t = parse_target(v);
    if (!t || t->scheme != Scheme::kRtmp) return bad("--publish", v);
    o->publish = *t;
  } else if (flag == "--flv") {
    o->flv_file = v;
  } else if (flag == "--synthetic") {
    auto c = parse_synthetic(v);
    if (!c) return bad("--synthetic", v);
    o->synthetic = *c;
  } else if (flag == "--ramp") {
    std::string_view s(v);
    if (ends_with(s, "/s")) s.remove_suffix(2);
    if (!parse_double(s, &o->ramp_per_s) || o->ramp_per_s <= 0) return bad("--ramp", v);
  } else if (flag == "--duration" || flag == "--play-delay" || flag == "--stall" ||
             flag == "--expect-max-p99") {
    auto d = parse_duration_ms(v);
    if (!d) return bad(flag.data(), v);
    if (flag == "--duration") o->duration_ms = *d;
    if (flag == "--play-delay") o->play_delay_ms = *d;
    if (flag == "--stall") o->stall_ms = *d;
    if (flag == "--expect-max-p99") o->expect_max_p99_ms = *d;
  } else if (flag == "--reconnect") {
    auto d = parse_duration_ms(v);
    if (!d) return bad("--reconnect", v);
    o->reconnect_ms = *d;
  } else if (flag == "--session") {
    auto r = parse_duration_range(v);
    if (!r) return bad("--session", v);
    o->session_min_ms = r->first;
    o->session_max_ms = r->second;
  } else if (flag == "--seed") {
    if (!parse_u64(v, &o->seed)) return bad("--seed", v);
  } else if (flag == "--full-rate") {
    double pct = 0;
    if (!parse_double(v, &pct) || pct < 0 || pct > 1000) return bad("--full-rate", v);
    o->full_rate_share = pct / 100;
  } else if (flag == "--json") {
    o->json_file = v;
  } else if (flag == "--expect-min-bytes") {
    if (!parse_u64(v, &n)) return bad(flag.data(), v);
    o->expect_min_bytes = n;
  } else {
    return std::string("unknown option ") + std::string(flag) + " (see --help)";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_options(int argc, char** argv, Options* out, bool* help) {
  Options o;
  bool players_set = false, publishers_set = false;
  Parser p{argc, argv};
  for (; p.i < argc; ++p.i) {
    std::string_view flag = argv[p.i];
    if (flag == "--help" || flag == "-h") {
      *help = true;
      return std::nullopt;
    }
    if (flag == "--quiet" || flag == "--per-client" || flag == "--expect-all-played" ||
        flag == "--expect-publish") {
      o.quiet |= flag == "--quiet";
      o.per_client |= flag == "--per-client";
      o.expect_all_played |= flag == "--expect-all-played";
      o.expect_publish |= flag == "--expect-publish";
      continue;
    }
    const char* v = p.value(argv[p.i]);
    if (v == nullptr) return p.error;
    players_set |= flag == "--players";
    publishers_set |= flag == "--publishers";
    if (auto err = apply(&o, flag, v)) return err;
  }
  if (!players_set) o.players = o.play.empty() ? 0 : 1;
  if (!publishers_set) o.publishers = o.publish ? 1 : 0;
  if (o.play.empty() && !o.publish)
    return std::string("nothing to do: give --play and/or --publish");
  if (o.publishers > 0 && !o.publish) return std::string("--publishers needs --publish");
  *out = std::move(o);
  return std::nullopt;
}

}  // namespace srs::tools::srs_bench
