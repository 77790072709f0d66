// Bench: one run of srs-bench (see bench.hpp).
#include "tools/srs-bench/bench.hpp"

#include <event2/event.h>
#include <netdb.h>
#include <sys/resource.h>

#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "base/clock.hpp"
#include "tools/srs-bench/flv_loop.hpp"
#include "tools/srs-bench/synthetic_stream.hpp"

namespace srs::tools::srs_bench {

namespace {

constexpr int64_t kNsPerMs = 1000000;
constexpr int64_t kNsPerS = 1000000000;
constexpr timeval kRampTick{0, 10000};  // 10 ms
constexpr timeval kPaceTick{0, 5000};   // 5 ms: publishers send what is due
constexpr timeval kProgressTick{1, 0};

bool resolve(const std::string& host, int port, sockaddr_in* out) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return false;
  std::memcpy(out, res->ai_addr, sizeof *out);
  out->sin_port = htons(static_cast<uint16_t>(port));
  freeaddrinfo(res);
  return true;
}

double self_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double ms_between(int64_t from_ns, int64_t to_ns) {
  if (from_ns == 0 || to_ns == 0) return -1;
  return static_cast<double>(to_ns - from_ns) / kNsPerMs;
}

}  // namespace

Bench::Bench(Options options) : options_(std::move(options)), rng_(options_.seed) {
  totals_.stall_ns = static_cast<int64_t>(options_.stall_ms) * kNsPerMs;
}

Bench::~Bench() {
  publishers_.clear();
  rtmp_players_.clear();
  http_players_.clear();
  raw_players_.clear();
  for (event* ev : events_) event_free(ev);
  if (base_ != nullptr) event_base_free(base_);
}

base::Status Bench::setup() {
  base_ = event_base_new();
  if (base_ == nullptr) return base::Status::fail(base::Errc::kSystem, "event_base_new");
  for (const Target& t : options_.play) {
    sockaddr_in addr{};
    if (!resolve(t.host, t.port, &addr)) {
      return base::Status::fail(base::Errc::kInvalid, "cannot resolve a --play host");
    }
    play_addrs_.push_back(addr);
  }
  if (options_.publish &&
      !resolve(options_.publish->host, options_.publish->port, &publish_addr_)) {
    return base::Status::fail(base::Errc::kInvalid, "cannot resolve the --publish host");
  }
  if (!options_.flv_file.empty() && options_.publishers > 0) {
    FlvLoop probe;
    if (auto st = probe.load(options_.flv_file); !st.is_ok()) return st;
  }
  // Interleaved, so a mixed load (RTMP + HTTP-FLV) ramps up evenly.
  for (uint32_t i = 0; i < options_.players; ++i) {
    for (size_t t = 0; t < options_.play.size(); ++t) pending_.push_back({t, i});
  }
  return base::Status::ok();
}

std::string Bench::stream_for(const std::string& stream, uint32_t index) const {
  if (options_.publishers <= 1 || !options_.publish || stream != options_.publish->stream) {
    return stream;
  }
  return stream + "_" + std::to_string(index % options_.publishers);
}

void Bench::start_publishers() {
  const Target& t = *options_.publish;
  for (uint32_t i = 0; i < options_.publishers; ++i) {
    auto p = std::make_unique<RtmpClient>(base_, RtmpClient::Role::kPublisher, t.tc_url, t.app,
                                          stream_for(t.stream, i), totals_);
    if (!options_.flv_file.empty()) {
      auto loop = std::make_unique<FlvLoop>();
      if (loop->load(options_.flv_file).is_ok()) p->set_source(std::move(loop));
    } else {
      p->set_source(std::make_unique<SyntheticStream>(options_.synthetic));
    }
    if (!p->start(publish_addr_).is_ok()) ++totals_.errors;
    publishers_.push_back(std::move(p));
  }
}

void Bench::start_player(const PlayerSlot& slot) {
  const Target& t = options_.play[slot.target];
  int kind = static_cast<int>(t.scheme);
  slots_[kind].push_back(slot);
  histories_[kind].emplace_back();
  player_urls_[kind].push_back(t.url);
  connect_player(kind, slots_[kind].size() - 1, base::mono_ns());
}

namespace {

// Puts `p` at index i: a new player, or the next connection of player i.
template <class P>
void place(std::vector<std::unique_ptr<P>>& players, size_t i, std::unique_ptr<P> p) {
  if (i == players.size()) {
    players.push_back(std::move(p));
  } else {
    players[i] = std::move(p);
  }
}

uint32_t server_pid(const RtmpClient& p) {
  return p.server_pid();
}
uint32_t server_pid(const Connection&) {
  return 0;
}
bool rejected(const RtmpClient& p) {
  return p.rejected();
}
bool rejected(const HttpFlvPlayer& p) {
  return p.status() != 0 && p.status() != 200;
}
bool rejected(const RawReader&) {
  return false;
}
std::string status_of(const RtmpClient& p) {
  return p.last_status();
}
std::string status_of(const HttpFlvPlayer& p) {
  return p.status() == 0 ? "" : std::to_string(p.status());
}
std::string status_of(const RawReader&) {
  return "";
}

}  // namespace

void Bench::connect_player(int kind, size_t i, int64_t now_ns) {
  const PlayerSlot& slot = slots_[kind][i];
  const Target& t = options_.play[slot.target];
  const sockaddr_in& addr = play_addrs_[slot.target];
  std::string stream = stream_for(t.stream, slot.index);
  base::Status st;
  if (t.scheme == Scheme::kRtmp) {
    auto p = std::make_unique<RtmpClient>(base_, RtmpClient::Role::kPlayer, t.tc_url, t.app, stream,
                                          totals_);
    st = p->start(addr);
    place(rtmp_players_, i, std::move(p));
  } else if (t.scheme == Scheme::kHttpFlv) {
    std::string path = t.path;
    if (stream != t.stream) path = "/" + t.app + (t.app.empty() ? "" : "/") + stream + ".flv";
    auto p = std::make_unique<HttpFlvPlayer>(base_, t.host, t.port, path, totals_);
    st = p->start(addr);
    place(http_players_, i, std::move(p));
  } else {
    auto p = std::make_unique<RawReader>(base_, totals_);
    st = p->start(addr);
    place(raw_players_, i, std::move(p));
  }
  if (!st.is_ok()) ++totals_.errors;
  PlayerHistory& h = histories_[kind][i];
  h.leave_at_ns = 0;
  if (options_.session_min_ms > 0) {
    std::uniform_int_distribution<uint64_t> ms(options_.session_min_ms, options_.session_max_ms);
    h.leave_at_ns = now_ns + static_cast<int64_t>(ms(rng_)) * kNsPerMs;
  }
}

void Bench::schedule_reconnect(PlayerHistory& h, int64_t now_ns) {
  if (!options_.reconnect_ms) {
    h.done = true;
    return;
  }
  int64_t at = now_ns + static_cast<int64_t>(*options_.reconnect_ms) * kNsPerMs;
  if (at >= end_ns_) {
    h.done = true;
    return;
  }
  h.reconnect_at_ns = at;
}

// One pass over the players of one kind (each ramp tick, with --reconnect or
// --session): close what is over, record what ended, reconnect what is due.
template <class P>
void Bench::supervise(std::vector<std::unique_ptr<P>>& players, int kind, int64_t now_ns) {
  for (size_t i = 0; i < players.size(); ++i) {
    P& p = *players[i];
    PlayerHistory& h = histories_[kind][i];
    if (h.reconnect_at_ns != 0) {
      if (now_ns < h.reconnect_at_ns) continue;
      h.reconnect_at_ns = 0;
      h.fold(p.connected(), p.bytes_in(), p.stats());
      replaced_bytes_ += p.bytes_in();
      ++reconnects_;
      connect_player(kind, i, now_ns);  // destroys p
      continue;
    }
    if (h.done) continue;
    h.watch(p.stats());
    if (p.is_open()) {
      if (h.leave_at_ns == 0 || now_ns < h.leave_at_ns) continue;
      p.close("left: session over", false);
      h.leave();
      ++leaves_;
      schedule_reconnect(h, now_ns);
      continue;
    }
    ConnectionEnd e;
    e.mono_s = static_cast<double>(p.closed_ns() != 0 ? p.closed_ns() : now_ns) / kNsPerS;
    e.local_port = p.local_port();
    e.server_pid = server_pid(p);
    e.phase = !p.connected() ? "connect" : p.stats().played() ? "playing" : "setup";
    e.rejected = rejected(p);
    e.reason = p.close_reason();
    e.status = status_of(p);
    drops_ += e.is_drop();
    h.end(std::move(e), p.stats().last_media_ns(), p.closed_ns() != 0 ? p.closed_ns() : now_ns);
    schedule_reconnect(h, now_ns);
  }
}

bool Bench::publishers_ready() const {
  for (const auto& p : publishers_) {
    if (!p->live() && p->is_open()) return false;
  }
  return true;
}

void Bench::ramp(int64_t now_ns) {
  if (players_from_ns_ == 0) {
    bool waited = now_ns - start_ns_ >= static_cast<int64_t>(options_.play_delay_ms) * kNsPerMs;
    if (!publishers_ready() && !waited) return;
    players_from_ns_ = now_ns;
    last_ramp_ns_ = now_ns;
    ramp_credit_ = 1;  // the first player now
  }
  ramp_credit_ += options_.ramp_per_s * static_cast<double>(now_ns - last_ramp_ns_) / kNsPerS;
  last_ramp_ns_ = now_ns;
  while (ramp_credit_ >= 1 && next_pending_ < pending_.size()) {
    start_player(pending_[next_pending_++]);
    ramp_credit_ -= 1;
  }
  if (ramp_end_ns_ == 0 && next_pending_ == pending_.size()) ramp_end_ns_ = now_ns;
  if (!options_.reconnect_ms && options_.session_min_ms == 0) return;
  supervise(rtmp_players_, static_cast<int>(Scheme::kRtmp), now_ns);
  supervise(http_players_, static_cast<int>(Scheme::kHttpFlv), now_ns);
  supervise(raw_players_, static_cast<int>(Scheme::kRawTcp), now_ns);
}

uint64_t Bench::player_bytes() const {
  uint64_t in = replaced_bytes_;
  for (const auto& p : rtmp_players_) in += p->bytes_in();
  for (const auto& p : http_players_) in += p->bytes_in();
  for (const auto& p : raw_players_) in += p->bytes_in();
  return in;
}

void Bench::sample(int64_t now_ns, uint64_t bytes) {
  timeline_.push_back({static_cast<double>(now_ns) / kNsPerS, bytes});
}

void Bench::progress(int64_t now_ns) {
  size_t live = 0, total = rtmp_players_.size() + http_players_.size() + raw_players_.size();
  uint64_t in = replaced_bytes_, out = 0;
  for (const auto& p : rtmp_players_) live += p->live(), in += p->bytes_in();
  for (const auto& p : http_players_) live += p->live(), in += p->bytes_in();
  for (const auto& p : raw_players_) live += p->live(), in += p->bytes_in();
  size_t publishing = 0;
  for (const auto& p : publishers_) publishing += p->live(), out += p->bytes_out();
  double mbps_in = static_cast<double>(in - last_bytes_in_) * 8 / 1e6;
  double mbps_out = static_cast<double>(out - last_bytes_out_) * 8 / 1e6;
  last_bytes_in_ = in;
  last_bytes_out_ = out;
  sample(now_ns, in);
  if (options_.quiet) return;
  const auto& lat = totals_.latency;
  if (options_.reconnect_ms || options_.session_min_ms > 0) {
    std::fprintf(stderr, "[%5.1fs] drops %" PRIu64 ", leaves %" PRIu64 ", reconnects %" PRIu64 "\n",
                 static_cast<double>(now_ns - start_ns_) / kNsPerS, drops_, leaves_, reconnects_);
  }
  std::fprintf(stderr,
               "[%5.1fs] players %zu/%zu live of %zu, publishers %zu/%zu, in %.1f Mbps, out %.1f "
               "Mbps, errors %" PRIu64 ", latency p50 %.1f ms p99 %.1f ms\n",
               static_cast<double>(now_ns - start_ns_) / kNsPerS, live, total, pending_.size(),
               publishing, publishers_.size(), mbps_in, mbps_out, totals_.errors,
               static_cast<double>(lat.percentile(50)) / 1000,
               static_cast<double>(lat.percentile(99)) / 1000);
}

void Bench::on_ramp(int /*fd*/, short /*what*/, void* arg) {
  static_cast<Bench*>(arg)->ramp(base::mono_ns());
}

void Bench::on_pace(int /*fd*/, short /*what*/, void* arg) {
  auto* self = static_cast<Bench*>(arg);
  int64_t now = base::mono_ns();
  for (auto& p : self->publishers_) p->pump(now);
}

void Bench::on_progress(int /*fd*/, short /*what*/, void* arg) {
  static_cast<Bench*>(arg)->progress(base::mono_ns());
}

void Bench::on_end(int /*fd*/, short /*what*/, void* arg) {
  event_base_loopexit(static_cast<Bench*>(arg)->base_, nullptr);
}

Summary Bench::run() {
  start_ns_ = base::mono_ns();
  end_ns_ = start_ns_ + static_cast<int64_t>(options_.duration_ms) * kNsPerMs;
  auto add = [this](short what, event_callback_fn cb, const timeval* tv, int signo = -1) {
    event* ev = event_new(base_, signo, what, cb, this);
    event_add(ev, tv);
    events_.push_back(ev);
  };
  add(EV_PERSIST, &Bench::on_ramp, &kRampTick);
  add(EV_PERSIST, &Bench::on_pace, &kPaceTick);
  add(EV_PERSIST, &Bench::on_progress, &kProgressTick);
  timeval end{static_cast<time_t>(options_.duration_ms / 1000),
              static_cast<suseconds_t>(options_.duration_ms % 1000 * 1000)};
  add(0, &Bench::on_end, &end);
  add(EV_SIGNAL, &Bench::on_end, nullptr, SIGINT);
  add(EV_SIGNAL, &Bench::on_end, nullptr, SIGTERM);
  std::signal(SIGPIPE, SIG_IGN);
  sample(start_ns_, 0);
  if (options_.publish) start_publishers();
  ramp(start_ns_);
  event_base_dispatch(base_);
  return summarize(base::mono_ns());
}

ClientRow Bench::row_of(const char* kind, const std::string& url, const Connection& c,
                        const PlayerStats& st, int64_t end_ns) const {
  ClientRow r;
  r.kind = kind;
  r.url = url;
  r.connected = c.connected();
  r.live_at_end = c.is_open() && c.connected();
  r.failed = c.failed();
  r.close_reason = c.close_reason();
  r.bytes = c.bytes_in();
  r.media_bytes = st.media_bytes();
  r.frames = st.video_frames() + st.audio_frames();
  r.saw_video = st.saw_video();
  r.first_frame_ms = ms_between(st.request_ns(), st.first_frame_ns());
  r.first_key_ms = ms_between(st.request_ns(), st.first_key_ns());
  r.request_s = static_cast<double>(st.request_ns()) / kNsPerS;
  r.first_key_s = static_cast<double>(st.first_key_ns()) / kNsPerS;
  r.stalls = st.stalls();
  r.max_gap_ms = static_cast<double>(st.max_gap_ns()) / kNsPerMs;
  r.stamps = st.stamps();
  r.cached_stamps = st.cached_stamps();
  r.max_latency_ms = static_cast<double>(st.max_latency_us()) / 1000;
  if (st.first_frame_ns() != 0 && end_ns > st.first_frame_ns()) {
    r.rate_bps = static_cast<double>(st.media_bytes()) * 8 * kNsPerS /
                 static_cast<double>(end_ns - st.first_frame_ns());
  }
  return r;
}

Summary Bench::summarize(int64_t end_ns) {
  Summary s;
  s.duration_s = static_cast<double>(end_ns - start_ns_) / kNsPerS;
  sample(end_ns, player_bytes());
  s.start_mono_s = static_cast<double>(start_ns_) / kNsPerS;
  s.ramp_end_mono_s = static_cast<double>(ramp_end_ns_) / kNsPerS;
  s.end_mono_s = static_cast<double>(end_ns) / kNsPerS;
  s.timeline = timeline_;
  for (size_t i = 0; i < rtmp_players_.size(); ++i) {
    auto& p = *rtmp_players_[i];
    p.stats().finish(end_ns, totals_);
    s.players.push_back(row_of("rtmp", player_urls_[0][i], p, p.stats(), end_ns));
    s.players.back().status = p.last_status();
    histories_[0][i].merge_into(&s.players.back(), end_ns);
  }
  for (size_t i = 0; i < http_players_.size(); ++i) {
    auto& p = *http_players_[i];
    p.stats().finish(end_ns, totals_);
    s.players.push_back(row_of("http-flv", player_urls_[1][i], p, p.stats(), end_ns));
    s.players.back().status = p.status() == 0 ? "" : std::to_string(p.status());
    histories_[1][i].merge_into(&s.players.back(), end_ns);
  }
  for (size_t i = 0; i < raw_players_.size(); ++i) {
    auto& p = *raw_players_[i];
    p.stats().finish(end_ns, totals_);
    s.players.push_back(row_of("raw", player_urls_[2][i], p, p.stats(), end_ns));
    histories_[2][i].merge_into(&s.players.back(), end_ns);
  }
  double rate_sum = 0;
  size_t rated = 0;
  for (const auto& p : publishers_) {
    ClientRow r = row_of("publisher", options_.publish->url, *p, p->stats(), end_ns);
    r.bytes = p->bytes_out();
    r.media_bytes = p->media_bytes_sent();
    r.frames = p->frames_sent();
    r.status = p->last_status();
    r.live_at_end = p->live();
    r.rate_bps = 0;
    if (p->live_ns() != 0 && end_ns > p->live_ns()) {
      r.rate_bps = static_cast<double>(r.media_bytes) * 8 * kNsPerS /
                   static_cast<double>(end_ns - p->live_ns());
      rate_sum += r.rate_bps;
      ++rated;
    }
    s.publishers.push_back(r);
  }
  // Without publishers (raw TCP against the floor) the reference is the nominal --synthetic rate.
  s.publish_rate_bps = rated == 0 ? static_cast<double>(options_.synthetic.bitrate_bps)
                                  : rate_sum / static_cast<double>(rated);
  s.latency = &totals_.latency;
  s.stamps_sent = totals_.stamps_sent;
  s.full_rate_share = options_.full_rate_share;
  s.self_cpu_s = self_cpu_seconds();
  s.reconnect_ms = options_.reconnect_ms ? static_cast<int64_t>(*options_.reconnect_ms) : -1;
  s.session_min_ms = options_.session_min_ms;
  s.session_max_ms = options_.session_max_ms;
  return s;
}

}  // namespace srs::tools::srs_bench
