// media_record_of as the RTMP publisher uses it: audio and video bodies as
// they are, onMetaData (with @setDataFrame, and in the AMF3 data form)
// re-encoded as the AMF0 value players get, and everything else not media.
#include "worker/stream/rtmp_media.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/rtmp/command_writer.hpp"
#include "t/unit/proto/rtmp/amf_builder.hpp"
#include "t/unit/proto/ts/ts_test_util.hpp"

using namespace srs;
using srs::test::AmfBytes;
using srs::worker::media_record_of;
using srs::worker::MediaKind;
using srs::worker::MediaRecord;

namespace rtmp = srs::proto::rtmp;

namespace {

rtmp::Message message(uint8_t type, uint32_t ts, const std::vector<uint8_t>& payload) {
  rtmp::Message m;
  m.header = {ts, uint32_t(payload.size()), type, 1};
  m.csid = 4;
  m.payload = payload;
  return m;
}

std::vector<uint8_t> as_vector(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

// The metadata value, after the name: ECMA array {width 1280, encoder "unit"}.
AmfBytes& metadata_value(AmfBytes& b) {
  return b.ecma(2).key("width").num(1280).key("encoder").str("unit").end();
}

// What a player gets: "onMetaData" then the value.
std::vector<uint8_t> player_metadata() {
  AmfBytes b;
  b.str("onMetaData");
  return metadata_value(b).b;
}

}  // namespace

TEST_CASE("rtmp media: audio and video bodies are records as they are") {
  auto aac = test::ts::aac_frame(20);
  // An AVC keyframe: FrameType 1, CodecID 7, NALU, cts 0, one 4-byte-length IDR NAL unit.
  const std::vector<uint8_t> avc = {0x17, 0x01, 0, 0, 0, 0, 0, 0, 3, 0x65, 0x88, 0x84};
  MediaRecord r;
  std::string scratch;
  REQUIRE(media_record_of(message(rtmp::kTypeAudio, 1234, aac), &r, &scratch));
  CHECK(r.kind == MediaKind::kAudio);
  CHECK(r.timestamp == 1234);
  CHECK(r.body.data() == aac.data());  // not copied
  CHECK(r.body.size() == aac.size());

  REQUIRE(media_record_of(message(rtmp::kTypeVideo, 0xFFFFFFF0u, avc), &r, &scratch));
  CHECK(r.kind == MediaKind::kVideo);
  CHECK(r.timestamp == 0xFFFFFFF0u);
  CHECK(as_vector(r.body) == avc);
}

TEST_CASE("rtmp media: @setDataFrame onMetaData becomes the onMetaData players get") {
  AmfBytes in;
  in.str("@setDataFrame").str("onMetaData");
  metadata_value(in);
  MediaRecord r;
  std::string scratch;
  REQUIRE(media_record_of(message(rtmp::kTypeDataAmf0, 0, in.b), &r, &scratch));
  CHECK(r.kind == MediaKind::kMetadata);
  CHECK(r.timestamp == 0);
  CHECK(as_vector(r.body) == player_metadata());
  CHECK(r.body.data() == reinterpret_cast<const uint8_t*>(scratch.data()));  // held by scratch
}

TEST_CASE("rtmp media: the AMF3 data form (type 15) of onMetaData, without @setDataFrame") {
  AmfBytes in;
  in.raw({0x00}).str("onMetaData");  // 7.1.2: one format byte, then AMF0
  metadata_value(in);
  MediaRecord r;
  std::string scratch;
  REQUIRE(media_record_of(message(rtmp::kTypeDataAmf3, 40, in.b), &r, &scratch));
  CHECK(r.kind == MediaKind::kMetadata);
  CHECK(r.timestamp == 40);
  CHECK(as_vector(r.body) == player_metadata());
}

TEST_CASE("rtmp media: data that is not onMetaData, a command or a bad body are not media") {
  MediaRecord r;
  std::string scratch;
  AmfBytes cue;
  cue.str("onCuePoint").obj().key("name").str("ad").end();
  CHECK_FALSE(media_record_of(message(rtmp::kTypeDataAmf0, 0, cue.b), &r, &scratch));
  AmfBytes frame_cue;
  frame_cue.str("@setDataFrame").str("onTextData").obj().end();
  CHECK_FALSE(media_record_of(message(rtmp::kTypeDataAmf0, 0, frame_cue.b), &r, &scratch));
  AmfBytes truncated;
  truncated.str("onMetaData").raw({0x08, 0x00});  // an ECMA array cut short
  CHECK_FALSE(media_record_of(message(rtmp::kTypeDataAmf0, 0, truncated.b), &r, &scratch));

  std::vector<uint8_t> play;
  rtmp::encode_play(play, 4, "cam");
  CHECK_FALSE(media_record_of(message(rtmp::kTypeCommandAmf0, 0, play), &r, &scratch));
  // A command named onMetaData is still a command.
  std::vector<uint8_t> named = player_metadata();
  CHECK_FALSE(media_record_of(message(rtmp::kTypeCommandAmf0, 0, named), &r, &scratch));
  const uint8_t ack[] = {0, 0, 1, 0};
  CHECK_FALSE(
      media_record_of(message(rtmp::kTypeAck, 0, {std::begin(ack), std::end(ack)}), &r, &scratch));
}
