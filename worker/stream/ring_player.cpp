// A player of a live stream: ring -> headers + payloads -> writev (see ring_player.hpp).
#include "worker/stream/ring_player.hpp"

#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.hpp"
#include "base/log.hpp"

namespace srs::worker {
namespace {

constexpr uint32_t kBatchRecords = 64;
constexpr uint32_t kBatchBytes = 1u << 20;
constexpr int kBatchesPerCall = 16;  // then yield to the loop (EV_WRITE resumes)

// Writes as much of iov[*idx..count) as the socket takes, adjusting the
// first partly written entry. Returns false on a socket error (errno set);
// *idx == count when everything went out.
bool write_iovecs(int fd, iovec* iov, size_t count, size_t* idx, size_t* written) {
  while (*idx < count) {
    int n = int(std::min<size_t>(count - *idx, IOV_MAX));
    ssize_t w = ::writev(fd, iov + *idx, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    *written += size_t(w);
    size_t left = size_t(w);
    while (*idx < count && left >= iov[*idx].iov_len) left -= iov[(*idx)++].iov_len;
    if (left > 0) {
      iov[*idx].iov_base = static_cast<uint8_t*>(iov[*idx].iov_base) + left;
      iov[*idx].iov_len -= left;
      return true;  // the socket is full
    }
  }
  return true;
}

}  // namespace

RingPlayer::RingPlayer(Services& svc, std::string key, const conf::VhostConfig& vhost)
    : svc_(svc), key_(std::move(key)), vhost_(vhost), jitter_(vhost.play.time_jitter) {
  counters().players.fetch_add(1, std::memory_order_relaxed);
}

RingPlayer::~RingPlayer() {
  svc_.hub->cancel_wait(this);
  detach();
  counters().players.fetch_sub(1, std::memory_order_relaxed);
}

shm::WorkerCounters& RingPlayer::counters() { return svc_.control->workers().counters(svc_.slot); }

void RingPlayer::start() {
  // A bounded kernel buffer: a slow player shows up as a full socket early,
  // not after megabytes of autotuned buffer (and as much delay).
  if (int size = int(vhost_.play.send_buffer); size > 0) {
    (void)::setsockopt(fd(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  for (int tries = 0; tries < 3; tries++) {
    if (attach()) return;
    if (svc_.hub->wait_for(key_, this)) break;
  }
  waiting_ = true;
  LOG_INFO("play %s: no publisher yet, waiting", key_.c_str());
  (void)flush_control();
}

bool RingPlayer::attach() {
  shm::StreamState state = shm::StreamState::kFree;
  std::string why;
  stream_ = svc_.hub->attach(key_, this, vhost_.play.merge_window, &state, &why);
  if (!stream_) {
    if (!why.empty()) LOG_WARN("play %s: %s", key_.c_str(), why.c_str());
    return false;
  }
  shm::ReaderOptions opts;
  opts.attach_at = vhost_.play.gop_cache ? shm::AttachAt::kKeyframe : shm::AttachAt::kLiveEdge;
  opts.on_lap = vhost_.play.slow_player == conf::SlowPlayer::kDisconnect ? shm::LapPolicy::kReport
                                                                         : shm::LapPolicy::kJumpToKeyframe;
  if (base::Status s = reader_.attach(stream_->segment.data(), stream_->segment.size(), opts);
      !s.is_ok()) {
    LOG_ERROR("play %s: attaching a reader failed: %s", key_.c_str(), s.to_string().c_str());
    detach();
    return false;
  }
  (void)svc_.hub->state_of(stream_, &generation_);
  waiting_ = false;
  need_keyframe_ = true;
  attached_ms_ = base::mono_ms();
  queue_start_pack(*stream_->start_pack());
  if (on_stream_data()) svc_.hub->maybe_sleep(stream_);
  return true;
}

void RingPlayer::detach() {
  pending_ = false;
  pend_iov_.clear();
  pend_hdr_.clear();
  if (!stream_) return;
  svc_.hub->detach(stream_, this);
  stream_ = nullptr;
}

void RingPlayer::pause(bool paused) {
  paused_ = paused;
  if (!paused_ && stream_) (void)on_stream_data();
}

bool RingPlayer::on_writable() {
  bool done = on_stream_data();
  if (done && stream_) svc_.hub->maybe_sleep(stream_);
  return done;
}

bool RingPlayer::on_stream_data() {
  if (ended_ || closing()) return true;
  // A socket that stays full while the publisher goes on: before the ring
  // overwrites what waits to be sent, keep only the message in flight and
  // skip to the newest keyframe (slow_player: skip); or let validation
  // close the player (disconnect).
  if (pending_ && !pend_private_ && vhost_.play.slow_player == conf::SlowPlayer::kSkip &&
      !reader_.safe_from(pend_start_)) {
    rescue_pending();
  }
  if (pending_ && !send_pending()) return false;
  if (!flush_control()) return false;
  if (!stream_ || paused_) return true;
  for (int i = 0; i < kBatchesPerCall; i++) {
    bool more = false;
    if (!send_batch(&more)) return false;
    if (!more) return true;
  }
  want_write();  // more is readable: continue on the next loop iteration
  return false;
}

size_t RingPlayer::frame_records(const shm::RecordView* views, uint32_t count, size_t* iov_count,
                                 size_t* header_bytes) {
  size_t need_iov = 0, need_hdr = 0;
  for (uint32_t i = 0; i < count; i++) {
    need_iov += iovec_space(views[i].payload_len);
    need_hdr += header_space(views[i].payload_len);
  }
  if (svc_.iov.size() < need_iov) svc_.iov.resize(need_iov);
  if (svc_.scratch.size() < need_hdr) svc_.scratch.resize(need_hdr);
  svc_.message_ends.clear();
  size_t niov = 0, hused = 0, total = 0;
  for (uint32_t i = 0; i < count; i++) {
    const shm::RecordView& v = views[i];
    if (v.type == shm::RecordType::kDiscontinuity) {
      jitter_.discontinuity();
      continue;
    }
    if (v.type != shm::RecordType::kAudio && v.type != shm::RecordType::kVideo &&
        v.type != shm::RecordType::kData) {
      continue;
    }
    if (v.type == shm::RecordType::kVideo && need_keyframe_) {
      if (!(v.flags & (shm::kFlagKeyframe | shm::kFlagSequenceHeader))) continue;
      if (v.flags & shm::kFlagKeyframe) {
        need_keyframe_ = false;
        if (!first_frame_logged_) {
          first_frame_logged_ = true;
          LOG_INFO("play %s: first keyframe sent %lld ms after play", key_.c_str(),
                   (long long)(base::mono_ms() - attached_ms_));
        }
      }
    }
    size_t hspace = header_space(v.payload_len);
    base::Result<size_t> n = frame(v, jitter_.correct(v.timestamp), svc_.scratch.data() + hused,
                                   hspace, svc_.iov.data() + niov, svc_.iov.size() - niov);
    if (!n.is_ok()) continue;  // cannot happen with the space reserved above
    niov += *n;
    hused += hspace;
    total += v.size;
    svc_.message_ends.push_back(uint32_t(niov));
  }
  *iov_count = niov;
  *header_bytes = hused;
  return total;
}

bool RingPlayer::send_batch(bool* more) {
  shm::RecordView views[kBatchRecords];
  shm::ReadResult r = reader_.read(views, kBatchRecords, kBatchBytes);
  switch (r.status) {
    case shm::ReadStatus::kEmpty:
      *more = false;
      return true;
    case shm::ReadStatus::kLapped:
      counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
      end("too slow: lapped by the publisher (slow_player: disconnect)", false);
      return false;
    case shm::ReadStatus::kRecords:
      break;
  }
  if (r.jumped) {
    // The skipped part may have held new sequence headers (a republish):
    // send the current ones again before the keyframe.
    need_keyframe_ = true;
    jitter_.discontinuity();
    counters().lapped_players.fetch_add(1, std::memory_order_relaxed);
    if (laps_logged_++ % 100 == 0) {
      LOG_WARN("play %s: player too slow, skipped to the newest keyframe (%u times)", key_.c_str(),
               reader_.laps());
    }
    queue_start_pack(*stream_->start_pack());
    if (!flush_control()) return false;  // the batch is read again once the socket drains
  }
  size_t iov_count = 0, header_bytes = 0;
  frame_records(views, r.count, &iov_count, &header_bytes);
  size_t idx = 0, written = 0;
  iovec* iov = svc_.iov.data();
  if (!write_iovecs(fd(), iov, iov_count, &idx, &written)) {
    close(std::string("writev() failed (") + std::strerror(errno) + ")");
    return false;
  }
  count_out(written);
  if (!reader_.validate(r.start)) {
    counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
    close("torn send: the ring overwrote what was being sent (player far too slow)");
    return false;
  }
  if (idx == iov_count) {
    reader_.advance_past(views[r.count - 1]);
    *more = true;
    return true;
  }
  keep_pending(iov, iov_count, idx, r.start, views[r.count - 1]);
  want_write();
  return false;
}

void RingPlayer::keep_pending(const iovec* all, size_t total, size_t first, uint32_t start,
                              const shm::RecordView& last) {
  const iovec* iov = all + first;
  size_t count = total - first;
  pend_ends_.clear();
  for (uint32_t end : svc_.message_ends) {
    if (end > first) pend_ends_.push_back(uint32_t(end - first));
  }
  pend_private_ = false;
  const uint8_t* lo = svc_.scratch.data();
  const uint8_t* hi = lo + svc_.scratch.size();
  size_t hdr = 0;
  for (size_t i = 0; i < count; i++) {
    auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    if (p >= lo && p < hi) hdr += iov[i].iov_len;
  }
  pend_hdr_.clear();
  pend_hdr_.reserve(hdr);  // no reallocation below: the iovecs point into it
  pend_iov_.assign(iov, iov + count);
  for (iovec& e : pend_iov_) {
    auto* p = static_cast<const uint8_t*>(e.iov_base);
    if (p < lo || p >= hi) continue;
    size_t at = pend_hdr_.size();
    pend_hdr_.insert(pend_hdr_.end(), p, p + e.iov_len);
    e.iov_base = pend_hdr_.data() + at;
  }
  pend_idx_ = 0;
  pend_start_ = start;
  pend_last_ = last;
  pending_ = true;
}

bool RingPlayer::send_pending() {
  size_t written = 0;
  if (!write_iovecs(fd(), pend_iov_.data(), pend_iov_.size(), &pend_idx_, &written)) {
    close(std::string("writev() failed (") + std::strerror(errno) + ")");
    return false;
  }
  count_out(written);
  if (!pend_private_ && !reader_.validate(pend_start_)) {
    counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
    close("torn send: the ring overwrote what was being sent (player far too slow)");
    return false;
  }
  if (pend_idx_ < pend_iov_.size()) {
    want_write();
    return false;
  }
  pending_ = false;
  if (jump_after_pending_) {
    jump_after_pending_ = false;
    jump();
  } else {
    reader_.advance_past(pend_last_);
  }
  pend_iov_.clear();
  pend_hdr_.clear();
  if (pend_hdr_.capacity() > 64 * 1024) pend_hdr_.shrink_to_fit();
  return true;
}

// Copies the rest of the message being sent (a chunk cannot be cut short)
// out of the ring and drops the messages after it; the cursor then jumps to
// the newest keyframe once that copy is out.
void RingPlayer::rescue_pending() {
  size_t end = pend_idx_;
  for (uint32_t e : pend_ends_) {
    if (e > pend_idx_) {
      end = e;
      break;
    }
  }
  std::vector<uint8_t> rest;
  for (size_t i = pend_idx_; i < end; i++) {
    auto* p = static_cast<const uint8_t*>(pend_iov_[i].iov_base);
    rest.insert(rest.end(), p, p + pend_iov_[i].iov_len);
  }
  if (!reader_.validate(pend_start_)) {  // too late: already overwritten
    counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
    close("torn send: the ring overwrote what was being sent (player far too slow)");
    return;
  }
  pend_hdr_ = std::move(rest);
  pend_iov_.clear();
  if (!pend_hdr_.empty()) pend_iov_.push_back({pend_hdr_.data(), pend_hdr_.size()});
  pend_idx_ = 0;
  pend_ends_.clear();
  pend_private_ = true;
  jump_after_pending_ = true;
  reset_framing();
  counters().lapped_players.fetch_add(1, std::memory_order_relaxed);
  if (laps_logged_++ % 100 == 0) {
    LOG_WARN("play %s: player too slow (socket full), dropping to the newest keyframe", key_.c_str());
  }
}

void RingPlayer::jump() {
  (void)reader_.jump_to_keyframe();
  need_keyframe_ = true;
  jitter_.discontinuity();
  queue_start_pack(*stream_->start_pack());
}

void RingPlayer::on_stream_state() {
  if (ended_) return;
  if (waiting_) {
    if (!attach() && !svc_.hub->wait_for(key_, this) && !attach()) (void)svc_.hub->wait_for(key_, this);
    return;
  }
  if (!stream_) return;
  uint32_t generation = 0;
  shm::StreamState state = svc_.hub->state_of(stream_, &generation);
  if (state == shm::StreamState::kLive || state == shm::StreamState::kLost) return;
  // Ended, or the ring was replaced (a takeover): follow a new ring if there is one.
  if (!pending_) {
    detach();
    if (attach()) {
      jitter_.discontinuity();
      return;
    }
  }
  end("the stream ended (no republish within the grace period)", true);
}

void RingPlayer::end(const char* why, bool notify) {
  if (ended_) return;
  ended_ = true;
  if (notify && !pending_) notify_end();
  close(std::string("play ") + key_ + ": " + why);
}

}  // namespace srs::worker
