// One stream an edge pulls from its origins (see edge_puller.hpp).
#include "worker/edge/edge_puller.hpp"

#include <algorithm>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "proto/rtmp/aggregate.hpp"
#include "worker/core/connections.hpp"
#include "worker/directory/stream_directory.hpp"
#include "worker/stream/rtmp_media.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr int64_t kTickMs = 250;  // stall and idle checks

// Metadata and sequence headers: what a new origin sends first, before its
// frames, whatever their timestamps (FLV 10.1 annex E.4.2.1 and E.4.3.1;
// Enhanced RTMP's PacketTypeSequenceStart).
bool is_header(const MediaRecord& r) {
  if (r.kind == MediaKind::kMetadata) return true;
  if (r.body.size() < 2) return false;
  const uint8_t first = r.body[0];
  if (r.kind == MediaKind::kAudio) return (first >> 4) == 10 && r.body[1] == 0;  // AAC
  if (first & 0x80) return (first & 0x0f) == 0;                                  // ex video
  return r.body[1] == 0;  // AVC, HEVC: AVCPacketType 0
}

}  // namespace

EdgePuller::EdgePuller(Services& svc, Owner& owner, Resolver& resolver,
                       std::unique_ptr<Publisher> publisher, const conf::VhostConfig& vhost,
                       const HookInfo& player)
    : svc_(svc),
      owner_(owner),
      publisher_(std::move(publisher)),
      vhost_(vhost),
      // The first player's context id: one grep on it follows that player
      // from the edge to the origin, which logs it in its connect line.
      cid_(player.client_id.empty() ? base::new_context_id()
                                    : base::ContextId::of(player.client_id)),
      connector_(svc.base, resolver),
      tick_(make_timer(svc.base, on_tick_cb, this, EV_PERSIST)),
      retry_(make_timer(svc.base, on_retry_cb, this)),
      player_(player),
      origins_(origins_of(vhost, player, svc.directory != nullptr)),
      link_(svc, shm::LinkKind::kEdgePull, cid_, origins_[0].url, publisher_->slot(),
            publisher_->generation(), "edge " + publisher_->key()) {
  LOG_INFO("edge %s: pulling from %zu origins (puller cid=%s)", key().c_str(), origins_.size(),
           cid_.c_str());
  add_after_ms(tick_.get(), kTickMs);
  connect();
}

EdgePuller::~EdgePuller() {
  *alive_ = false;
  connector_.cancel();
  if (conn_ != nullptr) {
    EdgeConn* conn = std::exchange(conn_, nullptr);
    conn->detach();
    conn->close("edge pull stopped");
  }
}

void EdgePuller::connect() {
  if (svc_.directory != nullptr && current_ == 0) return look_up();
  start_connect();
}

// Who holds the stream now: that origin, else the configured ones.
void EdgePuller::look_up() {
  svc_.directory->lookup(key(), [this, alive = alive_](const std::string& endpoint) {
    if (!*alive || stopped_) return;
    base::LogContext ctx(cid_);
    conf::RtmpUrl url;
    if (!endpoint.empty() && conf::parse_rtmp_url(endpoint, &url).empty()) {
      origins_[0] = rtmp_target(url, player_, vhost_.name);
    } else if (origins_.size() == 1) {  // an origin pulling through: no other origin to ask
      return failed("the directory names no holder");
    } else {
      LOG_INFO("edge %s: the directory names no holder; trying the configured origins",
               key().c_str());
      current_ = 1;
    }
    start_connect();
  });
}

void EdgePuller::start_connect() {
  base::LogContext ctx(cid_);
  const RtmpTarget& origin = origins_[current_];
  link_.set_url(origin.url);
  link_.set_state(shm::LinkState::kConnecting);
  attempt_ms_ = base::mono_ms();
  last_media_ms_ = 0;
  live_ = false;
  based_ = !have_ts_;  // the first connection keeps the origin's timestamps
  connector_.start(origin.host, origin.port,
                   [this](base::Result<Connected> r) { on_connected(std::move(r)); });
}

rtmp::ClientConfig EdgePuller::client_config() const {
  const RtmpTarget& origin = origins_[current_];
  rtmp::ClientConfig c;
  c.role = rtmp::ClientRole::kPlay;
  c.tc_url = origin.tc_url;
  c.app = origin.app;
  c.stream = origin.stream;
  c.identity = our_identity(cid_);
  return c;
}

void EdgePuller::on_connected(base::Result<Connected> r) {
  base::LogContext ctx(cid_);
  if (!r.is_ok()) return failed("connecting failed: " + r.status().to_string());
  auto conn = std::make_unique<EdgeConn>(svc_, *this, cid_, std::move(*r), client_config(), key());
  conn->count_also(link_.bytes_in(), link_.bytes_out());
  conn_ = conn.get();
  svc_.conns->add(std::move(conn));
  conn_->start(kSetupTimeoutMs);
}

void EdgePuller::on_edge_live(EdgeConn& conn) {
  live_ = true;
  last_media_ms_ = base::mono_ms();  // the stall clock starts now
  link_.set_state(shm::LinkState::kLive, conn.upstream().id);
  LOG_INFO("edge %s: playing from %s", key().c_str(), origins_[current_].url.c_str());
}

bool EdgePuller::on_edge_message(const rtmp::Message& msg, std::string* why) {
  if (msg.header.type_id != rtmp::kTypeAggregate) return write(msg, why);
  rtmp::AggregateReader agg(msg);
  rtmp::Message sub;
  for (;;) {
    rtmp::AggregateResult r = agg.next(&sub);
    if (r == rtmp::AggregateResult::kEnd) return true;
    if (r == rtmp::AggregateResult::kError) {
      *why = "bad aggregate message from the origin: " + agg.error().to_string();
      return false;
    }
    if (!write(sub, why)) return false;
  }
}

bool EdgePuller::write(const rtmp::Message& msg, std::string* why) {
  MediaRecord record;
  if (!media_record_of(msg, &record, &scratch_)) return true;
  int64_t now = base::mono_ms();
  last_media_ms_ = now;
  failures_in_row_ = 0;
  backoff_ms_ = kFirstRetryMs;
  if (gap_since_ms_ != 0) {
    uint32_t gap = uint32_t(now - gap_since_ms_);
    gap_since_ms_ = 0;
    LOG_WARN("edge %s: media again from %s after a gap of %u ms", key().c_str(),
             origins_[current_].url.c_str(), gap);
  }
  record.timestamp = rebase(record.timestamp, is_header(record));
  if (base::Status s = publisher_->write(record); !s.is_ok()) {
    *why = "a " + std::to_string(msg.header.length) +
           "-byte message from the origin refused: " + s.to_string();
    return false;
  }
  return true;
}

// After an origin switch the new origin's timestamps go on from the last
// one written: its metadata and sequence headers take the last timestamp,
// its first frame the next millisecond, and what follows keeps its spacing.
uint32_t EdgePuller::rebase(uint32_t timestamp, bool header) {
  if (!based_) {
    if (header) return last_ts_;
    ts_offset_ = int64_t(last_ts_) + 1 - int64_t(timestamp);
    based_ = true;
  }
  const int64_t rebased = int64_t(timestamp) + ts_offset_;
  if (header && have_ts_ && rebased < int64_t(last_ts_)) return last_ts_;  // never back
  last_ts_ = uint32_t(rebased);
  have_ts_ = true;
  return last_ts_;
}

void EdgePuller::on_edge_read_done() {
  if (!publisher_->flush()) stop("another publisher took the stream over");
}

void EdgePuller::on_edge_closed(const std::string& why) {
  conn_ = nullptr;
  failed(why);
}

void EdgePuller::failed(const std::string& why) {
  if (stopped_) return;
  base::LogContext ctx(cid_);
  link_.set_state(shm::LinkState::kRetrying);
  link_.count_retry();
  svc_.control->workers().counters(svc_.slot).edge_retries.fetch_add(1, std::memory_order_relaxed);
  const std::string lost = origins_[current_].url;
  const bool was_live = live_ && last_media_ms_ != 0;
  if (was_live && gap_since_ms_ == 0) gap_since_ms_ = last_media_ms_;
  live_ = false;
  if (svc_.directory != nullptr && holder_failed(was_live, why)) return;
  current_ = (current_ + 1) % origins_.size();
  const std::string& next = origins_[current_].url;
  if (was_live) {
    failures_in_row_ = 0;
    LOG_WARN("edge %s: origin %s lost (%s); switching to %s", key().c_str(), lost.c_str(),
             why.c_str(), next.c_str());
    return connect();
  }
  if (++failures_in_row_ < origins_.size()) {
    LOG_WARN("edge %s: origin %s failed (%s); trying %s", key().c_str(), lost.c_str(), why.c_str(),
             next.c_str());
    return connect();
  }
  failures_in_row_ = 0;
  LOG_WARN("edge %s: every origin failed (the last, %s: %s); retry in %lld ms", key().c_str(),
           lost.c_str(), why.c_str(), (long long)backoff_ms_);
  add_after_ms(retry_.get(), backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxRetryMs);
}

// With a directory, a lost holder is looked up again at once (the stream
// may have moved), and a holder that does not answer is asked again every
// kHolderRetryMs for one lease period (a dead origin's lease runs out, its
// publisher republishes elsewhere) before the configured origins get their
// turn. True when that is what happens next.
bool EdgePuller::holder_failed(bool was_live, const std::string& why) {
  if (was_live) {
    holder_failures_ = 0;
    if (current_ != 0) return false;  // a configured origin was lost: the normal rotation
    LOG_WARN("edge %s: origin %s lost (%s); asking the directory again", key().c_str(),
             origins_[0].url.c_str(), why.c_str());
    connect();
    return true;
  }
  if (current_ != 0) return false;
  const int64_t lease_ms = svc_.config->origin_cluster.lease.count();
  if (++holder_failures_ * kHolderRetryMs > lease_ms + kHolderRetryMs) {
    holder_failures_ = 0;
    return false;
  }
  LOG_WARN("edge %s: the holder %s failed (%s); asking the directory again in %lld ms",
           key().c_str(), origins_[0].url.c_str(), why.c_str(), (long long)kHolderRetryMs);
  add_after_ms(retry_.get(), kHolderRetryMs);
  return true;
}

void EdgePuller::on_retry_cb(evutil_socket_t, short, void* arg) {
  static_cast<EdgePuller*>(arg)->connect();
}

void EdgePuller::on_tick_cb(evutil_socket_t, short, void* arg) {
  static_cast<EdgePuller*>(arg)->tick();
}

std::vector<RtmpTarget> EdgePuller::origins_of(const conf::VhostConfig& vhost,
                                               const HookInfo& player, bool directory) {
  std::vector<RtmpTarget> origins;
  if (directory) {  // the holder's place, filled by each lookup
    RtmpTarget holder;
    holder.url = "the directory's holder";
    origins.push_back(holder);
  }
  for (const conf::RtmpUrl& origin : vhost.cluster.origins)
    origins.push_back(rtmp_target(origin, player, vhost.name));
  return origins;
}

uint32_t EdgePuller::players() const {
  uint32_t n = 0;
  const shm::Registry& reg = svc_.control->registry();
  for (uint32_t w = 0; w < shm::kWorkerSlots; ++w) n += reg.players_on(publisher_->slot(), w);
  return n;
}

void EdgePuller::tick() {
  base::LogContext ctx(cid_);
  const int64_t now = base::mono_ms();
  const int64_t stall = vhost_.cluster.stall_timeout.count();
  if (conn_ != nullptr && live_ && now - last_media_ms_ > stall) {
    conn_->close("no media for " + std::to_string(now - last_media_ms_) +
                 " ms (cluster.stall_timeout)");
    return;
  }
  const uint32_t all = players();
  if (svc_.draining && svc_.control->registry().players_on(publisher_->slot(), svc_.slot) == 0 &&
      all != 0) {
    // A reload: this worker's players are gone, the new generation's need
    // the stream; one of their workers pulls it again (edge.hpp).
    return stop("this worker drains after a reload; a new worker takes the pull over");
  }
  if (all != 0) {
    idle_since_ms_ = 0;
    return;
  }
  if (idle_since_ms_ == 0) idle_since_ms_ = now;
  if (now - idle_since_ms_ >= vhost_.cluster.idle_timeout.count())
    stop("no player for cluster.idle_timeout");
}

void EdgePuller::stop(const char* why) {
  if (stopped_) return;
  stopped_ = true;
  LOG_INFO("edge %s: the pull stops: %s", key().c_str(), why);
  event_del(tick_.get());
  event_del(retry_.get());
  connector_.cancel();
  if (conn_ != nullptr) {
    EdgeConn* conn = std::exchange(conn_, nullptr);
    conn->detach();
    conn->close(std::string("edge pull stopped: ") + why);
  }
  publisher_->stop();
  owner_.on_pull_done(*this);
}

}  // namespace srs::worker
