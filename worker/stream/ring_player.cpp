// A player of a live stream: ring -> framing -> writev (see ring_player.hpp).
#include "worker/stream/ring_player.hpp"

#include <sys/socket.h>

#include <cstring>

#include "base/clock.hpp"
#include "base/log.hpp"

namespace srs::worker {
namespace {

constexpr uint32_t kBatchRecords = 64;
constexpr uint32_t kBatchBytes = 1u << 20;
constexpr int kBatchesPerCall = 16;             // then yield to the loop (EV_WRITE resumes)
constexpr size_t kKeptHeaderBytes = 64 * 1024;  // a pending batch's header copy kept for reuse

const char* const kTornSend =
    "torn send: the ring overwrote what was being sent (player far too slow)";

}  // namespace

RingPlayer::RingPlayer(Services& svc, SocketConn& conn, Framing& framing, std::string key,
                       const conf::VhostConfig& vhost, bool counted)
    : svc_(svc),
      conn_(conn),
      framing_(framing),
      vhost_(vhost),
      cursor_(*svc.hub, std::move(key), vhost, *this),
      jitter_(vhost.play.time_jitter),
      counted_(counted) {
  if (counted_) counters().players.fetch_add(1, std::memory_order_relaxed);
}

RingPlayer::~RingPlayer() {
  if (counted_) counters().players.fetch_sub(1, std::memory_order_relaxed);
}

shm::WorkerCounters& RingPlayer::counters() {
  return svc_.control->workers().counters(svc_.slot);
}

void RingPlayer::start() {
  // A bounded kernel buffer: a slow player shows up as a full socket early,
  // not after megabytes of autotuned buffer (and as much delay).
  if (int size = int(vhost_.play.send_buffer); size > 0) {
    (void)::setsockopt(conn_.transport().fd(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  if (!cursor_.start()) (void)conn_.flush_out();
}

void RingPlayer::on_cursor_attached(const StartPack& pack, bool again) {
  if (again) jitter_.discontinuity();
  need_keyframe_ = true;
  started_ = true;
  attached_ms_ = base::mono_ms();
  queue_start(pack);
}

void RingPlayer::queue_start(const StartPack& pack) {
  framing_.queue_start(pack, conn_.out());
}

void RingPlayer::pause(bool paused) {
  paused_ = paused;
  if (!paused_ && cursor_.attached()) (void)on_cursor_data();
}

bool RingPlayer::on_writable() {
  bool done = on_cursor_data();
  if (done) cursor_.maybe_sleep();
  return done;
}

bool RingPlayer::on_cursor_data() {
  if (ended_ || conn_.closing()) return true;
  // A socket that stays full while the publisher goes on: before the ring
  // overwrites what waits to be sent, keep only the message in flight and
  // skip to the newest keyframe (slow_player: skip); or let validation
  // close the player (disconnect).
  if (pending_ && !pend_.private_copy && vhost_.play.slow_player == conf::SlowPlayer::kSkip &&
      !cursor_.reader().safe_from(pend_.start)) {
    rescue_pending();
    if (conn_.closing()) return true;
  }
  if (pending_ && !send_pending()) return false;
  if (!conn_.flush_out()) return false;
  if (!cursor_.attached() || paused_) return true;
  for (int i = 0; i < kBatchesPerCall; i++) {
    bool more = false;
    if (!send_batch(&more)) return false;
    if (!more) return true;
  }
  conn_.want_write();  // more is readable: continue on the next loop iteration
  return false;
}

// Frames the sendable records of a batch into the worker's scratch space;
// returns how many messages it framed (the iovecs in *iov_count).
size_t RingPlayer::frame_records(const shm::RecordView* views, uint32_t count, size_t* iov_count) {
  size_t need_iov = 0, need_hdr = 0;
  for (uint32_t i = 0; i < count; i++) {
    need_iov += framing_.iovec_space(views[i].payload_len);
    need_hdr += framing_.header_space(views[i].payload_len);
  }
  if (svc_.iov.size() < need_iov) svc_.iov.resize(need_iov);
  if (svc_.scratch.size() < need_hdr) svc_.scratch.resize(need_hdr);
  svc_.message_ends.clear();
  size_t niov = 0, hused = 0;
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
          LOG_INFO("play %s: first keyframe sent %lld ms after play", key().c_str(),
                   (long long)(base::mono_ms() - attached_ms_));
        }
      }
    }
    size_t hspace = framing_.header_space(v.payload_len);
    base::Result<size_t> n =
        framing_.frame(v, jitter_.correct(v.timestamp), svc_.scratch.data() + hused, hspace,
                       svc_.iov.data() + niov, svc_.iov.size() - niov);
    if (!n.is_ok()) continue;  // cannot happen with the space reserved above
    niov += *n;
    hused += hspace;
    svc_.message_ends.push_back(uint32_t(niov));
  }
  *iov_count = niov;
  return svc_.message_ends.size();
}

bool RingPlayer::send_batch(bool* more) {
  shm::RecordView views[kBatchRecords];
  shm::ReadResult r = cursor_.reader().read(views, kBatchRecords, kBatchBytes);
  if (r.status == shm::ReadStatus::kEmpty) {
    *more = false;
    return true;
  }
  if (r.status == shm::ReadStatus::kLapped) {
    counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
    end("too slow: lapped by the publisher (slow_player: disconnect)", false);
    return false;
  }
  if (r.jumped) {
    // The skipped part may have held new sequence headers (a republish):
    // send the current ones again before the keyframe.
    need_keyframe_ = true;
    jitter_.discontinuity();
    skipped("skipped to the newest keyframe");
    queue_start(cursor_.start_pack());
    if (!conn_.flush_out()) return false;  // the batch is read again once the socket drains
  }
  size_t iov_count = 0, idx = 0;
  uint32_t messages = uint32_t(frame_records(views, r.count, &iov_count));
  if (!write_batch(svc_.iov.data(), iov_count, &idx, r.start, true)) return false;
  if (idx == iov_count) {
    cursor_.reader().advance_past(views[r.count - 1]);
    counters().messages_out.add(messages);
    *more = true;
    return true;
  }
  keep_pending(iov_count, idx, r.start, messages, views[r.count - 1]);
  conn_.want_write();
  return false;
}

// Writes iov[*idx, count) as far as the socket takes it; false when the
// connection closed (a socket error, or a torn send of bytes `from_ring`).
bool RingPlayer::write_batch(iovec* iov, size_t count, size_t* idx, uint32_t start,
                             bool from_ring) {
  size_t written = 0;
  IoResult r = write_iovecs(conn_.transport(), iov, count, idx, &written);
  if (written > 0) conn_.count_out(written);
  if (r.status == Io::kError || r.status == Io::kClosed) {
    conn_.close(std::string("writev() failed (") +
                (r.status == Io::kClosed ? "peer closed" : conn_.transport().error_text(r)) + ")");
    return false;
  }
  return !from_ring || sent_intact(start);
}

// The one place a send from the ring is checked: false (the player is
// counted, logged and closed) when the ring overwrote bytes from `start` on
// while they were being copied out.
bool RingPlayer::sent_intact(uint32_t start) {
  if (cursor_.reader().validate(start)) return true;
  counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
  conn_.close(kTornSend);
  return false;
}

// Keeps the unsent part of the batch in the worker's scratch space: its
// iovecs, with the header bytes they point to copied (the payloads stay in
// the ring until the cursor moves).
void RingPlayer::keep_pending(size_t iov_count, size_t first, uint32_t start, uint32_t messages,
                              const shm::RecordView& last) {
  const iovec* iov = svc_.iov.data() + first;
  size_t count = iov_count - first;
  pend_.ends.clear();
  for (uint32_t end : svc_.message_ends) {
    if (end > first) pend_.ends.push_back(uint32_t(end - first));
  }
  const uint8_t* lo = svc_.scratch.data();
  const uint8_t* hi = lo + svc_.scratch.size();
  size_t hdr = 0;
  for (size_t i = 0; i < count; i++) {
    auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    if (p >= lo && p < hi) hdr += iov[i].iov_len;
  }
  pend_.headers.clear();
  pend_.headers.reserve(hdr);  // no reallocation below: the iovecs point into it
  pend_.iov.assign(iov, iov + count);
  for (iovec& e : pend_.iov) {
    auto* p = static_cast<const uint8_t*>(e.iov_base);
    if (p < lo || p >= hi) continue;
    size_t at = pend_.headers.size();
    pend_.headers.insert(pend_.headers.end(), p, p + e.iov_len);
    e.iov_base = pend_.headers.data() + at;
  }
  pend_.idx = 0;
  pend_.start = start;
  pend_.messages = messages;
  pend_.last = last;
  pend_.private_copy = false;
  pending_ = true;
}

bool RingPlayer::send_pending() {
  if (!write_batch(pend_.iov.data(), pend_.iov.size(), &pend_.idx, pend_.start,
                   !pend_.private_copy)) {
    return false;
  }
  if (pend_.idx < pend_.iov.size()) {
    conn_.want_write();
    return false;
  }
  pending_ = false;
  counters().messages_out.add(pend_.messages);
  if (pend_.jump_after) {
    pend_.jump_after = false;
    jump();
  } else {
    cursor_.reader().advance_past(pend_.last);
  }
  pend_.private_copy = false;
  pend_.iov.clear();
  pend_.headers.clear();
  if (pend_.headers.capacity() > kKeptHeaderBytes) pend_.headers.shrink_to_fit();
  return true;
}

// Copies the rest of the message being sent (a chunk cannot be cut short)
// out of the ring and drops the messages after it; the cursor then jumps to
// the newest keyframe once that copy is out.
void RingPlayer::rescue_pending() {
  size_t end = pend_.idx;
  for (uint32_t e : pend_.ends) {
    if (e > pend_.idx) {
      end = e;
      break;
    }
  }
  std::vector<uint8_t> rest;
  for (size_t i = pend_.idx; i < end; i++) {
    auto* p = static_cast<const uint8_t*>(pend_.iov[i].iov_base);
    rest.insert(rest.end(), p, p + pend_.iov[i].iov_len);
  }
  if (!sent_intact(pend_.start)) return;  // too late: already overwritten
  pend_.messages = end > pend_.idx ? 1 : 0;
  pend_.headers = std::move(rest);
  pend_.iov.clear();
  if (!pend_.headers.empty()) pend_.iov.push_back({pend_.headers.data(), pend_.headers.size()});
  pend_.idx = 0;
  pend_.ends.clear();
  pend_.private_copy = true;
  pend_.jump_after = true;
  framing_.reset();
  skipped("(socket full) dropping to the newest keyframe");
}

void RingPlayer::skipped(const char* how) {
  counters().lapped_players.fetch_add(1, std::memory_order_relaxed);
  if (laps_logged_++ % 100 == 0) {
    LOG_WARN("play %s: player too slow, %s (%u times)", key().c_str(), how, laps_logged_);
  }
}

void RingPlayer::jump() {
  (void)cursor_.reader().jump_to_keyframe();
  need_keyframe_ = true;
  jitter_.discontinuity();
  queue_start(cursor_.start_pack());
}

void RingPlayer::on_cursor_ended(const char* why) {
  end(why, true);
}

void RingPlayer::end(const char* why, bool notify) {
  if (ended_) return;
  ended_ = true;
  if (notify && !pending_) {
    framing_.queue_end(conn_.out());
    (void)conn_.flush_out();
  }
  conn_.close(std::string("play ") + key() + ": " + why);
}

}  // namespace srs::worker
