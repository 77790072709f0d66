// Protocol control and User Control payloads: exact bytes both ways.
#include "proto/rtmp/message.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace srs::proto::rtmp;

namespace {

std::vector<uint8_t> encode(const ControlMessage& m) {
  uint8_t buf[kControlMaxPayload];
  size_t n = encode_control(m, buf);
  return {buf, buf + n};
}

std::vector<uint8_t> encode(const UserControl& m) {
  uint8_t buf[kUserControlMaxPayload];
  size_t n = encode_user_control(m, buf);
  return {buf, buf + n};
}

}  // namespace

TEST_CASE("protocol control messages encode to the RTMP 1.0 5.4 layouts and decode back") {
  struct Case {
    ControlMessage msg;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases = {
      {make_set_chunk_size(4096), {0x00, 0x00, 0x10, 0x00}},
      {make_abort(7), {0x00, 0x00, 0x00, 0x07}},
      {make_ack(0xFFFFFFFF), {0xFF, 0xFF, 0xFF, 0xFF}},
      {make_window_ack_size(2500000), {0x00, 0x26, 0x25, 0xA0}},
      {make_set_peer_bandwidth(2500000, LimitType::kDynamic), {0x00, 0x26, 0x25, 0xA0, 0x02}},
      {make_set_peer_bandwidth(5000000, LimitType::kSoft), {0x00, 0x4C, 0x4B, 0x40, 0x01}},
  };
  for (const Case& c : cases) {
    CAPTURE(int(c.msg.type_id));
    CHECK(encode(c.msg) == c.bytes);
    auto back = decode_control(c.msg.type_id, c.bytes);
    REQUIRE(back.is_ok());
    CHECK(*back == c.msg);
  }
}

TEST_CASE(
    "protocol control decoding rejects short payloads, bad limit types and the chunk size top "
    "bit") {
  const uint8_t three[] = {0, 0, 1};
  CHECK_FALSE(decode_control(kTypeAck, three).is_ok());
  const uint8_t four[] = {0, 0, 1, 0};
  CHECK_FALSE(decode_control(kTypeSetPeerBandwidth, four).is_ok());
  const uint8_t bad_limit[] = {0, 0, 1, 0, 3};
  CHECK_FALSE(decode_control(kTypeSetPeerBandwidth, bad_limit).is_ok());
  const uint8_t top_bit[] = {0x80, 0, 0, 1};
  auto r = decode_control(kTypeSetChunkSize, top_bit);
  REQUIRE_FALSE(r.is_ok());
  CHECK(std::string(r.status().what()).find("top bit") != std::string::npos);
  CHECK_FALSE(decode_control(kTypeAudio, four).is_ok());
  uint8_t buf[kControlMaxPayload];
  CHECK(encode_control({kTypeVideo, 1}, buf) == 0);
  // Encoding masks the reserved top bit of Set Chunk Size.
  CHECK(encode(make_set_chunk_size(0xFFFFFFFF)) == std::vector<uint8_t>{0x7F, 0xFF, 0xFF, 0xFF});
}

TEST_CASE("every User Control event encodes to RTMP 1.0 7.1.7 and decodes back") {
  struct Case {
    UserControl msg;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases = {
      {make_user_control(UserControlEvent::kStreamBegin, 1), {0, 0, 0, 0, 0, 1}},
      {make_user_control(UserControlEvent::kStreamEof, 1), {0, 1, 0, 0, 0, 1}},
      {make_user_control(UserControlEvent::kStreamDry, 2), {0, 2, 0, 0, 0, 2}},
      {make_user_control(UserControlEvent::kSetBufferLength, 1, 3000),
       {0, 3, 0, 0, 0, 1, 0, 0, 0x0B, 0xB8}},
      {make_user_control(UserControlEvent::kStreamIsRecorded, 1), {0, 4, 0, 0, 0, 1}},
      {make_user_control(UserControlEvent::kPingRequest, 0x01020304), {0, 6, 1, 2, 3, 4}},
      {make_user_control(UserControlEvent::kPingResponse, 0xFFFFFFFF),
       {0, 7, 0xFF, 0xFF, 0xFF, 0xFF}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.msg.event);
    CHECK(encode(c.msg) == c.bytes);
    auto back = decode_user_control(c.bytes);
    REQUIRE(back.is_ok());
    CHECK(*back == c.msg);
  }
}

TEST_CASE("User Control decoding: short known events fail, unknown events pass through") {
  const uint8_t short_begin[] = {0, 0, 0, 1};
  CHECK_FALSE(decode_user_control(short_begin).is_ok());
  const uint8_t short_buffer[] = {0, 3, 0, 0, 0, 1};
  CHECK_FALSE(decode_user_control(short_buffer).is_ok());
  const uint8_t one[] = {0};
  CHECK_FALSE(decode_user_control(one).is_ok());
  const uint8_t buffer_empty[] = {0, 0x1F, 0, 0, 0, 1};  // FMS "buffer empty"
  auto r = decode_user_control(buffer_empty);
  REQUIRE(r.is_ok());
  CHECK(r->event == 0x1F);
  CHECK(r->value == 1);
  const uint8_t bare_unknown[] = {0, 0x1A};
  REQUIRE(decode_user_control(bare_unknown).is_ok());
}
