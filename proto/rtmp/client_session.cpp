// ClientSession: RTMP 1.0 sections 5.2 (handshake), 5.4 (protocol control),
// 7.1.7 (User Control) and 7.2 (commands) from the client's side.
//
// One state per request in flight; a reply is matched by its transaction id
// (7.2.1.2) and the state it answers, anything else from the server is left
// alone. Every decision a reply drives is in one short handler below.
#include "proto/rtmp/client_session.hpp"

#include <cmath>
#include <cstdio>

#include "proto/amf/amf0_writer.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_writer.hpp"

namespace srs::proto::rtmp {

using amf::Value;
using base::Errc;
using base::Status;

namespace {

// Transaction ids (7.2.1.2), as ffmpeg numbers the FMLE flow; play's is 0
// (7.2.2.1: the server answers it with onStatus only).
constexpr double kTxnConnect = 1;
constexpr double kTxnReleaseStream = 2;
constexpr double kTxnFcPublish = 3;
constexpr double kTxnCreateStreamPublish = 4;
constexpr double kTxnPublish = 5;
constexpr double kTxnCreateStreamPlay = 2;
constexpr double kTxnPlay = 0;

constexpr const char* kFlashVerPublish = "FMLE/3.0 (compatible; FMSc/1.0)";
constexpr const char* kFlashVerPlay = "LNX 9,0,124,2";

// Bounds on what we keep of the server's words and send of the caller's.
constexpr size_t kMaxStatusText = 1024;
constexpr size_t kMaxIdentityText = 256;
constexpr size_t kMaxConfigText = 4096;  // tcUrl, app, stream name, flashVer, URLs
constexpr size_t kMaxConnectPayload = 64 * 1024;

std::string bounded(std::string text, size_t max) {
  if (text.size() > max) text.resize(max);
  return text;
}

// A number sent where a string is expected (SRS 3 sent srs_id as a number).
std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string identity_text(const Value& data, const char* key) {
  const Value* v = data.get(key);
  if (v == nullptr) return {};
  if (v->is_number()) return number_text(v->as_number());
  return bounded(v->is_string() ? v->as_string() : std::string(), kMaxIdentityText);
}

// The connect _result's information data (SRS's response_connect_app).
PeerIdentity parse_identity(const Value* info) {
  const Value* data = info != nullptr ? info->get("data") : nullptr;
  if (data == nullptr) return {};
  return peer_identity_from(*data);
}

// 7.2.1.1 "Optional User Arguments": one object with our identity (SRS's
// debug_srs_upnode keys, in its order) and the caller's properties.
std::vector<Value> connect_args(const ClientConfig& c) {
  Value o = Value::object();
  const PeerIdentity& id = c.identity;
  if (!id.sig.empty()) o.set("srs_sig", Value::string(id.sig));
  if (!id.server.empty()) o.set("srs_server", Value::string(id.server));
  if (!id.version.empty()) o.set("srs_version", Value::string(id.version));
  if (id.pid != 0) o.set("srs_pid", Value::number(id.pid));
  if (!id.id.empty()) o.set("srs_id", Value::string(id.id));
  if (!id.server_ip.empty()) o.set("srs_server_ip", Value::string(id.server_ip));
  if (!id.via.empty()) o.set("srs_via", Value::string(id.via));
  for (const amf::Property& p : c.args) o.set(p.name, p.value);
  if (o.properties().empty()) return {};
  return {std::move(o)};
}

void encode_connect_request(const ClientConfig& c, std::vector<uint8_t>& out) {
  ConnectRequest req;
  req.txn = kTxnConnect;
  req.app = c.app;
  req.tc_url = c.tc_url;
  req.swf_url = c.swf_url;
  req.page_url = c.page_url;
  if (!c.flash_ver.empty()) req.flash_ver = c.flash_ver;
  if (c.flash_ver.empty()) {
    req.flash_ver = c.role == ClientRole::kPublish ? kFlashVerPublish : kFlashVerPlay;
  }
  req.args = connect_args(c);
  encode_connect(out, req);
}

// 7.2.1.3: the stream id is the number after the null; a message stream id
// is a 32-bit field (5.3.1.2.1), so anything else is not an id.
bool stream_id_of(const std::vector<Value>& args, uint32_t* id) {
  for (const Value& v : args) {
    if (!v.is_number()) continue;
    double n = v.as_number();
    if (!(n >= 0 && n <= 4294967295.0) || std::trunc(n) != n) return false;
    *id = static_cast<uint32_t>(n);
    return true;
  }
  return false;
}

uint32_t media_csid(uint8_t type) noexcept {
  if (type == kTypeAudio) return kCsidAudio;
  if (type == kTypeVideo) return kCsidVideo;
  return kCsidOverStream;  // data, next to the publish command (as @setDataFrame)
}

}  // namespace

PeerIdentity peer_identity_from(const Value& object) {
  PeerIdentity id;
  if (!object.has_properties()) return id;
  id.sig = identity_text(object, "srs_sig");
  id.server = identity_text(object, "srs_server");
  id.version = identity_text(object, "srs_version");
  id.pid = object.get_number("srs_pid");
  id.id = identity_text(object, "srs_id");
  id.server_ip = identity_text(object, "srs_server_ip");
  id.via = identity_text(object, "srs_via");
  return id;
}

bool PeerIdentity::empty() const noexcept {
  return sig.empty() && server.empty() && version.empty() && pid == 0 && id.empty() &&
         server_ip.empty() && via.empty();
}

const char* client_state_name(ClientState state) noexcept {
  static constexpr const char* kNames[] = {
      "idle", "handshake", "connect", "createStream", "publish or play", "live", "ended", "failed",
  };
  return kNames[static_cast<size_t>(state)];
}

ClientSession::ClientSession(ClientConfig config, std::span<const uint8_t> random, uint32_t time)
    : config_(std::move(config)),
      handshake_(std::make_unique<HandshakeClient>(random, time, config_.handshake)),
      reader_(config_.limits) {}

Status ClientSession::check_config() {
  const ClientConfig& c = config_;
  for (const std::string* s :
       {&c.tc_url, &c.app, &c.stream, &c.flash_ver, &c.swf_url, &c.page_url}) {
    if (s->size() > kMaxConfigText) {
      return Status::fail(Errc::kTooLarge, "rtmp client: a connect or stream text over 4096 bytes");
    }
  }
  if (c.tc_url.empty() || c.stream.empty()) {
    return Status::fail(Errc::kInvalid, "rtmp client: no tcUrl or no stream name");
  }
  scratch_.clear();
  encode_connect_request(c, scratch_);
  if (scratch_.size() > kMaxConnectPayload) {
    return Status::fail(Errc::kTooLarge, "rtmp client: connect arguments over 64 KiB");
  }
  return Status::ok();
}

Status ClientSession::start(std::vector<uint8_t>* out) {
  if (state_ != ClientState::kIdle) {
    return Status::fail(Errc::kInvalid, "rtmp client: start() called twice");
  }
  Status st = check_config();
  if (st.is_ok()) st = handshake_->error();
  if (!st.is_ok()) {
    (void)fail(st.code(), st.what());
    return st;
  }
  std::span<const uint8_t> c0c1 = handshake_->output();
  out->insert(out->end(), c0c1.begin(), c0c1.end());
  state_ = ClientState::kHandshake;
  return Status::ok();
}

ClientResult ClientSession::feed(const uint8_t* data, size_t len, size_t* consumed,
                                 std::vector<uint8_t>* out) noexcept {
  *consumed = 0;
  if (state_ == ClientState::kFailed) return ClientResult::kError;
  if (state_ == ClientState::kIdle) {
    (void)fail(Errc::kInvalid, "rtmp client: feed() before start()");
    return ClientResult::kError;
  }
  if (state_ == ClientState::kHandshake) {
    ClientResult r = feed_handshake(data, len, consumed, out);
    if (r != ClientResult::kNeedMore || state_ == ClientState::kHandshake) return r;
  }
  for (;;) {
    size_t used = 0;
    ReadResult r = reader_.feed(data + *consumed, len - *consumed, &used);
    *consumed += used;
    if (r == ReadResult::kError) {
      (void)fail(Errc::kInvalid, "rtmp client: bad chunk stream from the server", reader_.error());
      return ClientResult::kError;
    }
    // 5.4.3: acknowledge once the bytes received since the last
    // acknowledgement reach the window the server set (5.4.4).
    if (reader_.ack_due()) (void)writer_.append_control(make_ack(reader_.take_ack()), out);
    if (r == ReadResult::kNeedMore) return ClientResult::kNeedMore;
    Step step = on_message(reader_.message(), out);
    if (step == Step::kEvent) return ClientResult::kEvent;
    if (step == Step::kError) return ClientResult::kError;
  }
}

ClientResult ClientSession::feed_handshake(const uint8_t* data, size_t len, size_t* consumed,
                                           std::vector<uint8_t>* out) noexcept {
  HandshakeResult r = handshake_->feed(data, len, consumed);
  if (r == HandshakeResult::kError) {
    (void)fail(Errc::kInvalid, "rtmp client: handshake failed (RTMP 1.0 5.2)", handshake_->error());
    return ClientResult::kError;
  }
  if (r == HandshakeResult::kDone) on_handshake_done(out);
  return ClientResult::kNeedMore;
}

void ClientSession::on_handshake_done(std::vector<uint8_t>* out) {
  std::span<const uint8_t> c2 = handshake_->output();
  out->insert(out->end(), c2.begin(), c2.end());
  handshake_.reset();
  // 5.4.3: the sequence number counts every byte received, S0 S1 S2 included.
  reader_.set_bytes_received(static_cast<uint32_t>(1 + 2 * kHandshakeSize));
  if (config_.chunk_size != 0 && config_.chunk_size != kDefaultChunkSize) {
    // 5.4.1: announced before any chunk of the new size (fits one 128-byte chunk).
    (void)writer_.append_control(make_set_chunk_size(config_.chunk_size), out);
    writer_.set_chunk_size(config_.chunk_size);
  }
  scratch_.clear();
  encode_connect_request(config_, scratch_);
  send_command(kCsidOverConnection, 0, out);
  if (config_.window_ack_size != 0) {
    // 5.4.4: the window the server acknowledges what we send in (as SRS's client does).
    (void)writer_.append_control(make_window_ack_size(config_.window_ack_size), out);
  }
  state_ = ClientState::kConnecting;
}

ClientSession::Step ClientSession::on_message(const Message& msg, std::vector<uint8_t>* out) {
  switch (msg.header.type_id) {
    case kTypeUserControl:
      return on_user_control(msg, out);
    case kTypeCommandAmf0:
    case kTypeCommandAmf3:
      return on_command(msg, out);
    case kTypeAudio:
    case kTypeVideo:
    case kTypeDataAmf0:
    case kTypeDataAmf3:
    case kTypeAggregate:
      return on_media();
    default:
      // Set Chunk Size, Abort and Window Ack Size were applied by the reader;
      // Acknowledgement needs nothing; Set Peer Bandwidth (5.4.5) asks for a
      // Window Ack Size only if ours differs, and ours was sent once, as
      // SRS's client does; shared objects are not used.
      return Step::kNone;
  }
}

ClientSession::Step ClientSession::on_user_control(const Message& msg, std::vector<uint8_t>* out) {
  base::Result<UserControl> uc = decode_user_control(msg.payload);
  if (!uc.is_ok()) {
    return fail(Errc::kInvalid, "rtmp client: bad User Control message (RTMP 1.0 7.1.7)",
                uc.status());
  }
  // 7.1.7: PingResponse echoes the PingRequest's timestamp. Stream Begin,
  // EOF and Dry say what onStatus also says; the rest is not for clients.
  if (uc->event != static_cast<uint16_t>(UserControlEvent::kPingRequest)) return Step::kNone;
  (void)writer_.append_user_control(make_user_control(UserControlEvent::kPingResponse, uc->value),
                                    out);
  return Step::kNone;
}

ClientSession::Step ClientSession::on_command(const Message& msg, std::vector<uint8_t>* out) {
  base::Result<Command> cmd = decode_command(msg.payload.data(), msg.payload.size(),
                                             msg.header.type_id == kTypeCommandAmf3);
  if (!cmd.is_ok()) {
    return fail(Errc::kInvalid, "rtmp client: a command from the server does not decode (7.2)",
                cmd.status());
  }
  if (const auto* r = std::get_if<ResultCommand>(&cmd.value())) {
    return on_result(*r, out);
  }
  if (const auto* s = std::get_if<OnStatusCommand>(&cmd.value())) return on_status(s->info);
  // onBWDone, onFCPublish, _checkbw...: nothing a client must answer.
  return Step::kNone;
}

ClientSession::Step ClientSession::on_result(const ResultCommand& r, std::vector<uint8_t>* out) {
  if (state_ == ClientState::kConnecting && r.txn == kTxnConnect) {
    return on_connect_result(r, out);
  }
  if (state_ == ClientState::kCreatingStream && r.txn == create_stream_txn()) {
    return on_create_stream_result(r, out);
  }
  bool publishing = config_.role == ClientRole::kPublish && state_ == ClientState::kStarting;
  if (r.error && publishing && r.txn == kTxnPublish) {
    keep_status(r.info());
    return reject("rtmp client: publish refused (_error)");
  }
  return Step::kNone;  // releaseStream and FCPublish: either answer will do
}

// 7.2.1.1: _result carries the properties and the information object, whose
// data an SRS server fills with its identity.
ClientSession::Step ClientSession::on_connect_result(const ResultCommand& r,
                                                     std::vector<uint8_t>* out) {
  keep_status(r.info());
  if (r.error) return reject("rtmp client: connect rejected (_error)");
  upstream_ = parse_identity(r.info());
  send_stream_requests(out);
  state_ = ClientState::kCreatingStream;
  return emit(ClientEvent::kConnected);
}

// 7.2.1.3: _result, txn, null, stream id.
ClientSession::Step ClientSession::on_create_stream_result(const ResultCommand& r,
                                                           std::vector<uint8_t>* out) {
  if (r.error) {
    keep_status(r.info());
    return reject("rtmp client: createStream refused (_error)");
  }
  if (!stream_id_of(r.args, &stream_id_)) {
    return fail(Errc::kInvalid,
                "rtmp client: createStream _result without a 32-bit stream id (7.2.1.3)");
  }
  send_start(out);
  state_ = ClientState::kStarting;
  return emit(ClientEvent::kStreamCreated);
}

// 7.2.2: NetStream status; level "error" refuses the request.
ClientSession::Step ClientSession::on_status(const Value& info) {
  keep_status(&info);
  bool publish = config_.role == ClientRole::kPublish;
  if (status_.level == "error") {
    return reject(publish ? "rtmp client: publish refused (onStatus error)"
                          : "rtmp client: play refused (onStatus error)");
  }
  bool waiting = state_ == ClientState::kStarting || (!publish && state_ == ClientState::kEnded);
  const char* start = publish ? "NetStream.Publish.Start" : "NetStream.Play.Start";
  if (waiting && status_.code == start) {
    state_ = ClientState::kLive;
    return emit(ClientEvent::kLive);
  }
  bool playing = !publish && (state_ == ClientState::kStarting || state_ == ClientState::kLive ||
                              state_ == ClientState::kEnded);
  bool end =
      status_.code == "NetStream.Play.UnpublishNotify" || status_.code == "NetStream.Play.Stop";
  if (playing && end) {
    state_ = ClientState::kEnded;
    return emit(ClientEvent::kEnded);
  }
  return emit(ClientEvent::kStatus);
}

// A player's messages once play went out; a publisher ignores what it gets.
ClientSession::Step ClientSession::on_media() noexcept {
  if (config_.role != ClientRole::kPlay) return Step::kNone;
  if (state_ != ClientState::kStarting && state_ != ClientState::kLive &&
      state_ != ClientState::kEnded) {
    return Step::kNone;
  }
  return emit(ClientEvent::kMessage);
}

// The FMLE flow (what ffmpeg sends): releaseStream, FCPublish, createStream.
void ClientSession::send_stream_requests(std::vector<uint8_t>* out) {
  if (config_.role == ClientRole::kPublish) {
    scratch_.clear();
    encode_release_stream(scratch_, kTxnReleaseStream, config_.stream);
    send_command(kCsidOverConnection, 0, out);
    scratch_.clear();
    encode_fc_publish(scratch_, kTxnFcPublish, config_.stream);
    send_command(kCsidOverConnection, 0, out);
  }
  scratch_.clear();
  encode_create_stream(scratch_, create_stream_txn());
  send_command(kCsidOverConnection, 0, out);
}

// 7.2.2.6 publish "live"; 7.2.2.1 play (start -2: live or recorded) and the
// SetBufferLength user control (7.1.7) that librtmp and SRS send with it.
void ClientSession::send_start(std::vector<uint8_t>* out) {
  scratch_.clear();
  if (config_.role == ClientRole::kPublish) {
    encode_publish(scratch_, kTxnPublish, config_.stream);
    send_command(kCsidOverStream, stream_id_, out);
    return;
  }
  encode_play(scratch_, kTxnPlay, config_.stream);
  send_command(kCsidOverStream2, stream_id_, out);
  (void)writer_.append_user_control(
      make_user_control(UserControlEvent::kSetBufferLength, stream_id_, config_.buffer_ms), out);
}

// scratch_ holds a command payload, bounded by check_config(): it fits the
// 24-bit length field, so appending it cannot fail.
void ClientSession::send_command(uint32_t csid, uint32_t stream_id, std::vector<uint8_t>* out) {
  MessageHeader h{0, static_cast<uint32_t>(scratch_.size()), kTypeCommandAmf0, stream_id};
  (void)writer_.append(csid, h, scratch_, out);
}

Status ClientSession::check_media(uint8_t type, size_t length) const noexcept {
  if (config_.role != ClientRole::kPublish || state_ != ClientState::kLive) {
    return Status::fail(Errc::kInvalid, "rtmp client: media sent while not publishing");
  }
  if (type != kTypeAudio && type != kTypeVideo && type != kTypeDataAmf0) {
    return Status::fail(Errc::kInvalid, "rtmp client: not an audio, video or data message");
  }
  if (length > kMaxMessageLength) {
    return Status::fail(Errc::kTooLarge, "rtmp client: media message over 16 MiB (5.3.1.2.1)");
  }
  return Status::ok();
}

Status ClientSession::send_media(uint8_t type, uint32_t timestamp, std::span<const uint8_t> payload,
                                 std::vector<uint8_t>* out) {
  if (Status st = check_media(type, payload.size()); !st.is_ok()) return st;
  MessageHeader h{timestamp, static_cast<uint32_t>(payload.size()), type, stream_id_};
  return writer_.append(media_csid(type), h, payload, out);
}

Status ClientSession::send_metadata(const Value& metadata, std::vector<uint8_t>* out) {
  // The FMLE form (7.1.2 data message): the server keeps onMetaData for players.
  scratch_.clear();
  amf::amf0_write_string(scratch_, "@setDataFrame");
  amf::amf0_write_string(scratch_, "onMetaData");
  amf::amf0_write(scratch_, metadata);
  return send_media(kTypeDataAmf0, 0, scratch_, out);
}

void ClientSession::forget_media_headers() noexcept {
  for (uint8_t type : {kTypeAudio, kTypeVideo, kTypeDataAmf0}) writer_.forget(media_csid(type));
}

base::Result<size_t> ClientSession::write_media(uint8_t type, uint32_t timestamp,
                                                std::span<const uint8_t> first,
                                                std::span<const uint8_t> second, uint8_t* scratch,
                                                size_t scratch_len, struct iovec* iov,
                                                size_t iov_cap, size_t* header_used) noexcept {
  size_t length = first.size() + second.size();
  if (Status st = check_media(type, length); !st.is_ok()) return st;
  MessageHeader h{timestamp, static_cast<uint32_t>(length), type, stream_id_};
  return writer_.write(media_csid(type), h, first, second, scratch, scratch_len, iov, iov_cap,
                       header_used);
}

void ClientSession::keep_status(const Value* info) {
  status_ = {};
  if (info == nullptr) return;
  status_.code = bounded(info->get_string("code"), kMaxStatusText);
  status_.level = bounded(info->get_string("level"), kMaxStatusText);
  status_.description = bounded(info->get_string("description"), kMaxStatusText);
}

double ClientSession::create_stream_txn() const noexcept {
  return config_.role == ClientRole::kPublish ? kTxnCreateStreamPublish : kTxnCreateStreamPlay;
}

ClientSession::Step ClientSession::emit(ClientEvent event) noexcept {
  event_ = event;
  return Step::kEvent;
}

ClientSession::Step ClientSession::reject(const char* what) noexcept {
  return fail(Errc::kRejected, what);
}

ClientSession::Step ClientSession::fail(Errc code, const char* what, Status cause) noexcept {
  if (state_ != ClientState::kFailed) failed_in_ = state_;
  state_ = ClientState::kFailed;
  // A bound the lower layer hit stays a bound (kTooLarge), not a format error.
  if (cause.code() == Errc::kTooLarge) code = Errc::kTooLarge;
  error_ = Status::fail(code, what);
  cause_ = cause;
  return Step::kError;
}

std::string ClientSession::error_text() const {
  if (error_.is_ok()) return {};
  std::string text = error_.what();
  const char* where = client_state_name(failed_in_);
  if (failed_in_ == ClientState::kStarting) {
    where = config_.role == ClientRole::kPublish ? "publish" : "play";
  }
  text += std::string(" while in ") + where;
  if (!cause_.is_ok()) text += " (" + cause_.to_string() + ")";
  if (!status_.code.empty() && error_.code() == Errc::kRejected) {
    text += ": " + status_.code;
    if (!status_.description.empty()) text += " '" + status_.description + "'";
  }
  if (config_.stream.empty()) return text;
  return text + " [" + config_.tc_url + " " + config_.stream + "]";
}

}  // namespace srs::proto::rtmp
