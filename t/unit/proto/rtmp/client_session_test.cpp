// ClientSession against a scripted server made of the project's own
// server-side pieces (HandshakeServer, ChunkReader, ChunkWriter, the command
// decoder and the reply encoders), in memory, no sockets.
//
// Each flow is played once in lockstep (the client's bytes to the server, the
// server's answer back), which records every byte the server sent. Then the
// recording is fed again to fresh sessions, cut in two at every offset and
// one byte at a time: the events, the error and the messages the client sends
// (acknowledgements aside, whose place depends on the cut by design) must be
// the same every time.
#include "proto/rtmp/client_session.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_data.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

using namespace srs::proto::rtmp;
using srs::base::Errc;
using srs::proto::amf::Property;
using srs::proto::amf::Value;
using srs::proto::rtmp::test::Received;

namespace {

using Bytes = std::vector<uint8_t>;

constexpr size_t kHandshakeBytes = 1 + 2 * kHandshakeSize;  // C0 C1 C2, or S0 S1 S2
constexpr uint32_t kPingTime = 12345;

Bytes random_block(uint8_t seed) {
  Bytes r(kHandshakeSize);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : r) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return r;
}

ClientConfig player_config() {
  ClientConfig c;
  c.role = ClientRole::kPlay;
  c.tc_url = "rtmp://127.0.0.1:1935/live";
  c.app = "live";
  c.stream = "cam1";
  c.chunk_size = kDefaultChunkSize;
  c.window_ack_size = 0;
  return c;
}

ClientConfig publisher_config() {
  ClientConfig c = player_config();
  c.role = ClientRole::kPublish;
  c.chunk_size = 60000;
  c.window_ack_size = 2500000;
  c.identity = {"SRS", "SRS/1.0.0(Edge)", "1.0.0", 777, "edge-ctx-1", "192.168.1.9"};
  c.args = {Property{"token", Value::string("abc")}, Property{"hops", Value::number(2)}};
  return c;
}

Bytes media_payload(int i, size_t size) {
  Bytes p(size);
  for (size_t k = 0; k < size; ++k) p[k] = static_cast<uint8_t>(i * 31 + k);
  return p;
}

// ---- The scripted server.

struct Script {
  bool reject_connect = false;
  uint32_t window = 2500000;  // Window Acknowledgement Size it asks of the client
  uint32_t chunk_size = 256;  // its own chunk size
  bool ping = false;          // a PingRequest after the connect _result
  bool bad_name = false;      // publish refused
  bool not_found = false;     // play refused
  int media = 0;              // messages after Play.Start
  bool unpublish = false;     // then UnpublishNotify and Play.Stop
};

class ScriptedServer {
 public:
  explicit ScriptedServer(Script script) : script_(script), hs_(random_block(7), 99) {}

  // The client's bytes in, the server's answer out.
  Bytes take(const Bytes& in) {
    Bytes out;
    size_t pos = handshake(in, &out);
    while (pos < in.size()) {
      size_t used = 0;
      ReadResult r = reader_.feed(in.data() + pos, in.size() - pos, &used);
      pos += used;
      REQUIRE_MESSAGE(r != ReadResult::kError, reader_.error().to_string());
      if (r == ReadResult::kMessage) on_message(reader_.message(), &out);
    }
    return out;
  }

  std::vector<Received> messages;  // every message the client sent
  std::vector<Command> commands;
  std::vector<uint32_t> acks;
  std::vector<UserControl> user_controls;

 private:
  size_t handshake(const Bytes& in, Bytes* out) {
    size_t pos = 0;
    while (!handshaken_ && pos < in.size()) {
      size_t used = 0;
      HandshakeResult r = hs_.feed(in.data() + pos, in.size() - pos, &used);
      pos += used;
      REQUIRE(r != HandshakeResult::kError);
      if (r == HandshakeResult::kSendReady) {
        out->insert(out->end(), hs_.output().begin(), hs_.output().end());
      }
      handshaken_ = r == HandshakeResult::kDone;
      if (r == HandshakeResult::kNeedMore) break;
    }
    return pos;
  }

  void on_message(const Message& m, Bytes* out) {
    messages.push_back({m.header, m.csid, {m.payload.begin(), m.payload.end()}});
    if (m.header.type_id == kTypeAck) acks.push_back(decode_control(kTypeAck, m.payload)->value);
    if (m.header.type_id == kTypeUserControl) {
      user_controls.push_back(decode_user_control(m.payload).value());
    }
    if (m.header.type_id != kTypeCommandAmf0) return;
    auto cmd = decode_command(m.payload.data(), m.payload.size(), false);
    REQUIRE_MESSAGE(cmd.is_ok(), cmd.status().to_string());
    commands.push_back(cmd.value());
    std::visit([&](const auto& c) { answer(c, out); }, cmd.value());
  }

  void send(Bytes* out, uint32_t csid, uint8_t type, uint32_t sid, const Bytes& payload,
            uint32_t timestamp = 0) {
    MessageHeader h{timestamp, static_cast<uint32_t>(payload.size()), type, sid};
    REQUIRE(writer_.append(csid, h, payload, out).is_ok());
  }
  void status(Bytes* out, StatusCode code, std::string_view description = {}) {
    Bytes p;
    encode_on_status(p, code, description);
    send(out, kCsidOverStream, kTypeCommandAmf0, 1, p);
  }

  void answer(const ConnectCommand& c, Bytes* out) {
    Bytes p;
    if (script_.reject_connect) {
      encode_connect_error(p, c.txn, "vhost 'nope' is not configured");
      return send(out, kCsidOverConnection, kTypeCommandAmf0, 0, p);
    }
    REQUIRE(writer_.append_control(make_window_ack_size(script_.window), out).is_ok());
    auto bw = make_set_peer_bandwidth(2500000, LimitType::kDynamic);
    REQUIRE(writer_.append_control(bw, out).is_ok());
    REQUIRE(writer_.append_control(make_set_chunk_size(script_.chunk_size), out).is_ok());
    writer_.set_chunk_size(script_.chunk_size);
    ConnectResult r;
    r.txn = c.txn;
    r.server = "SRS/1.0.0(Origin)";
    r.version = "1.0.0";
    r.pid = 4242;
    r.context_id = "srv-ctx-7";
    r.server_ip = "10.0.0.1";
    encode_connect_result(p, r);
    send(out, kCsidOverConnection, kTypeCommandAmf0, 0, p);
    p.clear();
    encode_on_bw_done(p);
    send(out, kCsidOverConnection, kTypeCommandAmf0, 0, p);
    if (!script_.ping) return;
    auto ping = make_user_control(UserControlEvent::kPingRequest, kPingTime);
    REQUIRE(writer_.append_user_control(ping, out).is_ok());
  }
  void answer(const ReleaseStreamCommand& c, Bytes* out) { simple_result(c.txn, out); }
  void answer(const FcPublishCommand& c, Bytes* out) { simple_result(c.txn, out); }
  void answer(const CreateStreamCommand& c, Bytes* out) {
    Bytes p;
    encode_create_stream_result(p, c.txn, 1);
    send(out, kCsidOverConnection, kTypeCommandAmf0, 0, p);
  }
  void answer(const PublishCommand&, Bytes* out) {
    if (script_.bad_name) return status(out, StatusCode::kPublishBadName, "live/cam1 is busy");
    Bytes p;
    encode_on_fc_publish(p);
    send(out, kCsidOverStream, kTypeCommandAmf0, 1, p);
    status(out, StatusCode::kPublishStart);
  }
  void answer(const PlayCommand&, Bytes* out) {
    if (script_.not_found) return status(out, StatusCode::kPlayStreamNotFound, "no live/cam1");
    auto begin = make_user_control(UserControlEvent::kStreamBegin, 1);
    REQUIRE(writer_.append_user_control(begin, out).is_ok());
    status(out, StatusCode::kPlayReset);
    status(out, StatusCode::kPlayStart);
    Bytes p;
    encode_sample_access(p);
    send(out, kCsidOverStream2, kTypeDataAmf0, 1, p);
    for (int i = 0; i < script_.media; ++i) {
      bool video = i % 2 == 0;
      send(out, video ? kCsidVideo : kCsidAudio, video ? kTypeVideo : kTypeAudio, 1,
           media_payload(i, video ? 300 : 40), static_cast<uint32_t>(i * 20));
    }
    if (!script_.unpublish) return;
    status(out, StatusCode::kPlayUnpublishNotify, "stream is now unpublished");
    status(out, StatusCode::kPlayStop);
  }
  template <typename T>
  void answer(const T&, Bytes*) {}

  void simple_result(double txn, Bytes* out) {
    Bytes p;
    encode_simple_result(p, txn);
    send(out, kCsidOverConnection, kTypeCommandAmf0, 0, p);
  }

  Script script_;
  HandshakeServer hs_;
  bool handshaken_ = false;
  ChunkReader reader_;
  ChunkWriter writer_;
};

// ---- The client side: what it reported and what it sent.

struct Seen {
  ClientEvent event = ClientEvent::kStatus;
  std::string code;  // status code; the upstream id for kConnected
  std::string description;
  MessageHeader header;  // kMessage
  Bytes payload;
  bool operator==(const Seen&) const = default;
};

Seen seen_of(const ClientSession& s) {
  Seen e{s.event()};
  if (s.event() == ClientEvent::kConnected) e.code = s.upstream().id;
  if (s.event() == ClientEvent::kStreamCreated) e.code = std::to_string(s.stream_id());
  if (s.event() == ClientEvent::kLive || s.event() == ClientEvent::kStatus ||
      s.event() == ClientEvent::kEnded) {
    e.code = s.status().code;
    e.description = s.status().description;
  }
  if (s.event() == ClientEvent::kMessage) {
    e.header = s.message().header;
    e.payload.assign(s.message().payload.begin(), s.message().payload.end());
  }
  return e;
}

struct ClientRun {
  std::vector<Seen> seen;
  Errc error = Errc::kOk;
  std::string error_what;
  std::string error_text;
  ClientState state = ClientState::kIdle;
  Bytes out;  // every byte the client sent
};

// What a test does when an event arrives (a publisher sends its media).
using Reaction = std::function<void(ClientSession&, Bytes*)>;

void feed_piece(ClientSession& s, const uint8_t* p, size_t n, const Reaction& react,
                ClientRun& run) {
  for (int rounds = 0; rounds < 100000; ++rounds) {
    if (run.error != Errc::kOk) return;
    size_t used = 0;
    ClientResult r = s.feed(p, n, &used, &run.out);
    REQUIRE(used <= n);
    p += used;
    n -= used;
    run.state = s.state();
    if (r == ClientResult::kError) {
      run.error = s.error().code();
      run.error_what = s.error().what();
      run.error_text = s.error_text();
      return;
    }
    if (r == ClientResult::kNeedMore) {
      REQUIRE(n == 0);
      return;
    }
    run.seen.push_back(seen_of(s));
    if (react) react(s, &run.out);
  }
  FAIL("the session made no progress");
}

struct Conversation {
  std::unique_ptr<ScriptedServer> server;
  Bytes server_bytes;  // everything the server sent, in order
  ClientRun run;
};

Conversation converse(const ClientConfig& config, const Script& script,
                      const Reaction& react = {}) {
  Conversation c;
  c.server = std::make_unique<ScriptedServer>(script);
  ClientSession s(config, random_block(1));
  REQUIRE(s.start(&c.run.out).is_ok());
  size_t sent = 0;
  for (int round = 0; round < 64 && sent < c.run.out.size(); ++round) {
    Bytes from_client(c.run.out.begin() + static_cast<long>(sent), c.run.out.end());
    sent = c.run.out.size();
    Bytes reply = c.server->take(from_client);
    c.server_bytes.insert(c.server_bytes.end(), reply.begin(), reply.end());
    feed_piece(s, reply.data(), reply.size(), react, c.run);
  }
  return c;
}

// Feeds `bytes` cut at `cut`, each side in pieces of `step` bytes (0: whole).
ClientRun replay(const ClientConfig& config, const Bytes& bytes, size_t cut, size_t step,
                 const Reaction& react = {}) {
  ClientRun run;
  ClientSession s(config, random_block(1));
  REQUIRE(s.start(&run.out).is_ok());
  for (auto [from, to] : {std::pair{size_t{0}, cut}, std::pair{cut, bytes.size()}}) {
    for (size_t pos = from; pos < to;) {
      size_t n = step == 0 ? to - pos : std::min(step, to - pos);
      feed_piece(s, bytes.data() + pos, n, react, run);
      pos += n;
    }
  }
  return run;
}

struct ClientSent {
  std::vector<Received> messages;  // acknowledgements left out
  std::vector<uint32_t> acks;
};

ClientSent decode_client(const Bytes& out) {
  ClientSent sent;
  if (out.size() <= kHandshakeBytes) return sent;
  ChunkReader reader;
  test::ReadAll all = test::read_all(reader, Bytes(out.begin() + kHandshakeBytes, out.end()));
  REQUIRE_FALSE(all.error);
  for (const Received& m : all.messages) {
    if (m.header.type_id != kTypeAck) {
      sent.messages.push_back(m);
      continue;
    }
    sent.acks.push_back(decode_control(kTypeAck, m.payload)->value);
  }
  return sent;
}

// 5.4.3: an acknowledgement once `window` bytes arrived since the last one,
// never a sequence number past what arrived, none owed at the end.
void check_acks(const std::vector<uint32_t>& acks, uint32_t received, uint32_t window) {
  uint32_t last = kHandshakeBytes;
  for (uint32_t seq : acks) {
    REQUIRE(seq - last >= window);
    REQUIRE(seq <= received);
    last = seq;
  }
  REQUIRE(received - last < window);
}

void check_all_splits(const ClientConfig& config, const Conversation& c,
                      const Reaction& react = {}) {
  std::vector<Received> expect = decode_client(c.run.out).messages;
  const Bytes& bytes = c.server_bytes;
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    ClientRun run = replay(config, bytes, cut, 0, react);
    CAPTURE(cut);
    REQUIRE(run.seen == c.run.seen);
    REQUIRE(run.error == c.run.error);
    REQUIRE(run.error_what == c.run.error_what);
    REQUIRE(run.state == c.run.state);
    REQUIRE(decode_client(run.out).messages == expect);
  }
  ClientRun bytewise = replay(config, bytes, 0, 1, react);
  CHECK(bytewise.seen == c.run.seen);
  CHECK(bytewise.error == c.run.error);
  CHECK(decode_client(bytewise.out).messages == expect);
}

std::vector<ClientEvent> events_of(const ClientRun& run) {
  std::vector<ClientEvent> out;
  for (const Seen& s : run.seen) out.push_back(s.event);
  return out;
}

std::vector<std::string> command_names(const ScriptedServer& server) {
  std::vector<std::string> out;
  for (const Command& c : server.commands) out.push_back(command_name(c));
  return out;
}

// A publisher's media once live: metadata, a video and an audio frame.
void publish_media(ClientSession& s, Bytes* out) {
  if (s.event() != ClientEvent::kLive) return;
  Value meta = Value::ecma_array();
  meta.set("encoder", Value::string("test"));
  REQUIRE(s.send_metadata(meta, out).is_ok());
  REQUIRE(s.send_media(kTypeVideo, 40, media_payload(1, 1000), out).is_ok());
  REQUIRE(s.send_media(kTypeAudio, 41, media_payload(2, 20), out).is_ok());
}

}  // namespace

TEST_CASE("publish: the FMLE flow, then @setDataFrame and media reach the server") {
  Conversation c = converse(publisher_config(), Script{}, publish_media);
  CHECK(c.run.error == Errc::kOk);
  CHECK(c.run.state == ClientState::kLive);
  CHECK(command_names(*c.server) == std::vector<std::string>{"connect", "releaseStream",
                                                             "FCPublish", "createStream",
                                                             "publish"});
  CHECK(events_of(c.run) == std::vector<ClientEvent>{ClientEvent::kConnected,
                                                     ClientEvent::kStreamCreated,
                                                     ClientEvent::kLive});
  CHECK(c.run.seen[2].code == "NetStream.Publish.Start");
  const auto* publish = std::get_if<PublishCommand>(&c.server->commands.back());
  REQUIRE(publish != nullptr);
  CHECK(publish->name == "cam1");
  CHECK(publish->type == "live");

  // Set Chunk Size before connect, Window Ack Size after it (SRS's client order).
  const auto& m = c.server->messages;
  REQUIRE(m.size() == 10);
  CHECK(m[0].header.type_id == kTypeSetChunkSize);
  CHECK(decode_control(kTypeSetChunkSize, m[0].payload)->value == 60000);
  CHECK(m[2].header.type_id == kTypeWindowAckSize);
  CHECK(decode_control(kTypeWindowAckSize, m[2].payload)->value == 2500000);
  auto data = decode_data(m[7].payload.data(), m[7].payload.size(), false);
  REQUIRE(data.is_ok());
  CHECK(data->set_data_frame);
  CHECK(data->is_metadata());
  CHECK(data->metadata()->get_string("encoder") == "test");
  CHECK(m[8].header == MessageHeader{40, 1000, kTypeVideo, 1});
  CHECK(m[8].payload == media_payload(1, 1000));
  CHECK(m[9].header == MessageHeader{41, 20, kTypeAudio, 1});
  CHECK(m[9].payload == media_payload(2, 20));
  check_all_splits(publisher_config(), c, publish_media);
}

TEST_CASE("play: createStream, play and SetBufferLength; every message handed out in order") {
  Script script;
  script.media = 6;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kOk);
  CHECK(c.run.state == ClientState::kLive);
  CHECK(command_names(*c.server) == std::vector<std::string>{"connect", "createStream", "play"});
  const auto* play = std::get_if<PlayCommand>(&c.server->commands.back());
  REQUIRE(play != nullptr);
  CHECK(play->name == "cam1");
  CHECK(play->start == -2);
  REQUIRE(c.server->user_controls.size() == 1);
  CHECK(c.server->user_controls[0] ==
        make_user_control(UserControlEvent::kSetBufferLength, 1, 3000));
  // No Set Chunk Size (128 stays) and no Window Ack Size when configured so.
  for (const Received& m : c.server->messages) CHECK(m.header.type_id != kTypeSetChunkSize);
  for (const Received& m : c.server->messages) CHECK(m.header.type_id != kTypeWindowAckSize);

  std::vector<ClientEvent> expect = {ClientEvent::kConnected, ClientEvent::kStreamCreated,
                                     ClientEvent::kStatus, ClientEvent::kLive,
                                     ClientEvent::kMessage};
  for (int i = 0; i < 6; ++i) expect.push_back(ClientEvent::kMessage);
  REQUIRE(events_of(c.run) == expect);
  CHECK(c.run.seen[2].code == "NetStream.Play.Reset");
  CHECK(c.run.seen[3].code == "NetStream.Play.Start");
  CHECK(c.run.seen[4].header.type_id == kTypeDataAmf0);  // |RtmpSampleAccess
  for (int i = 0; i < 6; ++i) {
    const Seen& s = c.run.seen[5 + i];
    bool video = i % 2 == 0;
    CHECK(s.header == MessageHeader{static_cast<uint32_t>(i * 20), video ? 300u : 40u,
                                    video ? kTypeVideo : kTypeAudio, 1});
    CHECK(s.payload == media_payload(i, video ? 300 : 40));
  }
  check_all_splits(player_config(), c);
}

TEST_CASE("connect rejected: Errc::kRejected with the server's code and description") {
  Script script;
  script.reject_connect = true;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kRejected);
  CHECK(c.run.state == ClientState::kFailed);
  CHECK(c.run.seen.empty());
  CHECK(c.run.error_what == std::string("rtmp client: connect rejected (_error)"));
  CHECK(c.run.error_text.find("while in connect") != std::string::npos);
  CHECK(c.run.error_text.find("NetConnection.Connect.Rejected 'vhost 'nope' is not configured'") !=
        std::string::npos);
  check_all_splits(player_config(), c);
}

TEST_CASE("publish refused with NetStream.Publish.BadName, and its description kept") {
  Script script;
  script.bad_name = true;
  Conversation c = converse(publisher_config(), script, publish_media);
  CHECK(c.run.error == Errc::kRejected);
  CHECK(c.run.error_text.find("NetStream.Publish.BadName 'live/cam1 is busy'") !=
        std::string::npos);
  CHECK(c.run.error_text.find("while in publish:") != std::string::npos);
  CHECK(events_of(c.run) ==
        std::vector<ClientEvent>{ClientEvent::kConnected, ClientEvent::kStreamCreated});
  check_all_splits(publisher_config(), c, publish_media);
}

TEST_CASE("play refused with NetStream.Play.StreamNotFound") {
  Script script;
  script.not_found = true;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kRejected);
  CHECK(c.run.error_what == std::string("rtmp client: play refused (onStatus error)"));
  CHECK(c.run.error_text.find("NetStream.Play.StreamNotFound 'no live/cam1'") != std::string::npos);
  check_all_splits(player_config(), c);
}

TEST_CASE("UnpublishNotify and Play.Stop end the stream: two kEnded events, then state kEnded") {
  Script script;
  script.media = 2;
  script.unpublish = true;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kOk);
  CHECK(c.run.state == ClientState::kEnded);
  REQUIRE(c.run.seen.size() == 9);
  CHECK(c.run.seen[7].event == ClientEvent::kEnded);
  CHECK(c.run.seen[7].code == "NetStream.Play.UnpublishNotify");
  CHECK(c.run.seen[7].description == "stream is now unpublished");
  CHECK(c.run.seen[8].event == ClientEvent::kEnded);
  CHECK(c.run.seen[8].code == "NetStream.Play.Stop");
  check_all_splits(player_config(), c);
}

TEST_CASE("a PingRequest is answered with a PingResponse carrying its timestamp (7.1.7)") {
  Script script;
  script.ping = true;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kOk);
  REQUIRE(c.server->user_controls.size() == 2);
  CHECK(c.server->user_controls[0] ==
        make_user_control(UserControlEvent::kPingResponse, kPingTime));
  check_all_splits(player_config(), c);
}

TEST_CASE("acknowledgements at the server's window, whatever the split (5.4.3)") {
  Script script;
  script.window = 1000;
  script.media = 40;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kOk);
  uint32_t received = static_cast<uint32_t>(c.server_bytes.size());
  REQUIRE(c.server->acks.size() >= (received - kHandshakeBytes) / 1000 - 1);
  check_acks(c.server->acks, received, 1000);
  check_all_splits(player_config(), c);
  for (size_t cut :
       {size_t{0}, size_t{3073}, size_t{4000}, size_t{received / 2}, size_t{received - 1}}) {
    CAPTURE(cut);
    check_acks(decode_client(replay(player_config(), c.server_bytes, cut, 0).out).acks, received,
               1000);
  }
  check_acks(decode_client(replay(player_config(), c.server_bytes, 0, 1).out).acks, received, 1000);
  check_acks(decode_client(replay(player_config(), c.server_bytes, 0, 7).out).acks, received, 1000);
}

TEST_CASE("connect carries tcUrl, app, flashVer and the identity args (debug_srs_upnode)") {
  Conversation c = converse(publisher_config(), Script{});
  const auto* connect = std::get_if<ConnectCommand>(&c.server->commands.front());
  REQUIRE(connect != nullptr);
  CHECK(connect->tc_url == "rtmp://127.0.0.1:1935/live");
  CHECK(connect->app == "live");
  CHECK(connect->flash_ver == "FMLE/3.0 (compatible; FMSc/1.0)");
  REQUIRE(connect->args.size() == 1);
  const Value& a = connect->args[0];
  CHECK(a.get_string("srs_sig") == "SRS");
  CHECK(a.get_string("srs_server") == "SRS/1.0.0(Edge)");
  CHECK(a.get_string("srs_version") == "1.0.0");
  CHECK(a.get_number("srs_pid") == 777);
  CHECK(a.get_string("srs_id") == "edge-ctx-1");
  CHECK(a.get_string("srs_server_ip") == "192.168.1.9");
  CHECK(a.get_string("token") == "abc");
  CHECK(a.get_number("hops") == 2);

  Conversation plain = converse(player_config(), Script{});
  const auto* bare = std::get_if<ConnectCommand>(&plain.server->commands.front());
  REQUIRE(bare != nullptr);
  CHECK(bare->flash_ver == "LNX 9,0,124,2");
  CHECK(bare->args.empty());  // no identity, no extra: no user-arguments object
}

TEST_CASE("the server's identity is parsed from the connect _result (the upstream id)") {
  Conversation c = converse(player_config(), Script{});
  CHECK(c.run.seen[0].event == ClientEvent::kConnected);
  CHECK(c.run.seen[0].code == "srv-ctx-7");
  ClientSession s(player_config(), random_block(1));
  ClientRun run;
  REQUIRE(s.start(&run.out).is_ok());
  feed_piece(s, c.server_bytes.data(), c.server_bytes.size(), {}, run);
  CHECK(s.upstream().sig == "SRS");
  CHECK(s.upstream().server == "SRS/1.0.0(Origin)");
  CHECK(s.upstream().version == "1.0.0");
  CHECK(s.upstream().pid == 4242);
  CHECK(s.upstream().id == "srv-ctx-7");
  CHECK(s.upstream().server_ip == "10.0.0.1");
  CHECK(s.status().code == "NetStream.Play.Start");
}

// ---- Hand-made server bytes: the handshake answer, then chosen chunks.

namespace {

struct Crafted {
  ClientConfig config = player_config();
  Bytes bytes;  // S0 S1 S2 and the chunks
  ChunkWriter writer;

  explicit Crafted(ClientConfig c = player_config()) : config(std::move(c)) {
    ClientSession s(config, random_block(1));
    Bytes c0c1;
    REQUIRE(s.start(&c0c1).is_ok());
    HandshakeServer hs(random_block(7), 99);
    size_t used = 0;
    REQUIRE(hs.feed(c0c1.data(), c0c1.size(), &used) == HandshakeResult::kSendReady);
    bytes.assign(hs.output().begin(), hs.output().end());
  }
  void message(uint32_t csid, uint8_t type, uint32_t sid, const Bytes& payload) {
    MessageHeader h{0, static_cast<uint32_t>(payload.size()), type, sid};
    REQUIRE(writer.append(csid, h, payload, &bytes).is_ok());
  }
  void command(const Bytes& payload) { message(kCsidOverConnection, kTypeCommandAmf0, 0, payload); }
  void connect_result() {
    Bytes p;
    encode_connect_result(p, ConnectResult{});
    command(p);
  }
  void raw(std::initializer_list<uint8_t> b) { bytes.insert(bytes.end(), b); }
};

// Every split of the crafted bytes ends in the same error, after the same events.
ClientRun check_error(const Crafted& c, Errc code, const std::string& what) {
  ClientRun whole = replay(c.config, c.bytes, c.bytes.size(), 0);
  CHECK(whole.error == code);
  CHECK(whole.error_what == what);
  CHECK(whole.state == ClientState::kFailed);
  // The flows above split the handshake everywhere; here its edges and every
  // split of the chunks that matter.
  for (size_t cut = 0; cut <= c.bytes.size(); ++cut) {
    if (cut == 16) cut = kHandshakeBytes - 16;
    ClientRun run = replay(c.config, c.bytes, cut, 0);
    CAPTURE(cut);
    REQUIRE(run.error == code);
    REQUIRE(run.seen == whole.seen);
  }
  CHECK(replay(c.config, c.bytes, 0, 1).error == code);
  return whole;
}

Bytes create_stream_result_with(const Value& id) {
  Bytes p;
  encode_call(p, "_result", 2, {Value::null(), id});
  return p;
}

}  // namespace

TEST_CASE("a truncated connect _result is an error naming the command decoder's cause") {
  Crafted c;
  Bytes p;
  encode_connect_result(p, ConnectResult{});
  p.resize(40);
  c.command(p);
  ClientRun run = check_error(c, Errc::kInvalid,
                              "rtmp client: a command from the server does not decode (7.2)");
  CHECK(run.error_text.find("while in connect") != std::string::npos);
  CHECK(run.error_text.find("amf0") != std::string::npos);
}

TEST_CASE("createStream _result without a usable stream id is an error") {
  for (Value id :
       {Value::string("1"), Value::number(-1), Value::number(1.5), Value::number(std::nan("")),
        Value::number(8589934592.0), Value::number(std::numeric_limits<double>::infinity())}) {
    CAPTURE(srs::proto::amf::to_debug_string(id));
    Crafted c;
    c.connect_result();
    c.command(create_stream_result_with(id));
    check_error(c, Errc::kInvalid,
                "rtmp client: createStream _result without a 32-bit stream id (7.2.1.3)");
  }
}

TEST_CASE("bad chunk streams and control messages from the server are errors, not crashes") {
  SUBCASE("Set Chunk Size 0 (5.4.1)") {
    Crafted c;
    c.message(kCsidProtocolControl, kTypeSetChunkSize, 0, {0, 0, 0, 0});
    ClientRun run = check_error(c, Errc::kInvalid, "rtmp client: bad chunk stream from the server");
    CHECK(run.error_text.find("set chunk size 0") != std::string::npos);
  }
  SUBCASE("a chunk stream that starts with fmt 1 (5.3.1.2)") {
    Crafted c;
    c.raw({0x49, 0, 0, 0, 0, 0, 4, kTypeAudio, 1, 2, 3, 4});
    check_error(c, Errc::kInvalid, "rtmp client: bad chunk stream from the server");
  }
  SUBCASE("a User Control message of one byte (7.1.7)") {
    Crafted c;
    c.message(kCsidProtocolControl, kTypeUserControl, 0, {0});
    check_error(c, Errc::kInvalid, "rtmp client: bad User Control message (RTMP 1.0 7.1.7)");
  }
  SUBCASE("a message over the configured bound is kTooLarge") {
    ClientConfig config = player_config();
    config.limits.max_message_size = 1000;
    Crafted c(config);
    c.message(kCsidVideo, kTypeVideo, 1, Bytes(2000, 0xAB));
    check_error(c, Errc::kTooLarge, "rtmp client: bad chunk stream from the server");
  }
  SUBCASE("S0 with version 9 (5.2.2)") {
    Crafted c;
    c.bytes[0] = 9;
    ClientRun run = check_error(c, Errc::kInvalid, "rtmp client: handshake failed (RTMP 1.0 5.2)");
    CHECK(run.error_text.find("S0 version") != std::string::npos);
  }
}

TEST_CASE("a createStream _error and a publish _error are refusals") {
  Crafted c;
  c.connect_result();
  Bytes p;
  encode_call_error(p, 2, "createStream: too many streams");
  c.command(p);
  ClientRun run = check_error(c, Errc::kRejected, "rtmp client: createStream refused (_error)");
  CHECK(run.error_text.find("too many streams") != std::string::npos);

  Crafted pub(publisher_config());
  pub.connect_result();
  Bytes r;
  encode_create_stream_result(r, 4, 1);
  pub.command(r);
  Bytes e;
  encode_call_error(e, 5, "publish: not allowed");
  pub.message(kCsidOverStream, kTypeCommandAmf0, 1, e);
  check_error(pub, Errc::kRejected, "rtmp client: publish refused (_error)");
}

TEST_CASE("an srs_id sent as a number (SRS 3) is kept as its decimal text") {
  Crafted c;
  Value data = Value::ecma_array();
  data.set("srs_id", Value::number(107));
  data.set("srs_pid", Value::number(31));
  data.set("srs_server", Value::string(std::string(5000, 'x')));  // bounded when kept
  Value info = status_info(StatusCode::kConnectSuccess);
  info.set("data", data);
  Bytes p;
  encode_call(p, "_result", 1, {Value::object(), info});
  c.command(p);
  ClientSession s(c.config, random_block(1));
  ClientRun run;
  REQUIRE(s.start(&run.out).is_ok());
  feed_piece(s, c.bytes.data(), c.bytes.size(), {}, run);
  REQUIRE(events_of(run) == std::vector<ClientEvent>{ClientEvent::kConnected});
  CHECK(s.upstream().id == "107");
  CHECK(s.upstream().pid == 31);
  CHECK(s.upstream().server.size() == 256);
}

TEST_CASE("arbitrary bytes after the handshake end in an error or more need, never a crash") {
  uint32_t x = 99;
  for (int i = 0; i < 2000; ++i) {
    Crafted c;
    size_t n = 1 + i % 300;
    for (size_t k = 0; k < n; ++k) {
      x = x * 1103515245u + 12345u;
      c.bytes.push_back(static_cast<uint8_t>(x >> 16));
    }
    ClientRun run = replay(c.config, c.bytes, c.bytes.size() / 2, i % 5);
    CHECK((run.error == Errc::kOk || !run.error_what.empty()));
  }
}

TEST_CASE("write_media gives the same bytes as send_media, without copying the payload") {
  Script script;
  auto live = [](const ClientConfig& config, const Bytes& server_bytes) {
    auto s = std::make_unique<ClientSession>(config, random_block(1));
    ClientRun run;
    REQUIRE(s->start(&run.out).is_ok());
    feed_piece(*s, server_bytes.data(), server_bytes.size(), {}, run);
    REQUIRE(s->state() == ClientState::kLive);
    return s;
  };
  ClientConfig config = publisher_config();
  config.chunk_size = 128;  // several chunks
  Conversation c = converse(config, script);
  auto a = live(config, c.server_bytes);
  auto b = live(config, c.server_bytes);
  Bytes payload = media_payload(3, 700);
  Bytes copied;
  REQUIRE(a->send_media(kTypeVideo, 80, payload, &copied).is_ok());
  std::vector<uint8_t> scratch(b->header_space(700));
  std::vector<iovec> iov(b->iovec_space(700));
  std::span<const uint8_t> first(payload.data(), 300), second(payload.data() + 300, 400);
  auto n = b->write_media(kTypeVideo, 80, first, second, scratch.data(), scratch.size(), iov.data(),
                          iov.size());
  REQUIRE(n.is_ok());
  Bytes gathered;
  for (size_t i = 0; i < *n; ++i) {
    const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    gathered.insert(gathered.end(), p, p + iov[i].iov_len);
  }
  CHECK(gathered == copied);
}

TEST_CASE("misuse is a Status, not undefined behaviour") {
  Bytes out;
  SUBCASE("feed() before start()") {
    ClientSession s(player_config(), random_block(1));
    size_t used = 0;
    uint8_t byte = 3;
    CHECK(s.feed(&byte, 1, &used, &out) == ClientResult::kError);
    CHECK(s.error().code() == Errc::kInvalid);
  }
  SUBCASE("start() twice") {
    ClientSession s(player_config(), random_block(1));
    REQUIRE(s.start(&out).is_ok());
    CHECK(out.size() == 1 + kHandshakeSize);
    CHECK_FALSE(s.start(&out).is_ok());
  }
  SUBCASE("no stream name, or connect arguments too large") {
    ClientConfig config = player_config();
    config.stream.clear();
    ClientSession s(config, random_block(1));
    CHECK(s.start(&out).code() == Errc::kInvalid);
    CHECK(s.state() == ClientState::kFailed);
    ClientConfig big = player_config();
    for (int i = 0; i < 40; ++i) {
      big.args.push_back({"k" + std::to_string(i), Value::string(std::string(2000, 'v'))});
    }
    ClientSession t(big, random_block(1));
    CHECK(t.start(&out).code() == Errc::kTooLarge);
  }
  SUBCASE("media before publishing, from a player, or of another type") {
    ClientSession s(publisher_config(), random_block(1));
    REQUIRE(s.start(&out).is_ok());
    CHECK(s.send_media(kTypeVideo, 0, Bytes(10), &out).code() == Errc::kInvalid);
    Conversation c = converse(player_config(), Script{});
    ClientSession p(player_config(), random_block(1));
    ClientRun run;
    REQUIRE(p.start(&run.out).is_ok());
    feed_piece(p, c.server_bytes.data(), c.server_bytes.size(), {}, run);
    REQUIRE(p.state() == ClientState::kLive);
    CHECK(p.send_media(kTypeVideo, 0, Bytes(10), &out).code() == Errc::kInvalid);
  }
  SUBCASE("a command type as media") {
    Conversation c = converse(publisher_config(), Script{});
    ClientSession s(publisher_config(), random_block(1));
    ClientRun run;
    REQUIRE(s.start(&run.out).is_ok());
    feed_piece(s, c.server_bytes.data(), c.server_bytes.size(), {}, run);
    REQUIRE(s.state() == ClientState::kLive);
    CHECK(s.send_media(kTypeCommandAmf0, 0, Bytes(10), &out).code() == Errc::kInvalid);
    CHECK(s.send_media(kTypeAudio, 0, Bytes(10), &out).is_ok());
  }
}
