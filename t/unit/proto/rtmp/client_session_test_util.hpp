// Helpers shared by the client_session_*_test.cpp files: a scripted server made
// of the project's own server-side pieces, the client's run against it and its
// replay at every split, and hand-made server bytes (Crafted, check_error).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "proto/rtmp/client_session.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

namespace srs::proto::rtmp::test::session {

using namespace srs::proto::rtmp;
using srs::base::Errc;
using srs::proto::amf::Property;
using srs::proto::amf::Value;
using srs::proto::rtmp::test::Received;

using Bytes = std::vector<uint8_t>;

constexpr size_t kHandshakeBytes = 1 + 2 * kHandshakeSize;  // C0 C1 C2, or S0 S1 S2
constexpr uint32_t kPingTime = 12345;

inline Bytes random_block(uint8_t seed) {
  Bytes r(kHandshakeSize);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : r) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return r;
}

inline ClientConfig player_config() {
  ClientConfig c;
  c.role = ClientRole::kPlay;
  c.tc_url = "rtmp://127.0.0.1:1935/live";
  c.app = "live";
  c.stream = "cam1";
  c.chunk_size = kDefaultChunkSize;
  c.window_ack_size = 0;
  return c;
}

inline ClientConfig publisher_config() {
  ClientConfig c = player_config();
  c.role = ClientRole::kPublish;
  c.chunk_size = 60000;
  c.window_ack_size = 2500000;
  c.identity = {"SRS", "SRS/1.0.0(Edge)", "1.0.0", 777, "edge-ctx-1", "192.168.1.9"};
  c.args = {Property{"token", Value::string("abc")}, Property{"hops", Value::number(2)}};
  return c;
}

inline Bytes media_payload(int i, size_t size) {
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

inline Seen seen_of(const ClientSession& s) {
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

inline void feed_piece(ClientSession& s, const uint8_t* p, size_t n, const Reaction& react,
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

// ---- Each flow is played once in lockstep (the client's bytes to the server,
// the server's answer back), which records every byte the server sent. Then the
// recording is fed again to fresh sessions, cut in two at every offset and
// one byte at a time: the events, the error and the messages the client sends
// (acknowledgements aside, whose place depends on the cut by design) must be
// the same every time.

struct Conversation {
  std::unique_ptr<ScriptedServer> server;
  Bytes server_bytes;  // everything the server sent, in order
  ClientRun run;
};

inline Conversation converse(const ClientConfig& config, const Script& script,
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
inline ClientRun replay(const ClientConfig& config, const Bytes& bytes, size_t cut, size_t step,
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

inline ClientSent decode_client(const Bytes& out) {
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

inline void check_all_splits(const ClientConfig& config, const Conversation& c,
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

inline std::vector<ClientEvent> events_of(const ClientRun& run) {
  std::vector<ClientEvent> out;
  for (const Seen& s : run.seen) out.push_back(s.event);
  return out;
}

inline std::vector<std::string> command_names(const ScriptedServer& server) {
  std::vector<std::string> out;
  for (const Command& c : server.commands) out.push_back(command_name(c));
  return out;
}

// ---- Hand-made server bytes: the handshake answer, then chosen chunks.

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
inline ClientRun check_error(const Crafted& c, Errc code, const std::string& what) {
  ClientRun whole = replay(c.config, c.bytes, c.bytes.size(), 0);
  CHECK(whole.error == code);
  CHECK(whole.error_what == what);
  CHECK(whole.state == ClientState::kFailed);
  // The scripted flows (check_all_splits) split the handshake everywhere; here
  // its edges and every split of the chunks that matter.
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

}  // namespace srs::proto::rtmp::test::session
