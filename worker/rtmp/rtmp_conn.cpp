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
#include "proto/rtmp/aggregate.hpp"
#include "worker/stream/rtmp_media.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr int kReadsPerEvent = 4;        // then let other connections run
constexpr int64_t kIdleCheckMs = 30000;  // a publisher silent this long is closed

}  // namespace

RtmpConn::RtmpConn(Services& svc, std::unique_ptr<Transport> transport, std::string peer)
    : SocketConn(svc, std::move(transport), std::move(peer), "rtmp", shm::ClientType::kUnknown) {
  std::array<uint8_t, 1536> random{};
  if (getrandom(random.data(), random.size(), GRND_NONBLOCK) < 0) {
    for (size_t i = 0; i < random.size(); i++) random[i] = uint8_t(base::mono_ns() >> (i % 48));
  }
  handshake_ = std::make_unique<rtmp::HandshakeServer>(random, uint32_t(base::mono_ms()));
  // Until connect, the handshake timeout; then the idle check.
  arm_timer(svc.config->rtmp.handshake_timeout.count());
  base::LogContext ctx(cid());
  LOG_INFO("rtmp client %s connected", this->peer().c_str());
}

RtmpConn::~RtmpConn() {
  cancel_hook();
  player_.reset();     // detaches from its stream
  publisher_.reset();  // releases the name (players wait for a republish)
}

void RtmpConn::on_closing(const std::string&) {
  cancel_hook();
  if (publisher_) notify_hook(HookEvent::kUnpublish);
  if (player_) notify_hook(HookEvent::kStop);
  if (connected_) notify_hook(HookEvent::kClose);
  if (publisher_) publisher_->stop();
}

void RtmpConn::on_timer() {
  if (!connected_ && !waiting()) return handshake_timed_out();
  if (!got_bytes_ && !player_ && !waiting()) return close("receive timeout (30 s without data)");
  got_bytes_ = false;
  arm_timer(kIdleCheckMs);
}

// A scanner or a slowloris: no complete handshake and connect in time, not
// even one that trickles a byte now and then.
void RtmpConn::handshake_timed_out() {
  svc_.control->workers().counters(svc_.slot).handshake_timeouts.fetch_add(
      1, std::memory_order_relaxed);
  close("handshake timeout: no RTMP connect within " +
        std::to_string(svc_.config->rtmp.handshake_timeout.count()) + " ms (" +
        std::to_string(bytes_in()) + " bytes received)");
}

void RtmpConn::on_readable() {
  uint8_t buf[kReadBufferSize];
  if (!read_available(buf, sizeof buf, kReadsPerEvent)) return;
  if (publisher_ && !publisher_->flush()) return close("another publisher took the stream over");
  on_writable();
}

bool RtmpConn::on_bytes(const uint8_t* data, size_t len) {
  got_bytes_ = true;
  return feed(data, len);
}

void RtmpConn::on_writable() {
  if (closing()) return;
  if (player_) {
    (void)player_->on_writable();
    return;
  }
  (void)flush_out();
}

bool RtmpConn::feed(const uint8_t* data, size_t len) {
  if (waiting()) return hold(data, len);
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
    if (waiting()) return hold(data, len);  // waiting for a verdict: the rest waits too
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
      queue(out.data(), out.size());
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
      MediaRecord record;
      // Data before publish (or from a player), and data that is not
      // onMetaData, are ignored.
      if (!publisher_ || !media_record_of(msg, &record, &media_scratch_)) return true;
      if (base::Status s = publisher_->write(record); !s.is_ok()) {
        close("media message of " + std::to_string(msg.header.length) +
              " bytes refused: " + s.to_string());
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

void RtmpConn::queue_message(uint32_t csid, uint8_t type, uint32_t timestamp, uint32_t stream_id,
                             const uint8_t* data, size_t len) {
  rtmp::MessageHeader h{timestamp, uint32_t(len), type, stream_id};
  if (base::Status s = writer_.append(csid, h, {data, len}, &out()); !s.is_ok()) {
    LOG_ERROR("chunking a %zu-byte message failed: %s", len, s.to_string().c_str());
  }
}

void RtmpConn::queue_amf(uint32_t csid, uint8_t type, uint32_t stream_id,
                         const std::string& payload) {
  queue_message(csid, type, 0, stream_id, reinterpret_cast<const uint8_t*>(payload.data()),
                payload.size());
}

void RtmpConn::queue_control(const rtmp::ControlMessage& msg) {
  (void)writer_.append_control(msg, &out());
}

void RtmpConn::queue_user_control(const rtmp::UserControl& msg) {
  (void)writer_.append_user_control(msg, &out());
}

}  // namespace srs::worker
