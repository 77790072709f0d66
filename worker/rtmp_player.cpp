// An RTMP player: ring -> chunk headers + payloads -> writev (see rtmp_player.hpp).
#include "worker/rtmp_player.hpp"

#include <limits.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "proto/rtmp/message.hpp"
#include "worker/rtmp_conn.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr uint32_t kBatchRecords = 64;
constexpr uint32_t kBatchBytes = 1u << 20;
constexpr int kBatchesPerCall = 16;  // then yield to the loop (EV_WRITE resumes)

uint8_t rtmp_type(shm::RecordType type) {
  switch (type) {
    case shm::RecordType::kAudio: return rtmp::kTypeAudio;
    case shm::RecordType::kVideo: return rtmp::kTypeVideo;
    default: return rtmp::kTypeDataAmf0;
  }
}

uint32_t csid_of(shm::RecordType type) {
  switch (type) {
    case shm::RecordType::kAudio: return rtmp::kCsidAudio;
    case shm::RecordType::kVideo: return rtmp::kCsidVideo;
    default: return rtmp::kCsidOverStream2;
  }
}

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

RtmpPlayer::RtmpPlayer(Services& svc, RtmpConn& conn, std::string key,
                       const conf::VhostConfig& vhost, uint32_t stream_id)
    : svc_(svc),
      conn_(conn),
      key_(std::move(key)),
      vhost_(vhost),
      stream_id_(stream_id),
      jitter_(vhost.play.time_jitter) {
  counters().players.fetch_add(1, std::memory_order_relaxed);
}

RtmpPlayer::~RtmpPlayer() {
  svc_.hub->cancel_wait(this);
  detach();
  counters().players.fetch_sub(1, std::memory_order_relaxed);
}

shm::WorkerCounters& RtmpPlayer::counters() { return svc_.control->workers().counters(svc_.slot); }

void RtmpPlayer::start() {
  if (attach()) return;
  waiting_ = true;
  svc_.hub->wait_for(key_, this);
  LOG_INFO("play %s: no publisher yet, waiting", key_.c_str());
  (void)conn_.flush_out();
}

bool RtmpPlayer::attach() {
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
  queue_start_pack();
  if (on_stream_data()) svc_.hub->maybe_sleep(stream_);
  return true;
}

void RtmpPlayer::detach() {
  pending_ = false;
  pend_iov_.clear();
  pend_hdr_.clear();
  if (!stream_) return;
  svc_.hub->detach(stream_, this);
  stream_ = nullptr;
}

void RtmpPlayer::queue_start_pack() {
  std::shared_ptr<const StartPack> pack = stream_->start_pack();
  auto send = [&](const std::vector<uint8_t>& body, shm::RecordType type) {
    if (body.empty()) return;
    conn_.queue(csid_of(type), rtmp_type(type), 0, stream_id_, body.data(), body.size());
  };
  send(pack->metadata, shm::RecordType::kData);
  send(pack->video, shm::RecordType::kVideo);
  send(pack->audio, shm::RecordType::kAudio);
}

void RtmpPlayer::pause(bool paused) {
  paused_ = paused;
  if (!paused_ && stream_) (void)on_stream_data();
}

bool RtmpPlayer::on_writable() {
  bool done = on_stream_data();
  if (done && stream_) svc_.hub->maybe_sleep(stream_);
  return done;
}

bool RtmpPlayer::on_stream_data() {
  if (ended_ || conn_.closing()) return true;
  if (pending_ && !send_pending()) return false;
  if (!conn_.flush_out()) return false;
  if (!stream_ || paused_) return true;
  for (int i = 0; i < kBatchesPerCall; i++) {
    bool more = false;
    if (!send_batch(&more)) return false;
    if (!more) return true;
  }
  conn_.want_write();  // more is readable: continue on the next loop iteration
  return false;
}

size_t RtmpPlayer::frame_records(const shm::RecordView* views, uint32_t count, size_t* iov_count,
                                 size_t* header_bytes) {
  rtmp::ChunkWriter& writer = conn_.writer();
  size_t need_iov = 0, need_hdr = 0;
  for (uint32_t i = 0; i < count; i++) {
    need_iov += writer.iovec_space(views[i].payload_len);
    need_hdr += writer.header_space(views[i].payload_len);
  }
  if (svc_.iov.size() < need_iov) svc_.iov.resize(need_iov);
  if (svc_.scratch.size() < need_hdr) svc_.scratch.resize(need_hdr);
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
    rtmp::MessageHeader h{jitter_.correct(v.timestamp), v.payload_len, rtmp_type(v.type), stream_id_};
    size_t hspace = writer.header_space(v.payload_len);
    base::Result<size_t> n = writer.write(csid_of(v.type), h, {v.payload, v.size}, {},
                                          svc_.scratch.data() + hused, hspace,
                                          svc_.iov.data() + niov, svc_.iov.size() - niov);
    if (!n.is_ok()) continue;  // cannot happen with the space reserved above
    niov += *n;
    hused += hspace;
    total += v.size;
  }
  *iov_count = niov;
  *header_bytes = hused;
  return total;
}

bool RtmpPlayer::send_batch(bool* more) {
  shm::RecordView views[kBatchRecords];
  shm::ReadResult r = reader_.read(views, kBatchRecords, kBatchBytes);
  switch (r.status) {
    case shm::ReadStatus::kEmpty:
      *more = false;
      return true;
    case shm::ReadStatus::kEnded:
      end("the stream ended", true);
      return false;
    case shm::ReadStatus::kLapped:
      counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
      end("too slow: lapped by the publisher (slow_player: disconnect)", false);
      return false;
    case shm::ReadStatus::kRecords:
      break;
  }
  if (r.jumped) {
    need_keyframe_ = true;
    counters().lapped_players.fetch_add(1, std::memory_order_relaxed);
    if (laps_logged_++ % 100 == 0) {
      LOG_WARN("play %s: player %s too slow, skipped to the newest keyframe (%u times)", key_.c_str(),
               conn_.peer().c_str(), reader_.laps());
    }
  }
  size_t iov_count = 0, header_bytes = 0;
  frame_records(views, r.count, &iov_count, &header_bytes);
  size_t idx = 0, written = 0;
  iovec* iov = svc_.iov.data();
  if (!write_iovecs(conn_.fd(), iov, iov_count, &idx, &written)) {
    conn_.close(std::string("writev() failed (") + std::strerror(errno) + ")");
    return false;
  }
  conn_.count_out(written);
  if (!reader_.validate(r.start)) {
    counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
    conn_.close("torn send: the ring overwrote what was being sent (player far too slow)");
    return false;
  }
  if (idx == iov_count) {
    reader_.advance_past(views[r.count - 1]);
    *more = true;
    return true;
  }
  keep_pending(iov + idx, iov_count - idx, r.start, views[r.count - 1]);
  conn_.want_write();
  return false;
}

void RtmpPlayer::keep_pending(const iovec* iov, size_t count, uint32_t start,
                              const shm::RecordView& last) {
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

bool RtmpPlayer::send_pending() {
  size_t written = 0;
  if (!write_iovecs(conn_.fd(), pend_iov_.data(), pend_iov_.size(), &pend_idx_, &written)) {
    conn_.close(std::string("writev() failed (") + std::strerror(errno) + ")");
    return false;
  }
  conn_.count_out(written);
  if (!reader_.validate(pend_start_)) {
    counters().dropped_players.fetch_add(1, std::memory_order_relaxed);
    conn_.close("torn send: the ring overwrote what was being sent (player far too slow)");
    return false;
  }
  if (pend_idx_ < pend_iov_.size()) {
    conn_.want_write();
    return false;
  }
  reader_.advance_past(pend_last_);
  pending_ = false;
  pend_iov_.clear();
  pend_hdr_.clear();
  if (pend_hdr_.capacity() > 64 * 1024) pend_hdr_.shrink_to_fit();
  return true;
}

void RtmpPlayer::on_stream_state() {
  if (ended_) return;
  if (waiting_) {
    if (!attach()) svc_.hub->wait_for(key_, this);
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

void RtmpPlayer::end(const char* why, bool notify) {
  if (ended_) return;
  ended_ = true;
  if (notify && !pending_) {
    conn_.reply_status(rtmp::StatusCode::kPlayUnpublishNotify, "stream is now unpublished", stream_id_);
    conn_.reply_status(rtmp::StatusCode::kPlayStop, "Stopped playing stream.", stream_id_);
    (void)conn_.flush_out();
  }
  conn_.close(std::string("play ") + key_ + ": " + why);
}

}  // namespace srs::worker
