// Command encoders: every reply a server sends and every request a client sends,
// decoded back with decode_command/decode_data, plus exact bytes for the short ones.
#include "proto/rtmp/command_writer.hpp"

#include <doctest/doctest.h>

#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_data.hpp"
#include "t/unit/proto/amf/hex.hpp"

namespace srs::proto::rtmp {
namespace {

using amf::Value;
using test::to_hex;

Command decode(const std::string& s) {
  auto r = decode_command(reinterpret_cast<const uint8_t*>(s.data()), s.size(), false);
  REQUIRE_MESSAGE(r.is_ok(), r.status().to_string());
  return r.value();
}

template <typename T>
T decode_as(const std::string& s) {
  Command c = decode(s);
  const T* t = std::get_if<T>(&c);
  REQUIRE_MESSAGE(t != nullptr, "decoded as " << command_name(c));
  return *t;
}

TEST_CASE("writer: connect _result carries what ffmpeg, Flash and SRS edges read") {
  ConnectResult r;
  r.txn = 1;
  r.object_encoding = 3;
  r.server = "SRS/1.0.0(Test)";
  r.version = "1.0.0";
  r.pid = 4242;
  r.context_id = "k3x9q2";
  r.server_ip = "10.0.0.1";
  std::string out;
  encode_connect_result(out, r);
  ResultCommand res = decode_as<ResultCommand>(out);
  CHECK_FALSE(res.error);
  CHECK(res.txn == 1);
  REQUIRE(res.args.size() == 2);
  const Value& props = res.args[0];
  CHECK(props.get_string("fmsVer") == "FMS/3,5,3,888");
  CHECK(props.get_number("capabilities") == 127);
  CHECK(props.get_number("mode") == 1);
  const Value& info = res.args[1];
  CHECK(info.get_string("level") == "status");
  CHECK(info.get_string("code") == "NetConnection.Connect.Success");
  CHECK(info.get_string("description") == "Connection succeeded");
  CHECK(info.get_number("objectEncoding") == 3);
  const Value* data = info.get("data");
  REQUIRE(data != nullptr);
  CHECK(data->type() == amf::Type::kEcmaArray);
  CHECK(data->get_string("srs_sig") == "SRS");
  CHECK(data->get_string("srs_server") == "SRS/1.0.0(Test)");
  CHECK(data->get_string("srs_version") == "1.0.0");
  CHECK(data->get_number("srs_pid") == 4242);
  CHECK(data->get_string("srs_id") == "k3x9q2");
  CHECK(data->get_string("srs_server_ip") == "10.0.0.1");
  ConnectResult no_ip;
  std::string out2;
  encode_connect_result(out2, no_ip);
  CHECK(decode_as<ResultCommand>(out2).args[1].get("data")->get("srs_server_ip") == nullptr);
}

TEST_CASE("writer: _error replies") {
  std::string rej, call;
  encode_connect_error(rej, 1, "vhost not found");
  encode_call_error(call, 7, "unknown command");
  ResultCommand r = decode_as<ResultCommand>(rej);
  CHECK(r.error);
  CHECK(r.txn == 1);
  CHECK(r.args[0].is_null());
  CHECK(r.info()->get_string("code") == "NetConnection.Connect.Rejected");
  CHECK(r.info()->get_string("level") == "error");
  CHECK(r.info()->get_string("description") == "vhost not found");
  ResultCommand c = decode_as<ResultCommand>(call);
  CHECK(c.txn == 7);
  CHECK(c.info()->get_string("code") == "NetConnection.Call.Failed");
}

TEST_CASE("writer: createStream, releaseStream/FCPublish, getStreamLength, _checkbw results") {
  std::string cs, simple, gsl, bw;
  encode_create_stream_result(cs, 4, 1);
  CHECK(to_hex(cs) ==
        "02 00 07 5f 72 65 73 75 6c 74 00 40 10 00 00 00 00 00 00 05 00 3f f0 00 00 00 00 00 00");
  encode_simple_result(simple, 2);
  ResultCommand s = decode_as<ResultCommand>(simple);
  CHECK(s.txn == 2);
  REQUIRE(s.args.size() == 2);
  CHECK(s.args[0].is_null());
  CHECK(s.args[1].is_undefined());
  encode_stream_length_result(gsl, 3, 0);
  CHECK(decode_as<ResultCommand>(gsl).args[1] == Value::number(0));
  encode_check_bw_result(bw, 5);
  CHECK(decode_as<ResultCommand>(bw).txn == 5);
}

TEST_CASE("writer: onFCPublish / onFCUnpublish / onBWDone") {
  std::string fp, fu, bwd;
  encode_on_fc_publish(fp);
  encode_on_fc_unpublish(fu);
  encode_on_bw_done(bwd);
  GenericCommand p = decode_as<GenericCommand>(fp);
  CHECK(p.name == "onFCPublish");
  CHECK(p.args[1].get_string("code") == "NetStream.Publish.Start");
  GenericCommand u = decode_as<GenericCommand>(fu);
  CHECK(u.name == "onFCUnpublish");
  CHECK(u.args[1].get_string("code") == "NetStream.Unpublish.Success");
  CHECK(to_hex(bwd) == "02 00 08 6f 6e 42 57 44 6f 6e 65 00 00 00 00 00 00 00 00 00 05");
}

TEST_CASE("writer: onStatus for every code players and encoders test") {
  const StatusCode codes[] = {
      StatusCode::kPublishStart,       StatusCode::kPublishBadName,
      StatusCode::kUnpublishSuccess,   StatusCode::kPlayReset,
      StatusCode::kPlayStart,          StatusCode::kPlayStop,
      StatusCode::kPlayStreamNotFound, StatusCode::kPlayUnpublishNotify,
      StatusCode::kPlayPublishNotify,  StatusCode::kPauseNotify,
      StatusCode::kUnpauseNotify,      StatusCode::kConnectRejected,
      StatusCode::kConnectClosed,      StatusCode::kCallFailed,
  };
  for (StatusCode code : codes) {
    std::string out;
    encode_on_status(out, code, {}, "live/cam1", "ASAICiss");
    OnStatusCommand s = decode_as<OnStatusCommand>(out);
    StatusText t = status_text(code);
    INFO(t.code);
    CHECK(s.txn == 0);
    CHECK(s.code() == t.code);
    CHECK(s.level() == t.level);
    CHECK(s.description() == t.description);
    CHECK(s.info.get_string("details") == "live/cam1");
    CHECK(s.info.get_string("clientid") == "ASAICiss");
  }
  CHECK(std::string(status_text(StatusCode::kPlayUnpublishNotify).code) ==
        "NetStream.Play.UnpublishNotify");
  CHECK(std::string(status_text(StatusCode::kPublishBadName).level) == "error");
  CHECK(std::string(status_text(StatusCode::kPlayStreamNotFound).level) == "error");
  std::string custom;
  encode_on_status(custom, StatusCode::kPlayStart, "Start live");
  OnStatusCommand c = decode_as<OnStatusCommand>(custom);
  CHECK(c.description() == "Start live");
  CHECK(c.info.get("details") == nullptr);
}

TEST_CASE("writer: data messages (NetStream.Data.Start, |RtmpSampleAccess)") {
  std::string ds, sa;
  encode_on_status_data(ds, StatusCode::kDataStart);
  encode_sample_access(sa, true, false);
  auto d = decode_data(reinterpret_cast<const uint8_t*>(ds.data()), ds.size(), false);
  REQUIRE(d.is_ok());
  CHECK(d->name == "onStatus");
  CHECK(d->values.at(0).get_string("code") == "NetStream.Data.Start");
  CHECK(to_hex(sa) == "02 00 11 7c 52 74 6d 70 53 61 6d 70 6c 65 41 63 63 65 73 73 01 01 01 00");
}

TEST_CASE("writer: client requests (edge, forward, bench) decode as the server sees them") {
  ConnectRequest req;
  req.app = "live";
  req.tc_url = "rtmp://origin:1935/live?vhost=v.com";
  req.page_url = "http://p";
  req.args.push_back(Value::string("extra"));
  std::string c;
  encode_connect(c, req);
  ConnectCommand cc = decode_as<ConnectCommand>(c);
  CHECK(cc.txn == 1);
  CHECK(cc.app == "live");
  CHECK(cc.tc_url == "rtmp://origin:1935/live?vhost=v.com");
  CHECK(cc.flash_ver == "FMLE/3.0 (compatible; FMSc/1.0)");
  CHECK(cc.page_url == "http://p");
  CHECK(cc.swf_url.empty());
  CHECK(cc.object.get("swfUrl") == nullptr);
  CHECK(cc.capabilities == 239);
  CHECK(cc.audio_codecs == 3575);
  CHECK(cc.video_codecs == 252);
  CHECK(cc.args.size() == 1);

  std::string cs, rs, fp, fu, pub, play, play_d, del, call;
  encode_create_stream(cs, 2);
  encode_release_stream(rs, 3, "cam1");
  encode_fc_publish(fp, 4, "cam1");
  encode_fc_unpublish(fu, 8, "cam1");
  encode_publish(pub, 5, "cam1?k=v");
  encode_play(play, 6, "cam1");
  encode_play(play_d, 6, "cam1", 0, 30);
  encode_delete_stream(del, 7, 1);
  encode_call(call, "custom", 9, {Value::null(), Value::number(1)});
  CHECK(decode_as<CreateStreamCommand>(cs).txn == 2);
  CHECK(decode_as<ReleaseStreamCommand>(rs).name == "cam1");
  CHECK(decode_as<FcPublishCommand>(fp).name == "cam1");
  CHECK(decode_as<FcUnpublishCommand>(fu).txn == 8);
  PublishCommand p = decode_as<PublishCommand>(pub);
  CHECK(p.name == "cam1?k=v");
  CHECK(p.type == "live");
  PlayCommand pl = decode_as<PlayCommand>(play);
  CHECK(pl.start == -2);
  CHECK(pl.duration == -1);
  CHECK(decode_as<PlayCommand>(play_d).duration == 30);
  CHECK(decode_as<DeleteStreamCommand>(del).stream_id == 1);
  GenericCommand g = decode_as<GenericCommand>(call);
  CHECK(g.name == "custom");
  CHECK(g.args.size() == 2);
}

TEST_CASE("writer: encoders append to a byte vector as well") {
  std::vector<uint8_t> out = {0xEE};
  encode_on_bw_done(out);
  CHECK(out.size() == 22);
  CHECK(out[0] == 0xEE);
  CHECK(out[1] == 0x02);
}

}  // namespace
}  // namespace srs::proto::rtmp
