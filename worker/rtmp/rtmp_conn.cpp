// An RTMP connection: socket I/O, handshake and chunk stream (see rtmp_conn.hpp).
#include "worker/rtmp/rtmp_conn.hpp"

#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "worker/net/socket_io.hpp"
#include "proto/rtmp/aggregate.hpp"
#include "worker/rtmp/rtmp_player.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr int kReadsPerEvent = 4;         // then let other connections run
constexpr timeval kIdleCheck{30, 0};      // a publisher silent this long is closed

}  // namespace

RtmpConn::RtmpConn(Services& svc, evutil_socket_t fd, std::string peer)
    : svc_(svc), fd_(fd), peer_(std::move(peer)) {
  std::array<uint8_t, 1536> random{};
  if (getrandom(random.data(), random.size(), GRND_NONBLOCK) < 0) {
    for (size_t i = 0; i < random.size(); i++) random[i] = uint8_t(base::mono_ns() >> (i % 48));
  }
  handshake_ = std::make_unique<rtmp::HandshakeServer>(random, uint32_t(base::mono_ms()));
  read_ev_ = event_new(svc.base, fd, EV_READ | EV_PERSIST, on_read_cb, this);
  write_ev_ = event_new(svc.base, fd, EV_WRITE, on_write_cb, this);
  timeout_ev_ = event_new(svc.base, -1, EV_PERSIST, on_timeout_cb, this);
  event_add(read_ev_, nullptr);
  event_add(timeout_ev_, &kIdleCheck);
  shm::WorkerCounters& c = svc.control->workers().counters(svc.slot);
  c.connections_now.fetch_add(1, std::memory_order_relaxed);
  c.connections_total.fetch_add(1, std::memory_order_relaxed);
  base::LogContext ctx(cid());
  LOG_INFO("rtmp client %s connected", peer_.c_str());
  client().claim(svc, shm::ClientType::kUnknown, cid(), peer_);
}

RtmpConn::~RtmpConn() {
  cancel_hook();
  player_.reset();     // detaches from its stream
  publisher_.reset();  // releases the name (players wait for a republish)
  if (read_ev_) event_free(read_ev_);
  if (write_ev_) event_free(write_ev_);
  if (timeout_ev_) event_free(timeout_ev_);
  if (fd_ >= 0) ::close(fd_);
  svc_.control->workers().counters(svc_.slot).connections_now.fetch_sub(1, std::memory_order_relaxed);
}

void RtmpConn::close(const std::string& why) {
  if (closing()) return;
  base::LogContext ctx(cid());
  LOG_INFO("rtmp client %s closed: %s; %llu bytes in, %llu bytes out", peer_.c_str(), why.c_str(),
           (unsigned long long)bytes_in_, (unsigned long long)bytes_out_);
  event_del(read_ev_);
  event_del(write_ev_);
  event_del(timeout_ev_);
  cancel_hook();
  if (publisher_) notify_hook(HookEvent::kUnpublish);
  if (player_) notify_hook(HookEvent::kStop);
  if (connected_) notify_hook(HookEvent::kClose);
  if (publisher_) publisher_->stop();
  svc_.conns->close(this);
}

void RtmpConn::on_read_cb(evutil_socket_t, short, void* arg) {
  static_cast<RtmpConn*>(arg)->on_readable();
}
void RtmpConn::on_write_cb(evutil_socket_t, short, void* arg) {
  static_cast<RtmpConn*>(arg)->on_writable();
}
void RtmpConn::on_timeout_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<RtmpConn*>(arg);
  if (!self->got_bytes_ && !self->player_ && !self->hook_ticket_) {
    return self->close("receive timeout (30 s without data)");
  }
  self->got_bytes_ = false;
}

void RtmpConn::on_readable() {
  base::LogContext ctx(cid());
  uint8_t buf[kReadBufferSize];
  for (int i = 0; i < kReadsPerEvent && !closing(); i++) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      bytes_in_ += size_t(n);
      svc_.control->workers().counters(svc_.slot).bytes_in.add(uint64_t(n));
      client().add_in(uint64_t(n));
      got_bytes_ = true;
      if (!feed(buf, size_t(n))) return;
      if (size_t(n) < sizeof buf) break;
      continue;
    }
    if (n == 0) return close("peer closed the connection");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return close(std::string("recv() failed (") + std::strerror(errno) + ")");
  }
  if (closing()) return;
  if (publisher_ && !publisher_->flush()) return close("another publisher took the stream over");
  on_writable();
}

void RtmpConn::on_writable() {
  if (closing()) return;
  if (player_) {
    (void)player_->on_writable();
    return;
  }
  (void)flush_out();
}

void RtmpConn::want_write() { event_add(write_ev_, nullptr); }

bool RtmpConn::flush_out() {
  size_t sent = 0;
  SendResult r = send_buffered(fd_, out_.data(), out_.size(), &out_pos_, &sent);
  if (sent > 0) count_out(sent);
  if (r == SendResult::kBlocked) {
    want_write();
    return false;
  }
  if (r == SendResult::kError) {
    close(std::string("send() failed (") + std::strerror(errno) + ")");
    return false;
  }
  out_.clear();
  out_pos_ = 0;
  return true;
}

bool RtmpConn::feed(const uint8_t* data, size_t len) {
  if (hook_ticket_) return hold(data, len);
  if (handshake_) {
    size_t used = 0;
    if (!feed_handshake(data, len, &used)) return false;
    data += used;
    len -= used;
    if (handshake_ || len == 0) return true;
  }
  while (len > 0 && !closing()) {
    size_t used = 0;
    rtmp::ReadResult r = reader_->feed(data, len, &used);
    data += used;
    len -= used;
    if (r == rtmp::ReadResult::kError) {
      close("bad chunk stream on csid " + std::to_string(reader_->current_csid()) + ": " +
            reader_->error().to_string());
      return false;
    }
    if (r == rtmp::ReadResult::kMessage && !on_message(reader_->message())) return false;
    if (reader_->ack_due()) queue_control(rtmp::make_ack(reader_->take_ack()));
    if (hook_ticket_) return hold(data, len);  // waiting for a callback's verdict: the rest waits too
  }
  return !closing();
}

bool RtmpConn::feed_handshake(const uint8_t* data, size_t len, size_t* used) {
  rtmp::HandshakeResult r = handshake_->feed(data, len, used);
  switch (r) {
    case rtmp::HandshakeResult::kNeedMore:
      return true;
    case rtmp::HandshakeResult::kError:
      close("handshake failed: " + handshake_->error().to_string());
      return false;
    case rtmp::HandshakeResult::kSendReady:
    case rtmp::HandshakeResult::kDone: {
      auto out = handshake_->output();
      out_.insert(out_.end(), out.begin(), out.end());
      if (r == rtmp::HandshakeResult::kSendReady) {
        (void)flush_out();
        // S0S1S2 are out; C2 may already be in the rest of this read.
        size_t more = 0;
        if (*used < len && !feed_handshake(data + *used, len - *used, &more)) return false;
        *used += more;
        return true;
      }
      LOG_DEBUG("rtmp handshake done (%s)", handshake_->complex() ? "complex" : "simple");
      handshake_.reset();
      reader_ = std::make_unique<rtmp::ChunkReader>();
      return true;
    }
  }
  return true;
}

bool RtmpConn::on_message(const rtmp::Message& msg) {
  switch (msg.header.type_id) {
    case rtmp::kTypeCommandAmf0:
    case rtmp::kTypeCommandAmf3:
      return on_command(msg);
    case rtmp::kTypeUserControl:
      return on_user_control(msg);
    case rtmp::kTypeAudio:
    case rtmp::kTypeVideo:
    case rtmp::kTypeDataAmf0:
    case rtmp::kTypeDataAmf3: {
      if (!publisher_) return true;  // data before publish (or from a player): ignored
      if (base::Status s = publisher_->on_message(msg); !s.is_ok()) {
        close("media message of " + std::to_string(msg.header.length) + " bytes refused: " +
              s.to_string());
        return false;
      }
      return true;
    }
    case rtmp::kTypeAggregate: {
      if (!publisher_) return true;
      rtmp::AggregateReader agg(msg);
      rtmp::Message sub;
      for (;;) {
        rtmp::AggregateResult r = agg.next(&sub);
        if (r == rtmp::AggregateResult::kEnd) return true;
        if (r == rtmp::AggregateResult::kError) {
          close("bad aggregate message: " + agg.error().to_string());
          return false;
        }
        if (!on_message(sub)) return false;
      }
    }
    default:
      return true;  // protocol control (applied by the reader), shared objects: ignored
  }
}

bool RtmpConn::on_user_control(const rtmp::Message& msg) {
  base::Result<rtmp::UserControl> uc = rtmp::decode_user_control(msg.payload);
  if (!uc.is_ok()) return true;  // a short or unknown event: harmless
  if (uc->event == uint16_t(rtmp::UserControlEvent::kPingRequest)) {
    queue_user_control(rtmp::make_user_control(rtmp::UserControlEvent::kPingResponse, uc->value));
  }
  return true;
}

void RtmpConn::queue(uint32_t csid, uint8_t type, uint32_t timestamp, uint32_t stream_id,
                     const uint8_t* data, size_t len) {
  rtmp::MessageHeader h{timestamp, uint32_t(len), type, stream_id};
  if (base::Status s = writer_.append(csid, h, {data, len}, &out_); !s.is_ok()) {
    LOG_ERROR("chunking a %zu-byte message failed: %s", len, s.to_string().c_str());
  }
}

void RtmpConn::queue_amf(uint32_t csid, uint8_t type, uint32_t stream_id, const std::string& payload) {
  queue(csid, type, 0, stream_id, reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
}

void RtmpConn::queue_control(const rtmp::ControlMessage& msg) {
  (void)writer_.append_control(msg, &out_);
}

void RtmpConn::queue_user_control(const rtmp::UserControl& msg) {
  (void)writer_.append_user_control(msg, &out_);
}

}  // namespace srs::worker
