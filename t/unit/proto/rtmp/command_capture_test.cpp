// Real bytes: AMF command and data payloads captured between ffmpeg 5.1 /
// rtmpdump 2.4 and nginx-rtmp 1.2.2 (t/data/captures/*.amf, recorded with
// t/data/captures/amf_capture.py), replayed through the decoders.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "proto/amf/amf0_reader.hpp"
#include "proto/amf/amf0_writer.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_data.hpp"

namespace srs::proto::rtmp {
namespace {

struct Record {
  uint8_t type;
  std::vector<uint8_t> payload;
};

std::string capture_path(const char* name) {
  std::string here = __FILE__;  // t/unit/proto/rtmp/command_capture_test.cpp
  return here.substr(0, here.rfind("t/unit/")) + "t/data/captures/" + name;
}

// Records of [u8 type][u32 big-endian length][payload].
std::vector<Record> load(const char* name) {
  std::vector<Record> out;
  std::FILE* f = std::fopen(capture_path(name).c_str(), "rb");
  REQUIRE_MESSAGE(f != nullptr, "missing capture " << capture_path(name));
  std::vector<uint8_t> all;
  uint8_t buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) all.insert(all.end(), buf, buf + n);
  std::fclose(f);
  for (size_t pos = 0; pos + 5 <= all.size();) {
    uint32_t len = base::load_be32(&all[pos + 1]);
    REQUIRE(pos + 5 + len <= all.size());
    out.push_back(
        {all[pos], std::vector<uint8_t>(all.begin() + pos + 5, all.begin() + pos + 5 + len)});
    pos += 5 + len;
  }
  return out;
}

bool is_command(const Record& r) {
  return r.type == kMsgAmf0Command || r.type == kMsgAmf3Command;
}
bool amf3_form(const Record& r) {
  return r.type == kMsgAmf3Command || r.type == kMsgAmf3Data;
}

// The name of every message, decoding each one (commands and data alike).
std::vector<std::string> names_of(const std::vector<Record>& recs) {
  std::vector<std::string> names;
  for (const Record& r : recs) {
    if (is_command(r)) {
      auto c = decode_command(r.payload.data(), r.payload.size(), amf3_form(r));
      REQUIRE_MESSAGE(c.is_ok(), c.status().to_string());
      names.push_back(command_name(c.value()));
      continue;
    }
    auto d = decode_data(r.payload.data(), r.payload.size(), amf3_form(r));
    REQUIRE_MESSAGE(d.is_ok(), d.status().to_string());
    names.push_back((d->set_data_frame ? "@setDataFrame " : "") + d->name);
  }
  return names;
}

template <typename T>
T command_at(const std::vector<Record>& recs, size_t i) {
  auto c = decode_command(recs.at(i).payload.data(), recs.at(i).payload.size(), false);
  REQUIRE(c.is_ok());
  const T* t = std::get_if<T>(&c.value());
  REQUIRE(t != nullptr);
  return *t;
}

TEST_CASE("capture: ffmpeg 5.1 publishing to nginx-rtmp") {
  std::vector<Record> c2s = load("ffmpeg51_publish.c2s.amf");
  CHECK(names_of(c2s) ==
        std::vector<std::string>{"connect", "releaseStream", "FCPublish", "createStream", "publish",
                                 "@setDataFrame onMetaData", "FCUnpublish", "deleteStream"});
  ConnectCommand c = command_at<ConnectCommand>(c2s, 0);
  CHECK(c.app == "live");
  CHECK(c.tc_url == "rtmp://127.0.0.1:19352/live");
  CHECK(c.flash_ver.rfind("FMLE/3.0 (compatible; Lavf", 0) == 0);
  PublishCommand p = command_at<PublishCommand>(c2s, 4);
  CHECK(p.name == "cam1");
  CHECK(p.type == "live");
  auto meta = decode_data(c2s[5].payload.data(), c2s[5].payload.size(), false);
  REQUIRE(meta.is_ok());
  CHECK(meta->metadata()->get_number("width") == 320);
  CHECK(meta->metadata()->get_number("height") == 240);
  CHECK(meta->metadata()->get_number("framerate") == 25);

  std::vector<Record> s2c = load("ffmpeg51_publish.s2c.amf");
  CHECK(names_of(s2c) == std::vector<std::string>{"_result", "_result", "onStatus", "onStatus"});
  ResultCommand r = command_at<ResultCommand>(s2c, 0);
  CHECK(r.info()->get_string("code") == "NetConnection.Connect.Success");
  CHECK(command_at<OnStatusCommand>(s2c, 2).code() == "NetStream.Publish.Start");
}

TEST_CASE("capture: rtmpdump 2.4 playing from nginx-rtmp") {
  std::vector<Record> c2s = load("rtmpdump24_play.c2s.amf");
  CHECK(names_of(c2s) ==
        std::vector<std::string>{"connect", "createStream", "FCSubscribe", "play", "deleteStream"});
  ConnectCommand c = command_at<ConnectCommand>(c2s, 0);
  CHECK(c.flash_ver == "LNX 10,0,32,18");
  CHECK(c.object.get("fpad") != nullptr);
  CHECK(command_at<FcSubscribeCommand>(c2s, 2).name == "cam1");
  PlayCommand p = command_at<PlayCommand>(c2s, 3);
  CHECK(p.name == "cam1");
  CHECK(p.start == -1000);    // rtmpdump -v: live
  CHECK(p.duration == 2000);  // --stop 2

  std::vector<Record> s2c = load("rtmpdump24_play.s2c.amf");
  std::vector<std::string> names = names_of(s2c);
  REQUIRE(names.size() >= 5);
  CHECK(names[2] == "onStatus");
  CHECK(names[3] == "|RtmpSampleAccess");
  CHECK(names[4] == "onMetaData");
  auto meta = decode_data(s2c[4].payload.data(), s2c[4].payload.size(), false);
  REQUIRE(meta.is_ok());
  CHECK(meta->metadata()->get_string("Server").find("NGINX RTMP") != std::string::npos);
}

TEST_CASE("capture: ffmpeg 5.1 playing from nginx-rtmp") {
  std::vector<Record> c2s = load("ffmpeg51_play.c2s.amf");
  CHECK(names_of(c2s) ==
        std::vector<std::string>{"connect", "createStream", "getStreamLength", "play"});
  CHECK(command_at<GetStreamLengthCommand>(c2s, 2).name == "cam1");
  PlayCommand p = command_at<PlayCommand>(c2s, 3);
  CHECK(p.start == -2000);  // ffmpeg: rt->live * 1000 with live = -2 ("any")
  CHECK(p.duration == -1);
  CHECK(names_of(load("ffmpeg51_play.s2c.amf")).size() >= 4);
}

TEST_CASE("capture: every captured payload re-encodes byte for byte") {
  for (const char* name :
       {"ffmpeg51_publish.c2s.amf", "ffmpeg51_publish.s2c.amf", "rtmpdump24_play.c2s.amf",
        "rtmpdump24_play.s2c.amf", "ffmpeg51_play.c2s.amf", "ffmpeg51_play.s2c.amf"}) {
    for (const Record& rec : load(name)) {
      amf::Amf0Reader reader(rec.payload.data(), rec.payload.size());
      std::vector<uint8_t> again;
      while (!reader.at_end()) {
        auto v = reader.read();
        REQUIRE(v.is_ok());
        amf::amf0_write(again, v.value());
      }
      INFO(name);
      CHECK(again == rec.payload);
    }
  }
}

}  // namespace
}  // namespace srs::proto::rtmp
