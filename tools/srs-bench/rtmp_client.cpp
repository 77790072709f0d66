// RtmpClient: RTMP player and publisher on the bench loop (see rtmp_client.hpp).
#include "tools/srs-bench/rtmp_client.hpp"

#include <array>
#include <random>

#include "base/clock.hpp"
#include "proto/amf/amf0_writer.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "tools/srs-bench/latency_stamp.hpp"

namespace srs::tools::srs_bench {

namespace rtmp = proto::rtmp;
namespace amf = proto::amf;

namespace {

constexpr uint32_t kPublishChunkSize = 60000;  // SRS's default; fewer chunk headers
constexpr uint32_t kBufferLengthMs = 3000;     // SetBufferLength, as rtmpdump sends
constexpr double kTxnConnect = 1;
constexpr double kTxnCreateStreamPlay = 2;
constexpr double kTxnReleaseStream = 2;
constexpr double kTxnFcPublish = 3;
constexpr double kTxnCreateStreamPublish = 4;
constexpr double kTxnPublish = 5;
constexpr size_t kMaxPublishBacklog = 16u << 20;  // stop pacing into a socket this far behind

std::array<uint8_t, rtmp::kHandshakeSize> random_bytes() {
  static std::minstd_rand rng(12345);
  std::array<uint8_t, rtmp::kHandshakeSize> out;
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

}  // namespace

RtmpClient::RtmpClient(event_base* base, Role role, std::string tc_url, std::string app,
                       std::string stream, Totals& totals)
    : Connection(base),
      role_(role),
      tc_url_(std::move(tc_url)),
      app_(std::move(app)),
      stream_(std::move(stream)),
      totals_(totals) {}

void RtmpClient::fail(const char* why) noexcept {
  ++totals_.errors;
  state_ = State::kDone;
  close(why, true);
}

void RtmpClient::on_connected(int64_t /*now_ns*/) noexcept {
  auto random = random_bytes();
  // A simple handshake (RTMP 1.0 5.2), as rtmpdump does by default: cheapest for both ends.
  handshake_ = std::make_unique<rtmp::HandshakeClient>(random, 0, rtmp::DigestSchema::kNone);
  auto c0c1 = handshake_->output();
  out().insert(out().end(), c0c1.begin(), c0c1.end());
  state_ = State::kHandshake;
}

void RtmpClient::on_lost(int64_t /*now_ns*/) noexcept {
  ++totals_.errors;
  state_ = State::kDone;
}

void RtmpClient::on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  if (state_ == State::kHandshake) {
    size_t used = feed_handshake(data, len);
    if (!is_open() || state_ == State::kHandshake) return;
    data += used;
    len -= used;
  }
  feed_chunks(data, len, now_ns);
  flush();
}

size_t RtmpClient::feed_handshake(const uint8_t* data, size_t len) noexcept {
  size_t consumed = 0;
  auto r = handshake_->feed(data, len, &consumed);
  if (r == rtmp::HandshakeResult::kError) {
    fail("handshake failed");
    return 0;
  }
  if (r != rtmp::HandshakeResult::kDone) return consumed;
  auto c2 = handshake_->output();
  out().insert(out().end(), c2.begin(), c2.end());
  handshake_.reset();
  reader_.set_bytes_received(static_cast<uint32_t>(1 + 2 * rtmp::kHandshakeSize));
  send_connect();
  return consumed;
}

void RtmpClient::feed_chunks(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  while (len > 0 && is_open()) {
    size_t used = 0;
    auto r = reader_.feed(data, len, &used);
    if (r == rtmp::ReadResult::kError) {
      fail("bad chunk stream");
      return;
    }
    if (r == rtmp::ReadResult::kMessage) on_message(reader_.message(), now_ns);
    data += used;
    len -= used;
    if (reader_.ack_due() && is_open()) {
      (void)writer_.append_control(rtmp::make_ack(reader_.take_ack()), &out());
    }
  }
}

void RtmpClient::on_message(const rtmp::Message& msg, int64_t now_ns) noexcept {
  uint8_t type = msg.header.type_id;
  if (type == rtmp::kTypeAudio || type == rtmp::kTypeVideo) {
    if (role_ == Role::kPlayer) stats_.on_tag(type, msg.payload, now_ns, totals_);
    return;
  }
  if (type == rtmp::kTypeCommandAmf0 || type == rtmp::kTypeCommandAmf3) {
    on_command(msg, now_ns);
    return;
  }
  if (type == rtmp::kTypeUserControl) on_user_control(msg);
}

void RtmpClient::on_user_control(const rtmp::Message& msg) noexcept {
  auto uc = rtmp::decode_user_control(msg.payload);
  if (!uc.is_ok() || uc->event != static_cast<uint16_t>(rtmp::UserControlEvent::kPingRequest)) {
    return;
  }
  auto pong = rtmp::make_user_control(rtmp::UserControlEvent::kPingResponse, uc->value);
  (void)writer_.append_user_control(pong, &out());
}

void RtmpClient::on_command(const rtmp::Message& msg, int64_t now_ns) noexcept {
  auto cmd = rtmp::decode_command(msg.payload.data(), msg.payload.size(),
                                  msg.header.type_id == rtmp::kTypeCommandAmf3);
  if (!cmd.is_ok()) return;  // not ours to judge: the bench only follows the flow
  if (const auto* r = std::get_if<rtmp::ResultCommand>(&cmd.value())) {
    double number = 0;
    for (const auto& v : r->args) {
      if (v.is_number()) number = v.as_number();
    }
    if (r->error && r->info() != nullptr) last_status_ = r->info()->get_string("code");
    on_result(r->txn, r->error, number);
    return;
  }
  if (const auto* s = std::get_if<rtmp::OnStatusCommand>(&cmd.value())) {
    on_status(s->code(), s->level(), now_ns);
  }
}

void RtmpClient::on_result(double txn, bool error, double number) noexcept {
  if (state_ == State::kConnect && txn == kTxnConnect) {
    if (error) return fail("connect rejected");
    state_ = State::kCreateStream;
    scratch_.clear();
    if (role_ == Role::kPublisher) {
      rtmp::encode_release_stream(scratch_, kTxnReleaseStream, stream_);
      send_message(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, 0, scratch_);
      scratch_.clear();
      rtmp::encode_fc_publish(scratch_, kTxnFcPublish, stream_);
      send_message(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, 0, scratch_);
      scratch_.clear();
    }
    double txn_cs = role_ == Role::kPublisher ? kTxnCreateStreamPublish : kTxnCreateStreamPlay;
    rtmp::encode_create_stream(scratch_, txn_cs);
    send_message(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, 0, scratch_);
    return;
  }
  double txn_cs = role_ == Role::kPublisher ? kTxnCreateStreamPublish : kTxnCreateStreamPlay;
  if (state_ == State::kCreateStream && txn == txn_cs) {
    if (error) return fail("createStream rejected");
    stream_id_ = static_cast<uint32_t>(number);
    send_start();
    return;
  }
  if (error && state_ == State::kStarting && txn == kTxnPublish) fail("publish rejected");
}

void RtmpClient::send_start() noexcept {
  state_ = State::kStarting;
  scratch_.clear();
  if (role_ == Role::kPublisher) {
    rtmp::encode_publish(scratch_, kTxnPublish, stream_);
    send_message(rtmp::kCsidOverStream, rtmp::kTypeCommandAmf0, 0, stream_id_, scratch_);
    return;
  }
  rtmp::encode_play(scratch_, 0, stream_);
  send_message(rtmp::kCsidOverStream2, rtmp::kTypeCommandAmf0, 0, stream_id_, scratch_);
  auto buffer = rtmp::make_user_control(rtmp::UserControlEvent::kSetBufferLength, stream_id_,
                                        kBufferLengthMs);
  (void)writer_.append_user_control(buffer, &out());
  stats_.on_request(base::mono_ns());
}

void RtmpClient::on_status(const std::string& code, const std::string& level,
                           int64_t now_ns) noexcept {
  last_status_ = code;
  if (level == "error") return fail(role_ == Role::kPublisher ? "publish failed" : "play failed");
  if (state_ != State::kStarting) return;
  if (role_ == Role::kPlayer && code == "NetStream.Play.Start") {
    state_ = State::kLive;
    return;
  }
  if (role_ == Role::kPublisher && code == "NetStream.Publish.Start") {
    state_ = State::kLive;
    live_ns_ = now_ns;
    send_metadata();
    pump(now_ns);
  }
}

void RtmpClient::send_connect() noexcept {
  state_ = State::kConnect;
  if (role_ == Role::kPublisher) {
    (void)writer_.append_control(rtmp::make_set_chunk_size(kPublishChunkSize), &out());
    writer_.set_chunk_size(kPublishChunkSize);
  }
  rtmp::ConnectRequest req;
  req.txn = kTxnConnect;
  req.app = app_;
  req.tc_url = tc_url_;
  if (role_ == Role::kPlayer) req.flash_ver = "LNX 9,0,124,2";
  scratch_.clear();
  rtmp::encode_connect(scratch_, req);
  send_message(rtmp::kCsidOverConnection, rtmp::kTypeCommandAmf0, 0, 0, scratch_);
}

void RtmpClient::send_metadata() noexcept {
  scratch_.clear();
  amf::amf0_write_string(scratch_, "@setDataFrame");
  amf::amf0_write_string(scratch_, "onMetaData");
  amf::Value meta = amf::Value::ecma_array();
  meta.set("encoder", amf::Value::string("srs-bench"));
  meta.set("videocodecid", amf::Value::number(7));
  meta.set("audiocodecid", amf::Value::number(10));
  amf::amf0_write(scratch_, meta);
  send_message(rtmp::kCsidOverStream, rtmp::kTypeDataAmf0, 0, stream_id_, scratch_);
}

void RtmpClient::send_message(uint32_t csid, uint8_t type, uint32_t timestamp, uint32_t stream_id,
                              std::span<const uint8_t> payload) noexcept {
  rtmp::MessageHeader h{timestamp, static_cast<uint32_t>(payload.size()), type, stream_id};
  if (!writer_.append(csid, h, payload, &out()).is_ok()) fail("message too large");
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
    bool video = f.type == proto::flv::TagType::kVideo;
    send_message(video ? rtmp::kCsidVideo : rtmp::kCsidAudio, static_cast<uint8_t>(f.type),
                 f.timestamp, stream_id_, f.body);
    media_sent_ += f.body.size();
    ++frames_sent_;
  }
  uint64_t before = bytes_out();
  flush();
  totals_.bytes_out += bytes_out() - before;
}

}  // namespace srs::tools::srs_bench
