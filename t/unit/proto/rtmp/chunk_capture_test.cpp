// Golden tests: real sessions between ffmpeg/rtmpdump and nginx-rtmp,
// recorded by t/data/captures/chunk_capture.py, parsed by our handshake and chunk
// reader. Checks message types and counts (AMF content is proto/amf's).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "proto/rtmp/aggregate.hpp"
#include "proto/rtmp/chunk_reader.hpp"
#include "proto/rtmp/chunk_writer.hpp"
#include "proto/rtmp/handshake.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

using namespace srs::proto::rtmp;
using srs::proto::rtmp::test::load_data;
using srs::proto::rtmp::test::read_all;
using srs::proto::rtmp::test::ReadAll;
using srs::proto::rtmp::test::Received;
using Bytes = std::vector<uint8_t>;

namespace {

// The AMF0 string that starts a command or data message (marker 0x02, u16 length).
std::string first_string(const Received& m) {
  if (m.payload.size() < 3 || m.payload[0] != 0x02) return "";
  size_t n = size_t{m.payload[1]} << 8 | m.payload[2];
  if (m.payload.size() < 3 + n) return "";
  return std::string(m.payload.begin() + 3, m.payload.begin() + 3 + n);
}

// Skips the handshake of one direction with our own handshake code.
Bytes chunk_bytes_from_client(const Bytes& c2s) {
  Bytes random(kHandshakeSize, 7);
  HandshakeServer hs(random, 0);
  size_t pos = 0;
  for (;;) {
    size_t used = 0;
    HandshakeResult r = hs.feed(c2s.data() + pos, c2s.size() - pos, &used);
    pos += used;
    if (r == HandshakeResult::kDone) break;
    REQUIRE(r != HandshakeResult::kError);
    REQUIRE(r != HandshakeResult::kNeedMore);
  }
  return Bytes(c2s.begin() + pos, c2s.end());
}

Bytes chunk_bytes_from_server(const Bytes& s2c) {
  Bytes random(kHandshakeSize, 9);
  HandshakeClient hs(random, 0);
  size_t used = 0;
  REQUIRE(hs.feed(s2c.data(), s2c.size(), &used) == HandshakeResult::kDone);
  return Bytes(s2c.begin() + used, s2c.end());
}

std::map<uint8_t, int> count_types(const std::vector<Received>& msgs) {
  std::map<uint8_t, int> n;
  for (const auto& m : msgs) ++n[m.header.type_id];
  return n;
}

}  // namespace

TEST_CASE("golden: ffmpeg publishing to nginx-rtmp parses into the FMLE publish sequence") {
  Bytes c2s = load_data("t/data/captures/chunk_ffmpeg_publish_c2s.bin");
  REQUIRE(c2s.size() > 10000);
  Bytes chunks = chunk_bytes_from_client(c2s);
  ChunkReader whole;
  ReadAll got = read_all(whole, chunks);
  REQUIRE_FALSE(got.error);
  std::vector<std::string> commands;
  for (const auto& m : got.messages) {
    if (m.header.type_id == kTypeCommandAmf0 || m.header.type_id == kTypeDataAmf0) {
      commands.push_back(first_string(m));
    }
  }
  REQUIRE(commands.size() >= 6);
  CHECK(commands[0] == "connect");
  CHECK(commands[1] == "releaseStream");
  CHECK(commands[2] == "FCPublish");
  CHECK(commands[3] == "createStream");
  CHECK(commands[4] == "publish");
  CHECK(commands[5] == "@setDataFrame");
  auto n = count_types(got.messages);
  CHECK(n[kTypeSetChunkSize] == 1);
  CHECK(whole.chunk_size() == 4096);  // ffmpeg's choice, applied while parsing
  // 3 s at 25 fps; AAC at 44.1 kHz is 43 frames a second; plus a sequence
  // header each. The capture ends where ffmpeg stopped, so allow a little.
  CHECK(n[kTypeVideo] >= 70);
  CHECK(n[kTypeVideo] <= 80);
  CHECK(n[kTypeAudio] >= 120);
  CHECK(n[kTypeAudio] <= 135);
  // Media goes on the stream createStream returned; commands before it on 0.
  for (const auto& m : got.messages) {
    if (m.header.type_id == kTypeVideo) CHECK(m.header.stream_id == 1);
  }
  // Video timestamps never go back and advance by 40 ms per frame on average.
  uint32_t first = 0, last = 0;
  bool seen = false;
  for (const auto& m : got.messages) {
    if (m.header.type_id != kTypeVideo) continue;
    if (seen) CHECK(m.header.timestamp >= last);
    if (!seen) first = m.header.timestamp;
    last = m.header.timestamp;
    seen = true;
  }
  CHECK(last - first >= 2700);
  CHECK(last - first <= 3100);
  // The same messages when fed 1 byte and 1000 bytes at a time.
  for (size_t piece : {size_t{1}, size_t{1000}}) {
    ChunkReader r;
    CHECK(read_all(r, chunks, piece).messages == got.messages);
  }
}

TEST_CASE("golden: nginx-rtmp's replies to ffmpeg parse (window, bandwidth, chunk size, _result)") {
  Bytes s2c = load_data("t/data/captures/chunk_ffmpeg_publish_s2c.bin");
  Bytes chunks = chunk_bytes_from_server(s2c);
  ChunkReader r;
  ReadAll got = read_all(r, chunks);
  REQUIRE_FALSE(got.error);
  auto n = count_types(got.messages);
  CHECK(n[kTypeWindowAckSize] == 1);
  CHECK(n[kTypeSetPeerBandwidth] == 1);
  CHECK(n[kTypeSetChunkSize] == 1);
  CHECK(n[kTypeCommandAmf0] >= 3);  // _result (connect), _result (createStream), onStatus
  CHECK(r.peer_window() > 0);
  bool publish_start = false;
  for (const auto& m : got.messages) {
    std::string text(m.payload.begin(), m.payload.end());
    if (text.find("NetStream.Publish.Start") != std::string::npos) publish_start = true;
  }
  CHECK(publish_start);
}

TEST_CASE("golden: rtmpdump playing from nginx-rtmp, both directions") {
  Bytes c2s = load_data("t/data/captures/chunk_rtmpdump_play_c2s.bin");
  Bytes s2c = load_data("t/data/captures/chunk_rtmpdump_play_s2c.bin");
  REQUIRE(s2c.size() > 10000);
  {
    ChunkReader r;
    ReadAll got = read_all(r, chunk_bytes_from_client(c2s));
    REQUIRE_FALSE(got.error);
    std::vector<std::string> commands;
    for (const auto& m : got.messages) {
      if (m.header.type_id == kTypeCommandAmf0) commands.push_back(first_string(m));
    }
    REQUIRE(commands.size() >= 3);
    CHECK(commands[0] == "connect");
    CHECK(std::find(commands.begin(), commands.end(), "createStream") != commands.end());
    CHECK(std::find(commands.begin(), commands.end(), "play") != commands.end());
  }
  Bytes chunks = chunk_bytes_from_server(s2c);
  ChunkReader r;
  ReadAll got = read_all(r, chunks);
  REQUIRE_FALSE(got.error);
  auto n = count_types(got.messages);
  CHECK(n[kTypeUserControl] >= 1);  // StreamBegin
  CHECK(n[kTypeVideo] >= 20);
  CHECK(n[kTypeAudio] >= 40);
  bool stream_begin = false;
  for (const auto& m : got.messages) {
    if (m.header.type_id != kTypeUserControl) continue;
    auto uc = decode_user_control(m.payload);
    REQUIRE(uc.is_ok());
    if (uc->event == uint16_t(UserControlEvent::kStreamBegin)) stream_begin = true;
  }
  CHECK(stream_begin);
  for (const auto& m : got.messages) {
    if (m.header.type_id == kTypeAggregate) {
      AggregateReader agg({m.header, m.csid, m.payload});
      Message sub;
      while (agg.next(&sub) == AggregateResult::kMessage) {
      }
      CHECK(agg.error().is_ok());
    }
  }
  ChunkReader bytewise;
  CHECK(read_all(bytewise, chunks, 1).messages == got.messages);

  // Our writer re-chunks nginx's messages into a stream that parses back the same.
  ChunkWriter w;
  Bytes again;
  for (const auto& m : got.messages) {
    REQUIRE(w.append(m.csid, m.header, m.payload, &again).is_ok());
    if (m.header.type_id == kTypeSetChunkSize) {
      w.set_chunk_size(decode_control(kTypeSetChunkSize, m.payload).value().value);
    }
  }
  ChunkReader back;
  CHECK(read_all(back, again, 1000).messages == got.messages);
}
