// A forwarder's connection to its destination (see forward_conn.hpp).
#include "worker/forward/forward_conn.hpp"

#include <sys/random.h>

#include <array>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "worker/net/transport.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr size_t kReadSize = 16 * 1024;
constexpr int kReadsPerEvent = 4;

std::array<uint8_t, rtmp::kHandshakeSize> handshake_random() {
  std::array<uint8_t, rtmp::kHandshakeSize> random{};
  if (getrandom(random.data(), random.size(), GRND_NONBLOCK) < 0) {
    for (size_t i = 0; i < random.size(); i++) random[i] = uint8_t(base::mono_ns() >> (i % 48));
  }
  return random;
}

}  // namespace

ForwardConn::ForwardConn(Services& svc, Owner& owner, base::ContextId cid, Connected connected,
                         rtmp::ClientConfig config, std::string key, const conf::VhostConfig& vhost)
    : SocketConn(svc, std::make_unique<PlainTransport>(std::move(connected.fd)),
                 std::move(connected.peer), "forward", shm::ClientType::kRtmpForward, cid),
      owner_(&owner),
      session_(std::move(config), handshake_random(), uint32_t(base::mono_ms())),
      key_(std::move(key)),
      vhost_(vhost) {}

ForwardConn::~ForwardConn() {
  if (owner_ != nullptr) owner_->on_forward_gone();
}

void ForwardConn::start(int64_t timeout_ms) {
  client().describe(shm::ClientType::kRtmpForward, shm::kNoSlot, 0, key_);
  arm_timer(timeout_ms);
  want_write();  // a non-blocking connect() finishes when the socket is writable
}

void ForwardConn::on_writable() {
  if (!connected_) {
    if (base::Status s = connect_result(transport().fd()); !s.is_ok()) return close(s.to_string());
    connected_ = true;
    if (base::Status s = session_.start(&out()); !s.is_ok())
      return close("bad destination: " + s.to_string());
    (void)flush_out();
    return;
  }
  if (player_) {
    (void)player_->on_writable();
    return;
  }
  (void)flush_out();
}

void ForwardConn::on_readable() {
  uint8_t buf[kReadSize];
  if (!read_available(buf, sizeof buf, kReadsPerEvent)) return;
  (void)flush_out();  // acknowledgements, pongs, the next command
}

bool ForwardConn::on_bytes(const uint8_t* data, size_t len) {
  for (;;) {
    size_t used = 0;
    rtmp::ClientResult r = session_.feed(data, len, &used, &out());
    data += used;
    len -= used;
    if (r == rtmp::ClientResult::kError) {
      close(session_.error_text());
      return false;
    }
    if (r == rtmp::ClientResult::kNeedMore) return true;
    if (!handle(session_.event())) return false;
  }
}

bool ForwardConn::handle(rtmp::ClientEvent event) {
  switch (event) {
    case rtmp::ClientEvent::kConnected: {
      const rtmp::PeerIdentity& up = session_.upstream();
      if (!up.empty()) {
        LOG_INFO("forward %s: connected to upstream server=%s version=%s pid=%.0f cid=%s ip=%s",
                 key_.c_str(), up.server.c_str(), up.version.c_str(), up.pid, up.id.c_str(),
                 up.server_ip.c_str());
      }
      return true;
    }
    case rtmp::ClientEvent::kLive:
      go_live();
      return !closing();
    case rtmp::ClientEvent::kEnded:
      close("the destination ended the stream (" + session_.status().code + ")");
      return false;
    case rtmp::ClientEvent::kStatus:
      LOG_INFO("forward %s: destination says %s (%s)", key_.c_str(), session_.status().code.c_str(),
               session_.status().description.c_str());
      return true;
    case rtmp::ClientEvent::kStreamCreated:
    case rtmp::ClientEvent::kMessage:  // a publisher is sent nothing worth reading
      return true;
  }
  return true;
}

void ForwardConn::go_live() {
  cancel_timer();
  if (owner_ != nullptr) owner_->on_forward_live(*this);
  if (closing()) return;
  framing_ = std::make_unique<ForwardFraming>(session_);
  player_ = std::make_unique<RingPlayer>(svc_, *this, *framing_, key_, vhost_, false);
  player_->start();
}

void ForwardConn::on_timer() {
  close(std::string("no NetStream.Publish.Start in time (state: ") +
        rtmp::client_state_name(session_.state()) + ")");
}

void ForwardConn::on_closing(const std::string& why) {
  if (Owner* owner = std::exchange(owner_, nullptr)) owner->on_forward_closed(why);
}

}  // namespace srs::worker
