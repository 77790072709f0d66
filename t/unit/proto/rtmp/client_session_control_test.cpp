// What a ClientSession does in any phase: PingRequest answered, acknowledgements at
// the server's window; bad chunk streams, control messages and random bytes from the
// server end in an error; misuse of its API is a Status.
#include "proto/rtmp/client_session.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "t/unit/proto/rtmp/client_session_test_util.hpp"

using namespace srs::proto::rtmp;
using namespace srs::proto::rtmp::test::session;
using srs::base::Errc;
using srs::proto::amf::Value;

namespace {

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

}  // namespace

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
