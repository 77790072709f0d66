// The srs_* identity of an RTMP peer: read from connect's user arguments (a
// forwarder or edge announcing itself) with peer_identity_from(), and sent by
// a ClientSession, the forward path srs_via included.
#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

#include "proto/rtmp/client_session.hpp"
#include "proto/rtmp/command.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

using namespace srs::proto::rtmp;
using srs::proto::amf::Property;
using srs::proto::amf::Value;

namespace {

using Bytes = std::vector<uint8_t>;

Value full_identity() {
  Value o = Value::object();
  o.set("srs_sig", Value::string("SRS"));
  o.set("srs_server", Value::string("SRS/1.0.0(Forward)"));
  o.set("srs_version", Value::string("1.0.0"));
  o.set("srs_pid", Value::number(4321));
  o.set("srs_id", Value::string("fwd00001"));
  o.set("srs_server_ip", Value::string("10.0.0.9"));
  o.set("srs_via", Value::string("vid-a,vid-b"));
  return o;
}

// Runs a ClientSession's start and handshake against a HandshakeServer and
// returns the connect command it then sent.
ConnectCommand connect_sent(const ClientConfig& config) {
  ClientSession s(config, Bytes(kHandshakeSize, 0x5a));
  Bytes out;
  REQUIRE(s.start(&out).is_ok());
  HandshakeServer server(Bytes(kHandshakeSize, 0xa5), 7);
  size_t used = 0;
  REQUIRE(server.feed(out.data(), out.size(), &used) == HandshakeResult::kSendReady);
  REQUIRE(used == out.size());
  Bytes s012(server.output().begin(), server.output().end());
  const size_t c0c1 = out.size();
  size_t consumed = 0;
  ClientResult r = s.feed(s012.data(), s012.size(), &consumed, &out);
  REQUIRE(r == ClientResult::kNeedMore);
  REQUIRE(consumed == s012.size());
  REQUIRE(s.state() == ClientState::kConnecting);
  // After C0 C1 and C2: chunks, among them the connect command.
  const size_t after = c0c1 + kHandshakeSize;
  REQUIRE(out.size() > after);
  ChunkReader reader;
  test::ReadAll all = test::read_all(reader, Bytes(out.begin() + long(after), out.end()));
  REQUIRE_FALSE(all.error);
  for (const test::Received& m : all.messages) {
    if (m.header.type_id != kTypeCommandAmf0) continue;
    auto cmd = decode_command(m.payload.data(), m.payload.size(), false);
    REQUIRE(cmd.is_ok());
    const auto* connect = std::get_if<ConnectCommand>(&cmd.value());
    REQUIRE(connect != nullptr);
    return *connect;
  }
  FAIL("no connect command sent");
  return {};
}

ClientConfig forwarder_config() {
  ClientConfig c;
  c.role = ClientRole::kPublish;
  c.tc_url = "rtmp://127.0.0.2:1935/live";
  c.app = "live";
  c.stream = "cam";
  return c;
}

}  // namespace

TEST_CASE("peer identity: every srs_* property of an object") {
  PeerIdentity id = peer_identity_from(full_identity());
  CHECK(id.sig == "SRS");
  CHECK(id.server == "SRS/1.0.0(Forward)");
  CHECK(id.version == "1.0.0");
  CHECK(id.pid == 4321);
  CHECK(id.id == "fwd00001");
  CHECK(id.server_ip == "10.0.0.9");
  CHECK(id.via == "vid-a,vid-b");
  CHECK_FALSE(id.empty());

  // An ECMA array (what some servers send) is read the same way.
  Value ecma = Value::ecma_array();
  ecma.set("srs_id", Value::string("e0000001"));
  ecma.set("srs_via", Value::string("vid-x"));
  PeerIdentity e = peer_identity_from(ecma);
  CHECK(e.id == "e0000001");
  CHECK(e.via == "vid-x");
  CHECK(e.sig.empty());
  CHECK(e.pid == 0);
}

TEST_CASE("peer identity: numbers where strings are expected give their decimal text") {
  Value o = Value::object();
  o.set("srs_id", Value::number(107));
  o.set("srs_server_ip", Value::number(0));
  o.set("srs_via", Value::number(12345678));
  o.set("srs_version", Value::number(3.7));
  o.set("srs_sig", Value::boolean(true));  // neither string nor number: absent
  o.set("srs_server", Value::null());
  o.set("srs_pid", Value::string("99"));  // not a number: 0
  PeerIdentity id = peer_identity_from(o);
  CHECK(id.id == "107");
  CHECK(id.server_ip == "0");
  CHECK(id.via == "12345678");
  CHECK(id.version == "4");  // rounded to a whole number
  CHECK(id.sig.empty());
  CHECK(id.server.empty());
  CHECK(id.pid == 0);
}

TEST_CASE("peer identity: long texts are bounded to 256 bytes") {
  Value o = Value::object();
  o.set("srs_via", Value::string(std::string(1000, 'v')));
  o.set("srs_server", Value::string(std::string(257, 's')));
  o.set("srs_id", Value::string(std::string(256, 'i')));
  PeerIdentity id = peer_identity_from(o);
  CHECK(id.via == std::string(256, 'v'));
  CHECK(id.server == std::string(256, 's'));
  CHECK(id.id == std::string(256, 'i'));
}

TEST_CASE("peer identity: anything but an object is an empty identity") {
  for (const Value& v : {Value::string("srs_id"), Value::number(1), Value::null(),
                         Value::undefined(), Value::boolean(true), Value::strict_array()}) {
    PeerIdentity id = peer_identity_from(v);
    CHECK(id.empty());
    CHECK(id.via.empty());
    CHECK(id.id.empty());
    CHECK(id.pid == 0);
  }
  CHECK(peer_identity_from(Value::object()).empty());
  Value others = Value::object();
  others.set("token", Value::string("abc"));
  others.set("srs", Value::string("x"));
  CHECK(peer_identity_from(others).empty());
}

TEST_CASE("client session: connect's user arguments carry srs_via") {
  ClientConfig c = forwarder_config();
  c.identity.sig = "SRS";
  c.identity.server = "SRS/1.0.0(Forward)";
  c.identity.version = "1.0.0";
  c.identity.pid = 4321;
  c.identity.id = "fwd00001";
  c.identity.via = "vid-a,vid-b";
  c.args = {Property{"token", Value::string("abc")}};
  ConnectCommand connect = connect_sent(c);
  CHECK(connect.tc_url == "rtmp://127.0.0.2:1935/live");
  CHECK(connect.app == "live");
  REQUIRE(connect.args.size() == 1);
  const Value& a = connect.args[0];
  CHECK(a.get_string("srs_via") == "vid-a,vid-b");
  CHECK(a.get_string("srs_sig") == "SRS");
  CHECK(a.get_string("srs_id") == "fwd00001");
  CHECK(a.get_number("srs_pid") == 4321);
  CHECK(a.get_string("token") == "abc");
  CHECK(a.get("srs_server_ip") == nullptr);  // empty: not sent
  // What the receiving server reads back.
  PeerIdentity back = peer_identity_from(a);
  CHECK(back.via == "vid-a,vid-b");
  CHECK(back.id == "fwd00001");
  CHECK(back.server == "SRS/1.0.0(Forward)");
  CHECK(back.pid == 4321);
}

TEST_CASE("client session: srs_via alone is sent; no identity sends no arguments") {
  ClientConfig only_via = forwarder_config();
  only_via.identity.via = "vid-a";
  ConnectCommand connect = connect_sent(only_via);
  REQUIRE(connect.args.size() == 1);
  CHECK(connect.args[0].get_string("srs_via") == "vid-a");
  CHECK(connect.args[0].properties().size() == 1);

  ConnectCommand bare = connect_sent(forwarder_config());
  CHECK(bare.args.empty());
}
