// Report: text, JSON and assertions over a run's Summary (see report.hpp).
#include "tools/srs-bench/report.hpp"

#include <cinttypes>
#include <cstdio>
#include <string_view>

namespace srs::tools::srs_bench {

namespace {

struct Dist {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  size_t count = 0;
};

Dist dist_of(std::vector<double> values) {
  Dist d;
  d.count = values.size();
  if (values.empty()) return d;
  d.p50 = nearest_rank(values, 50);
  d.p90 = nearest_rank(values, 90);
  d.p99 = nearest_rank(values, 99);
  d.max = values.back();
  return d;
}

Dist latency_dist(const LatencyHistogram* h) {
  Dist d;
  if (h == nullptr || h->count() == 0) return d;
  d.count = h->count();
  d.p50 = static_cast<double>(h->percentile(50)) / 1000;
  d.p90 = static_cast<double>(h->percentile(90)) / 1000;
  d.p99 = static_cast<double>(h->percentile(99)) / 1000;
  d.max = static_cast<double>(h->max()) / 1000;
  return d;
}

bool played(const ClientRow& r) {
  // Media arrived, and a keyframe too when the stream has video.
  return r.first_frame_ms >= 0 && (!r.saw_video || r.first_key_ms >= 0);
}

bool full_rate(const ClientRow& r, const Summary& s) {
  return r.live_at_end && s.publish_rate_bps > 0 &&
         r.rate_bps >= s.full_rate_share * s.publish_rate_bps;
}

struct Counts {
  size_t connected = 0, live = 0, played = 0, full = 0, failed = 0;
  uint64_t bytes = 0, media = 0, stalls = 0, cached = 0;
  // Across reconnects.
  uint64_t connections = 0, drops = 0, drops_playing = 0, connect_failures = 0, rejected = 0,
           leaves = 0, dropped_players = 0, open_gaps = 0;
};

Counts count(const Summary& s) {
  Counts c;
  for (const auto& r : s.players) {
    c.connected += r.connected;
    c.live += r.live_at_end;
    c.played += played(r);
    c.full += full_rate(r, s);
    c.failed += r.failed;
    c.bytes += r.bytes;
    c.media += r.media_bytes;
    c.stalls += r.stalls;
    c.cached += r.cached_stamps;
    c.connections += r.connections;
    c.drops += r.drops;
    c.connect_failures += r.connect_failures;
    c.rejected += r.rejected;
    c.leaves += r.leaves;
    c.dropped_players += r.drops > 0;
    c.open_gaps += r.open_gap;
    for (const ConnectionEnd& e : r.ends) c.drops_playing += e.is_drop() && e.phase[0] == 'p';
  }
  return c;
}

std::vector<double> field(const std::vector<ClientRow>& rows, double ClientRow::*member) {
  std::vector<double> out;
  for (const auto& r : rows) {
    if (r.*member >= 0) out.push_back(r.*member);
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string dist_json(const Dist& d) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "{\"count\": %zu, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"max\": %.3f}",
                d.count, d.p50, d.p90, d.p99, d.max);
  return buf;
}

std::string row_json(const ClientRow& r, const Summary& s) {
  char buf[600];
  std::snprintf(buf, sizeof buf,
                "{\"kind\": \"%s\", \"connected\": %s, \"live_at_end\": %s, \"failed\": %s, "
                "\"bytes\": %" PRIu64 ", \"media_bytes\": %" PRIu64 ", \"frames\": %" PRIu64
                ", \"first_frame_ms\": %.3f, \"first_keyframe_ms\": %.3f, \"stalls\": %" PRIu64
                ", \"max_gap_ms\": %.1f, \"stamps\": %" PRIu64 ", \"cached_stamps\": %" PRIu64
                ", \"max_latency_ms\": %.3f, \"rate_kbps\": %.1f, \"full_rate\": %s, ",
                r.kind, r.connected ? "true" : "false", r.live_at_end ? "true" : "false",
                r.failed ? "true" : "false", r.bytes, r.media_bytes, r.frames, r.first_frame_ms,
                r.first_key_ms, r.stalls, r.max_gap_ms, r.stamps, r.cached_stamps, r.max_latency_ms,
                r.rate_bps / 1000,
                std::string_view(r.kind) != "publisher" && full_rate(r, s) ? "true" : "false");
  std::string out = std::string(buf) + "\"url\": " + json_string(r.url) +
                    ", \"status\": " + json_string(r.status) +
                    ", \"close_reason\": " + json_string(r.close_reason);
  if (s.reconnect_ms < 0 && s.session_min_ms == 0) return out + "}";
  std::snprintf(buf, sizeof buf,
                ", \"connections\": %u, \"drops\": %u, \"connect_failures\": %u, "
                "\"rejected\": %u, \"leaves\": %u, \"drop_gaps\": %u, \"drop_gap_max_ms\": %.1f, "
                "\"drop_gap_total_ms\": %.1f, \"open_gap\": %s, \"ends\": [",
                r.connections, r.drops, r.connect_failures, r.rejected, r.leaves, r.drop_gaps,
                r.drop_gap_max_ms, r.drop_gap_total_ms, r.open_gap ? "true" : "false");
  out += buf;
  const char* sep = "";
  for (const ConnectionEnd& e : r.ends) {
    std::snprintf(buf, sizeof buf,
                  "%s{\"mono_s\": %.6f, \"port\": %u, \"server_pid\": %u, \"phase\": \"%s\", "
                  "\"rejected\": %s, \"drop\": %s, ",
                  sep, e.mono_s, unsigned(e.local_port), e.server_pid, e.phase,
                  e.rejected ? "true" : "false", e.is_drop() ? "true" : "false");
    out += buf;
    out += "\"reason\": " + json_string(e.reason) + ", \"status\": " + json_string(e.status) + "}";
    sep = ", ";
  }
  return out + "]}";
}

// With --reconnect: the drops, reconnects and gaps of the whole run.
std::string reconnect_json(const Summary& s, const Counts& c) {
  std::vector<double> gaps;
  for (const auto& r : s.players) {
    if (r.drop_gaps > 0) gaps.push_back(r.drop_gap_max_ms);
  }
  char buf[600];
  std::snprintf(buf, sizeof buf,
                ",\n  \"reconnect\": {\"delay_ms\": %lld, \"session_min_ms\": %" PRIu64
                ", \"session_max_ms\": %" PRIu64 ", \"connections\": %" PRIu64
                ", \"drops\": %" PRIu64 ", \"drops_playing\": %" PRIu64
                ", \"connect_failures\": %" PRIu64 ", \"rejected\": %" PRIu64
                ", \"leaves\": %" PRIu64 ", \"dropped_players\": %" PRIu64
                ", \"open_gaps\": %" PRIu64 ", \"max_drop_gap_ms\": ",
                static_cast<long long>(s.reconnect_ms), s.session_min_ms, s.session_max_ms,
                c.connections, c.drops, c.drops_playing, c.connect_failures, c.rejected, c.leaves,
                c.dropped_players, c.open_gaps);
  return buf + dist_json(dist_of(gaps)) + "}";
}

// The run's instants and the players' bytes over time (see TimelineSample).
std::string timeline_json(const Summary& s) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "  \"start_mono_s\": %.6f,\n  \"ramp_end_mono_s\": %.6f,\n"
                "  \"end_mono_s\": %.6f,\n  \"timeline\": [",
                s.start_mono_s, s.ramp_end_mono_s, s.end_mono_s);
  std::string out = buf;
  const char* sep = "";
  for (const TimelineSample& t : s.timeline) {
    std::snprintf(buf, sizeof buf, "%s[%.6f, %" PRIu64 "]", sep, t.mono_s, t.bytes);
    out += buf;
    sep = ", ";
  }
  return out + "]";
}

}  // namespace

JoinRate join_rate(const std::vector<ClientRow>& players) {
  JoinRate j;
  double first = 0, last = 0;
  for (const ClientRow& r : players) {
    if (r.request_s > 0 && (first == 0 || r.request_s < first)) first = r.request_s;
    if (r.first_key_s <= 0) continue;
    j.players++;
    if (r.first_key_s > last) last = r.first_key_s;
  }
  if (j.players == 0 || last <= first) return j;
  j.span_s = last - first;
  j.per_s = static_cast<double>(j.players) / j.span_s;
  return j;
}

std::string to_text(const Summary& s) {
  Counts c = count(s);
  Dist ff = dist_of(field(s.players, &ClientRow::first_frame_ms));
  Dist fk = dist_of(field(s.players, &ClientRow::first_key_ms));
  Dist lat = latency_dist(s.latency);
  JoinRate join = join_rate(s.players);
  uint64_t pub_bytes = 0, pub_media = 0;
  size_t pub_live = 0;
  for (const auto& p : s.publishers)
    pub_bytes += p.bytes, pub_media += p.media_bytes, pub_live += p.live_at_end;
  char buf[2048];
  std::snprintf(
      buf, sizeof buf,
      "srs-bench: %.1f s\n"
      "  players         %zu: %zu connected, %zu live at the end, %zu played, %zu at full rate "
      "(>= %.0f%% of %.0f kbps), %zu failed, %" PRIu64
      " stalls\n"
      "  received        %.1f MB (%.1f Mbps), media %.1f MB\n"
      "  publishers      %zu: %zu publishing at the end, sent %.1f MB (media %.1f MB, %.0f kbps "
      "each)\n"
      "  first frame     p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f (%zu players)\n"
      "  first keyframe  p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f\n"
      "  join            %zu players started in %.3f s (%.0f/s)\n"
      "  latency         p50 %.2f ms, p90 %.2f, p99 %.2f, max %.2f (%zu frames received, %" PRIu64
      " stamped sent, %" PRIu64
      " older than the play request not counted)\n"
      "  srs-bench cpu   %.2f s\n",
      s.duration_s, s.players.size(), c.connected, c.live, c.played, c.full,
      s.full_rate_share * 100, s.publish_rate_bps / 1000, c.failed, c.stalls,
      static_cast<double>(c.bytes) / 1e6,
      s.duration_s > 0 ? static_cast<double>(c.bytes) * 8 / 1e6 / s.duration_s : 0,
      static_cast<double>(c.media) / 1e6, s.publishers.size(), pub_live,
      static_cast<double>(pub_bytes) / 1e6, static_cast<double>(pub_media) / 1e6,
      s.publish_rate_bps / 1000, ff.p50, ff.p90, ff.p99, ff.max, ff.count, fk.p50, fk.p90, fk.p99,
      fk.max, join.players, join.span_s, join.per_s, lat.p50, lat.p90, lat.p99, lat.max, lat.count,
      s.stamps_sent, c.cached, s.self_cpu_s);
  std::string out = buf;
  if (s.reconnect_ms >= 0 || s.session_min_ms > 0) {
    std::snprintf(buf, sizeof buf,
                  "  reconnects      %" PRIu64 " connections: %" PRIu64 " drops (%" PRIu64
                  " while playing) of %" PRIu64 " players, %" PRIu64 " connect failures, %" PRIu64
                  " rejected, %" PRIu64 " sessions over; %" PRIu64 " gaps still open\n",
                  c.connections, c.drops, c.drops_playing, c.dropped_players, c.connect_failures,
                  c.rejected, c.leaves, c.open_gaps);
    out += buf;
  }
  for (const auto& r : s.publishers) {
    if (!r.live_at_end)
      out += "  publisher not publishing: " + r.close_reason + " " + r.status + "\n";
  }
  return out;
}

std::string to_json(const Summary& s, bool per_client) {
  Counts c = count(s);
  uint64_t pub_bytes = 0, pub_media = 0;
  size_t pub_live = 0;
  for (const auto& p : s.publishers)
    pub_bytes += p.bytes, pub_media += p.media_bytes, pub_live += p.live_at_end;
  char buf[1500];
  std::snprintf(buf, sizeof buf,
                "{\n  \"duration_s\": %.3f,\n  \"self_cpu_s\": %.3f,\n"
                "  \"players\": {\"count\": %zu, \"connected\": %zu, \"live_at_end\": %zu, "
                "\"played\": %zu, \"full_rate\": %zu, \"failed\": %zu, \"stalls\": %" PRIu64
                ", \"bytes\": %" PRIu64 ", \"media_bytes\": %" PRIu64
                ", \"mbps\": %.3f},\n"
                "  \"publishers\": {\"count\": %zu, \"publishing\": %zu, \"bytes\": %" PRIu64
                ", \"media_bytes\": %" PRIu64 ", \"rate_kbps\": %.1f, \"stamps\": %" PRIu64
                "},\n"
                "  \"full_rate_share\": %.3f,\n",
                s.duration_s, s.self_cpu_s, s.players.size(), c.connected, c.live, c.played, c.full,
                c.failed, c.stalls, c.bytes, c.media,
                s.duration_s > 0 ? static_cast<double>(c.bytes) * 8 / 1e6 / s.duration_s : 0,
                s.publishers.size(), pub_live, pub_bytes, pub_media, s.publish_rate_bps / 1000,
                s.stamps_sent, s.full_rate_share);
  std::string out = buf;
  out +=
      "  \"first_frame_ms\": " + dist_json(dist_of(field(s.players, &ClientRow::first_frame_ms)));
  out += ",\n  \"first_keyframe_ms\": " +
         dist_json(dist_of(field(s.players, &ClientRow::first_key_ms)));
  out += ",\n  \"latency_ms\": " + dist_json(latency_dist(s.latency));
  JoinRate join = join_rate(s.players);
  char jbuf[128];
  std::snprintf(jbuf, sizeof jbuf,
                ",\n  \"join\": {\"players\": %zu, \"span_s\": %.6f, \"per_s\": %.1f}",
                join.players, join.span_s, join.per_s);
  out += jbuf;
  if (s.reconnect_ms >= 0 || s.session_min_ms > 0) out += reconnect_json(s, c);
  out += ",\n" + timeline_json(s);
  if (per_client) {
    out += ",\n  \"clients\": [";
    const char* sep = "\n    ";
    for (const auto* rows : {&s.publishers, &s.players}) {
      for (const auto& r : *rows) {
        out += sep + row_json(r, s);
        sep = ",\n    ";
      }
    }
    out += "\n  ]";
  }
  return out + "\n}\n";
}

std::vector<std::string> check(const Summary& s, const Options& o) {
  std::vector<std::string> failures;
  char buf[200];
  for (const auto& r : s.players) {
    if (o.expect_min_bytes && r.bytes < *o.expect_min_bytes) {
      std::snprintf(buf, sizeof buf, "a %s player received %" PRIu64 " bytes < %" PRIu64, r.kind,
                    r.bytes, *o.expect_min_bytes);
      failures.push_back(buf);
      break;
    }
  }
  if (o.expect_all_played) {
    size_t not_played = 0;
    for (const auto& r : s.players) not_played += !played(r);
    if (not_played > 0 || s.players.empty()) {
      std::snprintf(buf, sizeof buf, "%zu of %zu players did not play", not_played,
                    s.players.size());
      failures.push_back(buf);
    }
  }
  if (o.expect_publish) {
    for (const auto& r : s.publishers) {
      if (r.live_at_end) continue;
      failures.push_back("a publisher was not publishing at the end (" + r.close_reason + " " +
                         r.status + ")");
      break;
    }
  }
  Dist lat = latency_dist(s.latency);
  if (o.expect_max_p99_ms &&
      (lat.count == 0 || lat.p99 > static_cast<double>(*o.expect_max_p99_ms))) {
    std::snprintf(buf, sizeof buf, "latency p99 %.2f ms (%zu frames) > %" PRIu64 " ms", lat.p99,
                  lat.count, *o.expect_max_p99_ms);
    failures.push_back(buf);
  }
  return failures;
}

}  // namespace srs::tools::srs_bench
