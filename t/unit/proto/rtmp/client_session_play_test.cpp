// ClientSession as a player against the scripted server: createStream, play and
// SetBufferLength, every message handed out in order; a refused play; the end.
#include "proto/rtmp/client_session.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

#include "proto/rtmp/command.hpp"
#include "t/unit/proto/rtmp/client_session_test_util.hpp"

using namespace srs::proto::rtmp;
using namespace srs::proto::rtmp::test::session;
using srs::base::Errc;
using srs::proto::rtmp::test::Received;

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
