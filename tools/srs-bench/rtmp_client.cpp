// RtmpClient: RTMP player and publisher on the bench loop (see rtmp_client.hpp).
#include "tools/srs-bench/rtmp_client.hpp"

#include <array>
#include <random>

#include "base/clock.hpp"
#include "tools/srs-bench/latency_stamp.hpp"

namespace srs::tools::srs_bench {

namespace rtmp = proto::rtmp;
namespace amf = proto::amf;

namespace {

constexpr uint32_t kPublishChunkSize = 60000;     // SRS's default; fewer chunk headers
constexpr uint32_t kBufferLengthMs = 3000;        // SetBufferLength, as rtmpdump sends
constexpr size_t kMaxPublishBacklog = 16u << 20;  // stop pacing into a socket this far behind

std::array<uint8_t, rtmp::kHandshakeSize> random_bytes() {
  static std::minstd_rand rng(12345);
  std::array<uint8_t, rtmp::kHandshakeSize> out;
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

rtmp::ClientConfig config_of(RtmpClient::Role role, std::string tc_url, std::string app,
                             std::string stream) {
  rtmp::ClientConfig c;
  bool publish = role == RtmpClient::Role::kPublisher;
  c.role = publish ? rtmp::ClientRole::kPublish : rtmp::ClientRole::kPlay;
  c.tc_url = std::move(tc_url);
  c.app = std::move(app);
  c.stream = std::move(stream);
  // A simple handshake (RTMP 1.0 5.2), as rtmpdump does by default: cheapest for both ends.
  c.handshake = rtmp::DigestSchema::kNone;
  c.chunk_size = publish ? kPublishChunkSize : rtmp::kDefaultChunkSize;
  c.window_ack_size = 0;  // the server acknowledges nothing: one less message per window
  c.buffer_ms = kBufferLengthMs;
  return c;
}

}  // namespace

RtmpClient::RtmpClient(event_base* base, Role role, std::string tc_url, std::string app,
                       std::string stream, Totals& totals)
    : Connection(base),
      role_(role),
      totals_(totals),
      session_(config_of(role, std::move(tc_url), std::move(app), std::move(stream)),
               random_bytes()) {}

bool RtmpClient::live() const noexcept {
  auto state = session_.state();
  return is_open() && (state == rtmp::ClientState::kLive || state == rtmp::ClientState::kEnded);
}

void RtmpClient::fail(const char* why) noexcept {
  ++totals_.errors;
  close(why, true);
}

void RtmpClient::on_connected(int64_t /*now_ns*/) noexcept {
  if (base::Status st = session_.start(&out()); !st.is_ok()) fail(st.what());
}

void RtmpClient::on_lost(int64_t /*now_ns*/) noexcept {
  ++totals_.errors;
}

void RtmpClient::on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  while (is_open()) {
    size_t used = 0;
    rtmp::ClientResult r = session_.feed(data, len, &used, &out());
    data += used;
    len -= used;
    if (r == rtmp::ClientResult::kError) return on_session_error();
    if (r == rtmp::ClientResult::kNeedMore) break;
    on_event(now_ns);
  }
  flush();
}

void RtmpClient::on_session_error() noexcept {
  if (session_.error().code() == base::Errc::kRejected) {
    last_status_ = session_.status().code;
    rejected_ = true;
  }
  fail(session_.error().what());
}

void RtmpClient::on_event(int64_t now_ns) noexcept {
  switch (session_.event()) {
    case rtmp::ClientEvent::kConnected:
      return;
    case rtmp::ClientEvent::kStreamCreated:
      if (role_ == Role::kPlayer) stats_.on_request(base::mono_ns());
      return;
    case rtmp::ClientEvent::kMessage: {
      const rtmp::Message& m = session_.message();
      uint8_t type = m.header.type_id;
      if (type == rtmp::kTypeAudio || type == rtmp::kTypeVideo) {
        stats_.on_tag(type, m.payload, now_ns, totals_);
      }
      return;
    }
    case rtmp::ClientEvent::kLive:
      last_status_ = session_.status().code;
      if (role_ != Role::kPublisher) return;
      live_ns_ = now_ns;
      send_metadata();
      pump(now_ns);
      return;
    case rtmp::ClientEvent::kStatus:
    case rtmp::ClientEvent::kEnded:
      last_status_ = session_.status().code;
      return;
  }
}

void RtmpClient::send_metadata() noexcept {
  amf::Value meta = amf::Value::ecma_array();
  meta.set("encoder", amf::Value::string("srs-bench"));
  meta.set("videocodecid", amf::Value::number(7));
  meta.set("audiocodecid", amf::Value::number(10));
  if (base::Status st = session_.send_metadata(meta, &out()); !st.is_ok()) fail(st.what());
}

void RtmpClient::pump(int64_t now_ns) noexcept {
  if (!live() || source_ == nullptr) return;
  if (pending_out() > kMaxPublishBacklog) return;  // the server is not reading: wait
  auto elapsed_ms = static_cast<uint64_t>((now_ns - live_ns_) / 1000000);
  while (source_->next_timestamp() <= elapsed_ms) {
    MediaFrame f = source_->take();
    if (f.stamp_offset >= 0) {
      write_stamp(base::mono_ns(), f.body.data() + f.stamp_offset);
      ++totals_.stamps_sent;
    }
    base::Status st =
        session_.send_media(static_cast<uint8_t>(f.type), f.timestamp, f.body, &out());
    if (!st.is_ok()) return fail(st.what());
    media_sent_ += f.body.size();
    ++frames_sent_;
  }
  uint64_t before = bytes_out();
  flush();
  totals_.bytes_out += bytes_out() - before;
}

}  // namespace srs::tools::srs_bench
