// The client side of an outbound RTMP connection (see rtmp_client_conn.hpp).
#include "worker/net/rtmp_client_conn.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <array>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/version.hpp"
#include "worker/net/transport.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

constexpr size_t kReadSize = 64 * 1024;
constexpr int kReadsPerEvent = 4;

std::array<uint8_t, rtmp::kHandshakeSize> handshake_random() {
  std::array<uint8_t, rtmp::kHandshakeSize> random{};
  if (getrandom(random.data(), random.size(), GRND_NONBLOCK) < 0) {
    for (size_t i = 0; i < random.size(); i++) random[i] = uint8_t(base::mono_ns() >> (i % 48));
  }
  return random;
}

}  // namespace

rtmp::PeerIdentity our_identity(const base::ContextId& id) {
  rtmp::PeerIdentity me;
  me.sig = base::kServerName;
  me.server = base::server_signature();
  me.version = base::kVersion;
  me.pid = double(::getpid());
  me.id = id.c_str();
  return me;
}

RtmpClientConn::RtmpClientConn(Services& svc, base::ContextId id, Connected connected,
                               rtmp::ClientConfig config, const char* kind, shm::ClientType type,
                               std::string what)
    : SocketConn(svc, std::make_unique<PlainTransport>(std::move(connected.fd)),
                 std::move(connected.peer), kind, type, id),
      session_(std::move(config), handshake_random(), uint32_t(base::mono_ms())),
      what_(std::move(what)) {}

void RtmpClientConn::start(int64_t timeout_ms) {
  arm_timer(timeout_ms);
  want_write();  // a non-blocking connect() finishes when the socket is writable
}

void RtmpClientConn::on_writable() {
  if (connected_) return on_send_ready();
  if (base::Status s = connect_result(transport().fd()); !s.is_ok()) return close(s.to_string());
  connected_ = true;
  if (base::Status s = session_.start(&out()); !s.is_ok())
    return close("bad client settings: " + s.to_string());
  (void)flush_out();
}

void RtmpClientConn::on_readable() {
  static thread_local uint8_t buf[kReadSize];
  if (!read_available(buf, sizeof buf, kReadsPerEvent)) return;
  on_read_done();
  if (!closing()) (void)flush_out();  // acknowledgements, pongs, the next command
}

bool RtmpClientConn::on_bytes(const uint8_t* data, size_t len) {
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
    rtmp::ClientEvent event = session_.event();
    if (event == rtmp::ClientEvent::kLive) cancel_timer();
    if (event == rtmp::ClientEvent::kConnected) {
      const rtmp::PeerIdentity& up = session_.upstream();
      if (!up.empty()) {
        LOG_INFO("%s %s: connected to upstream server=%s version=%s pid=%.0f cid=%s ip=%s", kind(),
                 what_.c_str(), up.server.c_str(), up.version.c_str(), up.pid, up.id.c_str(),
                 up.server_ip.c_str());
      }
      continue;
    }
    if (!on_session_event(event)) return false;
  }
}

void RtmpClientConn::on_timer() {
  close(std::string("not live in time (state: ") + rtmp::client_state_name(session_.state()) + ")");
}

}  // namespace srs::worker
