// decode_command: every command as ffmpeg, OBS, FMLE, rtmpdump and Flash send
// it (Adobe RTMP 1.0 section 7.2 and the de-facto ones), the AMF3 form,
// truncation at every split position, and malformed commands.
#include "proto/rtmp/command.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "proto/amf/amf0_reader.hpp"
#include "t/unit/proto/rtmp/amf_builder.hpp"

namespace srs::proto::rtmp {
namespace {

using test::AmfBytes;

template <typename T>
T decode_as(const AmfBytes& b, bool amf3 = false) {
  auto r = decode_command(b.data(), b.size(), amf3);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  const T* c = std::get_if<T>(&r.value());
  REQUIRE_MESSAGE(c != nullptr, "decoded as " << command_name(r.value()));
  return *c;
}

std::string error_of(const AmfBytes& b, bool amf3 = false) {
  auto r = decode_command(b.data(), b.size(), amf3);
  return r.is_ok() ? "ok" : r.status().what();
}

// ffmpeg 5.1 (libavformat/rtmpproto.c gen_connect) publishing rtmp://127.0.0.1/live/cam1.
AmfBytes ffmpeg_connect() {
  AmfBytes b;
  b.str("connect").num(1).obj();
  b.key("app").str("live").key("type").str("nonprivate");
  b.key("flashVer").str("FMLE/3.0 (compatible; Lavf59.27.100)");
  b.key("tcUrl").str("rtmp://127.0.0.1:1935/live").end();
  return b;
}

TEST_CASE("command: connect from ffmpeg (FMLE flow)") {
  ConnectCommand c = decode_as<ConnectCommand>(ffmpeg_connect());
  CHECK(c.txn == 1);
  CHECK(c.app == "live");
  CHECK(c.tc_url == "rtmp://127.0.0.1:1935/live");
  CHECK(c.flash_ver == "FMLE/3.0 (compatible; Lavf59.27.100)");
  CHECK(c.object_encoding == 0);
  CHECK(c.object.get_string("type") == "nonprivate");
  CHECK(c.args.empty());
}

TEST_CASE("command: connect from OBS and FMLE (librtmp-style, FMLE flashVer, stream key in tcUrl)") {
  // OBS (its librtmp fork): app, type, flashVer, swfUrl, tcUrl; a vhost/token in the app.
  AmfBytes obs;
  obs.str("connect").num(1).obj();
  obs.key("app").str("live?vhost=v.com").key("type").str("nonprivate");
  obs.key("flashVer").str("FMLE/3.0 (compatible; FMSc/1.0)");
  obs.key("swfUrl").str("rtmp://10.0.0.1/live?vhost=v.com");
  obs.key("tcUrl").str("rtmp://10.0.0.1/live?vhost=v.com").end();
  ConnectCommand o = decode_as<ConnectCommand>(obs);
  CHECK(o.app == "live?vhost=v.com");
  CHECK(o.tc_url == "rtmp://10.0.0.1/live?vhost=v.com");
  CHECK(o.swf_url == "rtmp://10.0.0.1/live?vhost=v.com");
  CHECK(o.flash_ver == "FMLE/3.0 (compatible; FMSc/1.0)");
  // FMLE 3.2: adds audio/video codecs and capabilities as numbers.
  AmfBytes fmle;
  fmle.str("connect").num(1).obj();
  fmle.key("app").str("live").key("flashVer").str("FMLE/3.0 (compatible; FMSc/1.0)");
  fmle.key("swfUrl").str("rtmp://h/live").key("tcUrl").str("rtmp://h/live");
  fmle.key("type").str("nonprivate").key("capabilities").num(15).end();
  CHECK(decode_as<ConnectCommand>(fmle).capabilities == 15);
}

TEST_CASE("command: connect from a Flash player / rtmpdump with every property and extra args") {
  AmfBytes b;
  b.str("connect").num(1).obj();
  b.key("app").str("vod").key("flashVer").str("LNX 10,0,32,18");
  b.key("swfUrl").str("http://x/p.swf").key("tcUrl").str("rtmp://h/vod");
  b.key("fpad").boolean(false).key("capabilities").num(15);
  b.key("audioCodecs").num(3191).key("videoCodecs").num(252).key("videoFunction").num(1);
  b.key("pageUrl").str("http://x/page").key("objectEncoding").num(3);
  b.key("fourCcList").raw({0x0A, 0, 0, 0, 2}).str("av01").str("hvc1");
  b.end();
  b.str("token123").boolean(true);  // user arguments after the command object
  ConnectCommand c = decode_as<ConnectCommand>(b);
  CHECK(c.swf_url == "http://x/p.swf");
  CHECK(c.page_url == "http://x/page");
  CHECK(c.capabilities == 15);
  CHECK(c.audio_codecs == 3191);
  CHECK(c.video_codecs == 252);
  CHECK(c.object_encoding == 3);
  CHECK(c.four_cc_list == std::vector<std::string>{"av01", "hvc1"});
  REQUIRE(c.args.size() == 2);
  CHECK(c.args[0].as_string() == "token123");
  CHECK(c.object.get_number("videoFunction") == 1);
}

TEST_CASE("command: connect tolerates Red5-style nulls and wrong-typed properties") {
  AmfBytes b;
  b.str("connect").num(1).obj().key("app").null().key("tcUrl").str("rtmp://h/a");
  b.key("objectEncoding").str("3").end();
  ConnectCommand c = decode_as<ConnectCommand>(b);
  CHECK(c.app.empty());
  CHECK(c.object_encoding == 0);
}

TEST_CASE("command: the FMLE / OBS / ffmpeg publish sequence") {
  AmfBytes rs, fc, cs, pub, fu, ds;
  rs.str("releaseStream").num(2).null().str("cam1");
  fc.str("FCPublish").num(3).null().str("cam1");
  cs.str("createStream").num(4).null();
  pub.str("publish").num(5).null().str("cam1?token=abc").str("live");
  fu.str("FCUnpublish").num(6).null().str("cam1");
  ds.str("deleteStream").num(7).null().num(1);
  CHECK(decode_as<ReleaseStreamCommand>(rs).name == "cam1");
  CHECK(decode_as<ReleaseStreamCommand>(rs).txn == 2);
  CHECK(decode_as<FcPublishCommand>(fc).name == "cam1");
  CHECK(decode_as<CreateStreamCommand>(cs).txn == 4);
  PublishCommand p = decode_as<PublishCommand>(pub);
  CHECK(p.name == "cam1?token=abc");
  CHECK(p.type == "live");
  CHECK(p.txn == 5);
  CHECK(decode_as<FcUnpublishCommand>(fu).name == "cam1");
  CHECK(decode_as<DeleteStreamCommand>(ds).stream_id == 1);
}

TEST_CASE("command: publish types and defaults") {
  AmfBytes rec, bare;
  rec.str("publish").num(0).null().str("s").str("record");
  bare.str("publish").num(0).null().str("s");  // Flash may omit the type
  CHECK(decode_as<PublishCommand>(rec).type == "record");
  CHECK(decode_as<PublishCommand>(bare).type == "live");
}

TEST_CASE("command: play as rtmpdump and ffmpeg send it, and play2") {
  AmfBytes dump, ff, flash, two;
  dump.str("play").num(4).null().str("cam1").num(-1000).num(2000);  // rtmpdump -v --stop 2
  ff.str("play").num(4).null().str("cam1").num(-2000);              // ffmpeg: live * 1000
  flash.str("play").num(0).null().str("vod/a.flv").num(10).num(-1).boolean(false);
  two.str("play2").num(0).null().obj().key("streamName").str("hd").key("oldStreamName").str("sd");
  two.key("transition").str("switch").key("start").num(-1).key("len").num(5).end();
  PlayCommand d = decode_as<PlayCommand>(dump);
  CHECK(d.name == "cam1");
  CHECK(d.start == -1000);
  CHECK(d.duration == 2000);
  CHECK(d.reset);
  PlayCommand f = decode_as<PlayCommand>(ff);
  CHECK(f.start == -2000);
  CHECK(f.duration == -1);
  PlayCommand fl = decode_as<PlayCommand>(flash);
  CHECK(fl.start == 10);
  CHECK_FALSE(fl.reset);
  Play2Command p2 = decode_as<Play2Command>(two);
  CHECK(p2.name == "hd");
  CHECK(p2.old_name == "sd");
  CHECK(p2.transition == "switch");
  CHECK(p2.start == -1);
  CHECK(p2.duration == 5);
}

TEST_CASE("command: player-side control commands") {
  AmfBytes pause, resume, close, gsl, sub, ra, rv, bw;
  pause.str("pause").num(0).null().boolean(true).num(1234);
  resume.str("pause").num(0).null().boolean(false).num(1234);
  close.str("closeStream").num(0).null();
  gsl.str("getStreamLength").num(3).null().str("cam1");
  sub.str("FCSubscribe").num(3).null().str("cam1");
  ra.str("receiveAudio").num(0).null().boolean(false);
  rv.str("receiveVideo").num(0).null().boolean(true);
  bw.str("_checkbw").num(5).null();
  PauseCommand p = decode_as<PauseCommand>(pause);
  CHECK(p.pause);
  CHECK(p.ms == 1234);
  CHECK_FALSE(decode_as<PauseCommand>(resume).pause);
  CHECK(decode_as<CloseStreamCommand>(close).txn == 0);
  CHECK(decode_as<GetStreamLengthCommand>(gsl).name == "cam1");
  CHECK(decode_as<FcSubscribeCommand>(sub).name == "cam1");
  CHECK_FALSE(decode_as<ReceiveAudioCommand>(ra).flag);
  CHECK(decode_as<ReceiveVideoCommand>(rv).flag);
  CHECK(decode_as<CheckBwCommand>(bw).txn == 5);
}

TEST_CASE("command: client-side replies (_result, _error, onStatus, onBWDone)") {
  AmfBytes ok, err, st, bwd;
  ok.str("_result").num(1).obj().key("fmsVer").str("FMS/3,5,3,888").end();
  ok.obj().key("level").str("status").key("code").str("NetConnection.Connect.Success").end();
  err.str("_error").num(1).null().obj().key("level").str("error");
  err.key("code").str("NetConnection.Connect.Rejected").end();
  st.str("onStatus").num(0).null().obj().key("level").str("status");
  st.key("code").str("NetStream.Play.Start").key("description").str("Start live").end();
  bwd.str("onBWDone").num(0).null();
  ResultCommand r = decode_as<ResultCommand>(ok);
  CHECK_FALSE(r.error);
  REQUIRE(r.info() != nullptr);
  CHECK(r.info()->get_string("code") == "NetConnection.Connect.Success");
  ResultCommand e = decode_as<ResultCommand>(err);
  CHECK(e.error);
  CHECK(e.info()->get_string("code") == "NetConnection.Connect.Rejected");
  OnStatusCommand s = decode_as<OnStatusCommand>(st);
  CHECK(s.code() == "NetStream.Play.Start");
  CHECK(s.level() == "status");
  CHECK(s.description() == "Start live");
  CHECK(decode_as<OnBwDoneCommand>(bwd).txn == 0);
}

TEST_CASE("command: unknown names become generic calls the caller can answer") {
  AmfBytes b;
  b.str("setPeerInfo").num(9).null().str("a").num(2);
  GenericCommand g = decode_as<GenericCommand>(b);
  CHECK(g.name == "setPeerInfo");
  CHECK(g.txn == 9);
  REQUIRE(g.args.size() == 3);
  CHECK(g.args[0].is_null());
  Command c = g;
  CHECK(command_name(c) == "setPeerInfo");
  CHECK(command_txn(c) == 9);
}

TEST_CASE("command: names of decoded commands") {
  CHECK(command_name(Command(FcPublishCommand{})) == "FCPublish");
  CHECK(command_name(Command(ResultCommand{true, 1, {}})) == "_error");
  CHECK(command_name(Command(ResultCommand{false, 1, {}})) == "_result");
  CHECK(command_name(Command(OnBwDoneCommand{})) == "onBWDone");
  CHECK(command_name(Command(ReceiveVideoCommand{})) == "receiveVideo");
}

TEST_CASE("command: the AMF3 form (type 17): a 0x00 byte, then AMF0 with AVM+ switches") {
  AmfBytes b;
  b.raw({0x00}).str("publish").num(5).null();
  b.raw({0x11, 0x06, 0x09, 'c', 'a', 'm', '1'});  // AMF3 string "cam1"
  b.str("live");
  PublishCommand p = decode_as<PublishCommand>(b, true);
  CHECK(p.name == "cam1");
  CHECK(p.txn == 5);
  // connect whose command object is an AMF3 object (Flash with objectEncoding 3).
  AmfBytes c;
  c.raw({0x00}).str("connect").num(1);
  c.raw({0x11, 0x0A, 0x0B, 0x01, 0x07, 'a', 'p', 'p', 0x06, 0x09, 'l', 'i', 'v', 'e'});
  c.raw({0x0B, 't', 'c', 'U', 'r', 'l', 0x06, 0x15});
  for (char ch : std::string("rtmp://h/a")) c.b.push_back(uint8_t(ch));
  c.raw({0x1D});  // "objectEncoding" is 14 bytes: (14 << 1) | 1
  for (char ch : std::string("objectEncoding")) c.b.push_back(uint8_t(ch));
  c.raw({0x04, 0x03, 0x01});
  ConnectCommand cc = decode_as<ConnectCommand>(c, true);
  CHECK(cc.app == "live");
  CHECK(cc.tc_url == "rtmp://h/a");
  CHECK(cc.object_encoding == 3);
}

// Every value boundary of a payload (where a cut leaves whole values).
std::vector<size_t> boundaries(const AmfBytes& b, size_t skip = 0) {
  std::vector<size_t> out{skip};
  amf::Amf0Reader r(b.data() + skip, b.size() - skip);
  while (!r.at_end()) {
    REQUIRE(r.skip().is_ok());
    out.push_back(skip + r.offset());
  }
  return out;
}

void check_every_cut(const AmfBytes& b, bool amf3 = false) {
  std::vector<size_t> whole = boundaries(b, amf3 ? 1 : 0);
  for (size_t cut = 0; cut < b.size(); ++cut) {
    auto r = decode_command(b.data(), cut, amf3);
    // Name and transaction id are mandatory (7.2): a cut before their end is a truncation.
    bool at_boundary =
        cut >= whole.at(2) && std::find(whole.begin(), whole.end(), cut) != whole.end();
    INFO("cut at " << cut << " of " << b.size());
    if (at_boundary) {
      // Whole values: a shorter command or a clear semantic error, never "truncated".
      if (!r.is_ok()) CHECK(std::string(r.status().what()).find("truncated") == std::string::npos);
      continue;
    }
    REQUIRE_FALSE(r.is_ok());
    CHECK(std::string(r.status().what()).find("truncated") != std::string::npos);
  }
}

TEST_CASE("command: truncation at every split position says truncated") {
  check_every_cut(ffmpeg_connect());
  AmfBytes pub, play, pause, res;
  pub.str("publish").num(5).null().str("cam1").str("live");
  play.str("play").num(4).null().str("cam1").num(-1000).num(2000).boolean(true);
  pause.str("pause").num(0).null().boolean(true).num(1234);
  res.str("_result").num(1).obj().key("fmsVer").str("FMS/3,5,3,888").end().ecma(9);
  res.key("code").str("NetConnection.Connect.Success").end();
  check_every_cut(pub);
  check_every_cut(play);
  check_every_cut(pause);
  check_every_cut(res);
  AmfBytes amf3;
  amf3.raw({0x00}).str("publish").num(5).null().raw({0x11, 0x06, 0x09, 'c', 'a', 'm', '1'});
  check_every_cut(amf3, true);
}

TEST_CASE("command: malformed commands get clear errors") {
  AmfBytes num_name, str_txn, no_obj, no_tc, no_pub_name, no_play_name, no_flag, bad;
  num_name.num(1).num(1);
  str_txn.str("connect").str("1");
  no_obj.str("connect").num(1).null();
  no_tc.str("connect").num(1).obj().key("app").str("live").end();
  no_pub_name.str("publish").num(1).null();
  no_play_name.str("play").num(1).null().num(3);
  no_flag.str("pause").num(1).null();
  bad.str("play").num(1).null().raw({0x42});
  CHECK(error_of(num_name) == std::string("command: name is not a string"));
  CHECK(error_of(str_txn) == std::string("command: transaction id is not a number"));
  CHECK(error_of(no_obj) == std::string("connect: command object is not an object"));
  CHECK(error_of(no_tc) == std::string("connect: no tcUrl"));
  CHECK(error_of(no_pub_name) == std::string("publish: no stream name"));
  CHECK(error_of(no_play_name) == std::string("play: no stream name"));
  CHECK(error_of(no_flag) == std::string("pause: no pause flag"));
  CHECK(error_of(bad) == std::string("amf0: unknown marker"));
  CHECK(error_of(AmfBytes{}) == std::string("amf0: truncated"));
  CHECK(error_of(AmfBytes{}, true) == std::string("amf0: truncated"));
}

}  // namespace
}  // namespace srs::proto::rtmp
