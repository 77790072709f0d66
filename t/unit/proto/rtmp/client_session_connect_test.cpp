// ClientSession's NetConnection phase (RTMP 1.0 7.2.1): what connect carries, the
// server's identity read from its _result, and connect and createStream refused or
// answered with bytes that do not decode.
#include "proto/rtmp/client_session.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "proto/amf/value.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_writer.hpp"
#include "t/unit/proto/rtmp/client_session_test_util.hpp"

using namespace srs::proto::rtmp;
using namespace srs::proto::rtmp::test::session;
using srs::base::Errc;
using srs::proto::amf::Value;

namespace {

Bytes create_stream_result_with(const Value& id) {
  Bytes p;
  encode_call(p, "_result", 2, {Value::null(), id});
  return p;
}

}  // namespace

TEST_CASE("connect rejected: Errc::kRejected with the server's code and description") {
  Script script;
  script.reject_connect = true;
  Conversation c = converse(player_config(), script);
  CHECK(c.run.error == Errc::kRejected);
  CHECK(c.run.state == ClientState::kFailed);
  CHECK(c.run.seen.empty());
  CHECK(c.run.error_what == std::string("rtmp client: connect rejected (_error)"));
  CHECK(c.run.error_text.find("while in connect") != std::string::npos);
  CHECK(c.run.error_text.find("NetConnection.Connect.Rejected 'vhost 'nope' is not configured'") !=
        std::string::npos);
  check_all_splits(player_config(), c);
}

TEST_CASE("connect carries tcUrl, app, flashVer and the identity args (debug_srs_upnode)") {
  Conversation c = converse(publisher_config(), Script{});
  const auto* connect = std::get_if<ConnectCommand>(&c.server->commands.front());
  REQUIRE(connect != nullptr);
  CHECK(connect->tc_url == "rtmp://127.0.0.1:1935/live");
  CHECK(connect->app == "live");
  CHECK(connect->flash_ver == "FMLE/3.0 (compatible; FMSc/1.0)");
  REQUIRE(connect->args.size() == 1);
  const Value& a = connect->args[0];
  CHECK(a.get_string("srs_sig") == "SRS");
  CHECK(a.get_string("srs_server") == "SRS/1.0.0(Edge)");
  CHECK(a.get_string("srs_version") == "1.0.0");
  CHECK(a.get_number("srs_pid") == 777);
  CHECK(a.get_string("srs_id") == "edge-ctx-1");
  CHECK(a.get_string("srs_server_ip") == "192.168.1.9");
  CHECK(a.get_string("token") == "abc");
  CHECK(a.get_number("hops") == 2);

  Conversation plain = converse(player_config(), Script{});
  const auto* bare = std::get_if<ConnectCommand>(&plain.server->commands.front());
  REQUIRE(bare != nullptr);
  CHECK(bare->flash_ver == "LNX 9,0,124,2");
  CHECK(bare->args.empty());  // no identity, no extra: no user-arguments object
}

TEST_CASE("the server's identity is parsed from the connect _result (the upstream id)") {
  Conversation c = converse(player_config(), Script{});
  CHECK(c.run.seen[0].event == ClientEvent::kConnected);
  CHECK(c.run.seen[0].code == "srv-ctx-7");
  ClientSession s(player_config(), random_block(1));
  ClientRun run;
  REQUIRE(s.start(&run.out).is_ok());
  feed_piece(s, c.server_bytes.data(), c.server_bytes.size(), {}, run);
  CHECK(s.upstream().sig == "SRS");
  CHECK(s.upstream().server == "SRS/1.0.0(Origin)");
  CHECK(s.upstream().version == "1.0.0");
  CHECK(s.upstream().pid == 4242);
  CHECK(s.upstream().id == "srv-ctx-7");
  CHECK(s.upstream().server_ip == "10.0.0.1");
  CHECK(s.status().code == "NetStream.Play.Start");
}

TEST_CASE("a truncated connect _result is an error naming the command decoder's cause") {
  Crafted c;
  Bytes p;
  encode_connect_result(p, ConnectResult{});
  p.resize(40);
  c.command(p);
  ClientRun run = check_error(c, Errc::kInvalid,
                              "rtmp client: a command from the server does not decode (7.2)");
  CHECK(run.error_text.find("while in connect") != std::string::npos);
  CHECK(run.error_text.find("amf0") != std::string::npos);
}

TEST_CASE("createStream _result without a usable stream id is an error") {
  for (Value id :
       {Value::string("1"), Value::number(-1), Value::number(1.5), Value::number(std::nan("")),
        Value::number(8589934592.0), Value::number(std::numeric_limits<double>::infinity())}) {
    CAPTURE(srs::proto::amf::to_debug_string(id));
    Crafted c;
    c.connect_result();
    c.command(create_stream_result_with(id));
    check_error(c, Errc::kInvalid,
                "rtmp client: createStream _result without a 32-bit stream id (7.2.1.3)");
  }
}

TEST_CASE("a createStream _error and a publish _error are refusals") {
  Crafted c;
  c.connect_result();
  Bytes p;
  encode_call_error(p, 2, "createStream: too many streams");
  c.command(p);
  ClientRun run = check_error(c, Errc::kRejected, "rtmp client: createStream refused (_error)");
  CHECK(run.error_text.find("too many streams") != std::string::npos);

  Crafted pub(publisher_config());
  pub.connect_result();
  Bytes r;
  encode_create_stream_result(r, 4, 1);
  pub.command(r);
  Bytes e;
  encode_call_error(e, 5, "publish: not allowed");
  pub.message(kCsidOverStream, kTypeCommandAmf0, 1, e);
  check_error(pub, Errc::kRejected, "rtmp client: publish refused (_error)");
}

TEST_CASE("an srs_id sent as a number (SRS 3) is kept as its decimal text") {
  Crafted c;
  Value data = Value::ecma_array();
  data.set("srs_id", Value::number(107));
  data.set("srs_pid", Value::number(31));
  data.set("srs_server", Value::string(std::string(5000, 'x')));  // bounded when kept
  Value info = status_info(StatusCode::kConnectSuccess);
  info.set("data", data);
  Bytes p;
  encode_call(p, "_result", 1, {Value::object(), info});
  c.command(p);
  ClientSession s(c.config, random_block(1));
  ClientRun run;
  REQUIRE(s.start(&run.out).is_ok());
  feed_piece(s, c.bytes.data(), c.bytes.size(), {}, run);
  REQUIRE(events_of(run) == std::vector<ClientEvent>{ClientEvent::kConnected});
  CHECK(s.upstream().id == "107");
  CHECK(s.upstream().pid == 31);
  CHECK(s.upstream().server.size() == 256);
}
