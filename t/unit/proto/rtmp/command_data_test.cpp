// decode_data: @setDataFrame/onMetaData as encoders send it, the payload players
// get (without @setDataFrame), plain onMetaData, other data names, the AMF3 form.
#include "proto/rtmp/command_data.hpp"

#include <doctest/doctest.h>

#include "proto/amf/amf0_reader.hpp"
#include "t/unit/proto/amf/hex.hpp"
#include "t/unit/proto/rtmp/amf_builder.hpp"

namespace srs::proto::rtmp {
namespace {

using test::AmfBytes;

DataMessage decode_ok(const AmfBytes& b, bool amf3 = false) {
  auto r = decode_data(b.data(), b.size(), amf3);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return r.value();
}

AmfBytes metadata_body(uint32_t ecma_count) {
  AmfBytes b;
  b.ecma(ecma_count).key("duration").num(0).key("width").num(1280).key("height").num(720);
  b.key("encoder").str("Lavf59.27.100").end();
  return b;
}

TEST_CASE("data: @setDataFrame onMetaData from ffmpeg/OBS keeps metadata, drops the prefix") {
  AmfBytes body = metadata_body(13);  // ffmpeg's count; the array holds 4: the marker wins
  AmfBytes b;
  b.str("@setDataFrame").str("onMetaData");
  b.b.insert(b.b.end(), body.b.begin(), body.b.end());
  DataMessage m = decode_ok(b);
  CHECK(m.set_data_frame);
  CHECK(m.is_metadata());
  REQUIRE(m.metadata() != nullptr);
  CHECK(m.metadata()->get_number("width") == 1280);
  CHECK(m.metadata()->get_string("encoder") == "Lavf59.27.100");
  // Players get "onMetaData" + the ECMA array (count corrected to 4), nothing else.
  AmfBytes expected;
  expected.str("onMetaData");
  AmfBytes fixed = metadata_body(4);
  expected.b.insert(expected.b.end(), fixed.b.begin(), fixed.b.end());
  CHECK(test::to_hex(m.player_payload) == test::to_hex(expected.b));
}

TEST_CASE("data: plain onMetaData with an object, and other data names") {
  AmfBytes b;
  b.str("onMetaData").obj().key("framerate").num(25).end();
  DataMessage m = decode_ok(b);
  CHECK_FALSE(m.set_data_frame);
  CHECK(m.metadata()->get_number("framerate") == 25);
  CHECK(test::to_hex(m.player_payload) == test::to_hex(b.b));

  AmfBytes sa;
  sa.str("|RtmpSampleAccess").boolean(true).boolean(true);
  DataMessage s = decode_ok(sa);
  CHECK(s.name == "|RtmpSampleAccess");
  CHECK_FALSE(s.is_metadata());
  CHECK(s.metadata() == nullptr);
  CHECK(s.values.size() == 2);

  AmfBytes text;
  text.str("@setDataFrame").str("onTextData").obj().key("text").str("hi").end();
  DataMessage t = decode_ok(text);
  CHECK(t.name == "onTextData");
  CHECK(t.set_data_frame);
}

TEST_CASE("data: the AMF3 form (type 15) and errors") {
  AmfBytes b;
  b.raw({0x00}).str("@setDataFrame").str("onMetaData");
  b.raw({0x11, 0x0A, 0x0B, 0x01, 0x0B, 'w', 'i', 'd', 't', 'h', 0x04, 0x85, 0x00, 0x01});
  DataMessage m = decode_ok(b, true);
  CHECK(m.metadata()->get_number("width") == 640);
  CHECK(m.player_payload.substr(0, 13) == std::string("\x02\x00\x0aonMetaData", 13));

  AmfBytes bad_name, no_name, bad_frame;
  bad_name.num(1);
  no_name.str("@setDataFrame");
  bad_frame.str("@setDataFrame").num(3);
  CHECK(std::string(decode_data(bad_name.data(), bad_name.size(), false).status().what()) ==
        "data: name is not a string");
  CHECK(std::string(decode_data(no_name.data(), no_name.size(), false).status().what()) ==
        "data: @setDataFrame without a name");
  CHECK(std::string(decode_data(bad_frame.data(), bad_frame.size(), false).status().what()) ==
        "data: @setDataFrame without a name");
}

TEST_CASE("data: truncated metadata says truncated") {
  AmfBytes b;
  b.str("@setDataFrame").str("onMetaData");
  AmfBytes body = metadata_body(4);
  b.b.insert(b.b.end(), body.b.begin(), body.b.end());
  size_t whole_from = 13 + 3 + 10 + 3;  // after the two names: only the array can be cut
  for (size_t cut = whole_from + 1; cut < b.size(); ++cut) {
    auto r = decode_data(b.data(), cut, false);
    INFO("cut at " << cut);
    REQUIRE_FALSE(r.is_ok());
    CHECK(std::string(r.status().what()).find("truncated") != std::string::npos);
  }
}

}  // namespace
}  // namespace srs::proto::rtmp
