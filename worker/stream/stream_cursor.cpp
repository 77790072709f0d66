// A consumer's place in a live stream (see stream_cursor.hpp).
#include "worker/stream/stream_cursor.hpp"

#include "base/log.hpp"

namespace srs::worker {

StreamCursor::StreamCursor(StreamHub& hub, std::string key, const conf::VhostConfig& vhost,
                           Owner& owner)
    : hub_(hub), key_(std::move(key)), vhost_(vhost), owner_(owner) {}

StreamCursor::~StreamCursor() {
  hub_.cancel_wait(this);
  detach();
}

bool StreamCursor::start() {
  // The waiter bit is set before wait_for()'s second look, so a publish in
  // between is not missed; a stream that went live meanwhile is tried again.
  for (int tries = 0; tries < 3; tries++) {
    if (attach(false)) return true;
    if (hub_.wait_for(key_, this)) break;
  }
  waiting_ = true;
  LOG_INFO("play %s: no publisher yet, waiting", key_.c_str());
  return false;
}

bool StreamCursor::attach(bool again) {
  shm::StreamState state = shm::StreamState::kFree;
  std::string why;
  stream_ = hub_.attach(key_, this, vhost_.play, &state, &why);
  if (!stream_) {
    if (!why.empty()) LOG_WARN("play %s: %s", key_.c_str(), why.c_str());
    return false;
  }
  shm::ReaderOptions opts;
  opts.attach_at = vhost_.play.gop_cache ? shm::AttachAt::kKeyframe : shm::AttachAt::kLiveEdge;
  opts.on_lap = vhost_.play.slow_player == conf::SlowPlayer::kDisconnect
                    ? shm::LapPolicy::kReport
                    : shm::LapPolicy::kJumpToKeyframe;
  if (base::Status s = reader_.attach(stream_->segment.data(), stream_->segment.size(), opts);
      !s.is_ok()) {
    LOG_ERROR("play %s: attaching a reader failed: %s", key_.c_str(), s.to_string().c_str());
    detach();
    return false;
  }
  waiting_ = false;
  owner_.on_cursor_attached(stream_->start_pack(), again);
  if (on_stream_data()) hub_.maybe_sleep(stream_);
  return true;
}

void StreamCursor::detach() {
  if (!stream_) return;
  hub_.detach(stream_, this);
  stream_ = nullptr;
}

const StartPack& StreamCursor::start_pack() {
  return stream_->start_pack();
}

void StreamCursor::maybe_sleep() {
  if (stream_) hub_.maybe_sleep(stream_);
}

void StreamCursor::wait() {
  if (!hub_.wait_for(key_, this) && !attach(false)) (void)hub_.wait_for(key_, this);
}

void StreamCursor::on_stream_state() {
  if (ended_) return;
  if (waiting_) {
    if (!attach(false)) wait();
    return;
  }
  if (!stream_) return;
  shm::StreamState state = hub_.state_of(stream_);
  if (state == shm::StreamState::kLive || state == shm::StreamState::kLost) return;
  // Ended, or the ring was replaced (a takeover): follow a new ring if there is one.
  if (owner_.can_move()) {
    detach();
    if (attach(true)) return;
  }
  ended_ = true;
  owner_.on_cursor_ended("the stream ended (no republish within the grace period)");
}

}  // namespace srs::worker
