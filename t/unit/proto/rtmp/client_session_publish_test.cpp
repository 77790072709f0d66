// ClientSession as a publisher against the scripted server: the FMLE flow, then
// @setDataFrame and media; a refused publish; write_media's gathered output.
#include "proto/rtmp/client_session.hpp"

#include <doctest/doctest.h>
#include <sys/uio.h>

#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_data.hpp"
#include "t/unit/proto/rtmp/client_session_test_util.hpp"

using namespace srs::proto::rtmp;
using namespace srs::proto::rtmp::test::session;
using srs::base::Errc;
using srs::proto::amf::Value;

namespace {

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
