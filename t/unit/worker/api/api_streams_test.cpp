// The streams family of the API as a client reads it: the members of each
// route (the router adds the envelope) against a control region formatted on
// a plain buffer, with streams published and clients claimed the way the
// workers do it.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <new>
#include <string>

#include "shm/control.hpp"
#include "worker/api/api_route.hpp"
#include "worker/api/streams_view.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/stream_stats.hpp"

using namespace srs;
using srs::worker::ApiReply;
using srs::worker::ApiRequest;

namespace {

constexpr shm::ControlSizes kSizes{8, 16};
constexpr const char* kKey = "__defaultVhost__/live/cam";

struct AlignedFree {
  void operator()(unsigned char* p) const { ::operator delete[](p, std::align_val_t(4096)); }
};

struct Fixture {
  std::size_t size = shm::Control::required_size(kSizes);
  std::unique_ptr<unsigned char[], AlignedFree> buffer{
      new (std::align_val_t(4096)) unsigned char[shm::Control::required_size(kSizes)]()};
  shm::Control control =
      std::move(shm::Control::format(buffer.get(), size, kSizes, shm::InstanceId::generate()))
          .value();
  shm::Wakeups wakeups = std::move(shm::Wakeups::create()).value();
  conf::Config config;
  worker::Services svc;

  Fixture() {
    svc.config = &config;
    svc.control = &control;
    svc.wakeups = &wakeups;
    svc.slot = 0;
    svc.pid = uint32_t(::getpid());
  }

  ApiReply call(std::string_view method, std::string_view path, std::string_view query = {}) {
    ApiReply reply;
    REQUIRE(worker::route_streams_api(svc, ApiRequest{method, path, query, {}}, &reply));
    return reply;
  }
  ApiReply get(std::string_view path, std::string_view query = {}) {
    return call("GET", path, query);
  }

  // A publisher on worker slot 1: the stream, its statistics, its client.
  shm::StreamRef publish(const char* key = kKey) {
    auto ref = control.registry().publish(key, shm::Owner{1, 4242});
    REQUIRE(ref.is_ok());
    shm::StreamStats& st = control.registry().stats(ref->slot);
    st.bytes_in.reset(123456);
    st.messages.reset(789);
    st.video_frames.reset(456);
    st.bitrate_kbps.store(800);
    st.video_codec.store(worker::stats_name_word("H264"));
    st.video_profile.store(worker::stats_name_word("High"));
    st.video_level.store(worker::stats_name_word("3.1"));
    st.video_width.store(1280);
    st.video_height.store(720);
    st.audio_codec.store(worker::stats_name_word("AAC"));
    st.audio_profile.store(worker::stats_name_word("LC"));
    st.audio_sample_rate.store(44100);
    st.audio_channels.store(2);
    return *ref;
  }

  shm::ClientRef client(const char* id, shm::ClientType type, const char* key, uint32_t worker,
                        uint64_t in, uint64_t out) {
    base::ContextId cid;
    std::snprintf(cid.text, sizeof cid.text, "%s", id);
    auto ref = control.clients().claim(shm::Owner{worker, 4000 + worker},
                                       key ? shm::ClientType::kUnknown : type, cid, "10.1.2.3",
                                       uint32_t(std::time(nullptr)) - 5);
    REQUIRE(ref.is_ok());
    if (key) REQUIRE(control.clients().set_stream(*ref, type, shm::kNoSlot, 0, key).is_ok());
    control.clients().bytes_in(*ref).add(in);
    control.clients().bytes_out(*ref).add(out);
    return *ref;
  }
};

bool has(const std::string& body, const std::string& part) {
  return body.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("not ours: other paths are left to the other routes") {
  Fixture f;
  ApiReply reply;
  for (const char* path : {"/api/v1/versions", "/api/v1/streamsx", "/api/v1/streams/a/b", "/api"}) {
    CAPTURE(path);
    CHECK_FALSE(worker::route_streams_api(f.svc, ApiRequest{"GET", path, {}, {}}, &reply));
  }
}

TEST_CASE("an idle server: no stream, no client, the configured vhost") {
  Fixture f;
  CHECK(f.get("/api/v1/streams").members == "\"streams\":[],\"total\":0");
  CHECK(f.get("/api/v1/clients").members == "\"clients\":[],\"total\":0");
  CHECK(f.get("/api/v1/vhosts").members ==
        "\"vhosts\":[{\"id\":\"v0\",\"name\":\"__defaultVhost__\",\"enabled\":true,\"clients\":0,"
        "\"streams\":0,\"send_bytes\":0,\"recv_bytes\":0,\"kbps\":{\"recv_30s\":0,\"send_30s\":0},"
        "\"hls\":{\"enabled\":true,\"fragment\":10}}]");
  CHECK(f.get("/api/v1/vhosts/v0").members == f.get("/api/v1/vhosts/__defaultVhost__").members);
  CHECK(has(f.get("/api/v1/vhosts/v0").members, "\"vhost\":{\"id\":\"v0\""));
}

TEST_CASE("a live stream with its publisher and players on two workers") {
  Fixture f;
  shm::StreamRef ref = f.publish();
  f.control.registry().add_players(ref.slot, 0, 1);
  f.control.registry().add_players(ref.slot, 5, 1);
  f.client("pub00001", shm::ClientType::kFmlePublish, kKey, 1, 123456, 300);
  f.client("play0001", shm::ClientType::kRtmpPlay, kKey, 0, 10, 50000);
  f.client("play0002", shm::ClientType::kFlvPlay, kKey, 0, 20, 70000);
  f.client("api00001", shm::ClientType::kHttpApi, nullptr, 0, 1, 1);  // never listed

  const std::string id = "s" + std::to_string(ref.slot) + "-" + std::to_string(ref.generation);
  const std::string s = f.get("/api/v1/streams").members;
  CHECK(has(s, "\"streams\":[{\"id\":\"" + id +
                   "\",\"name\":\"cam\",\"vhost\":\"v0\","
                   "\"app\":\"live\",\"tcUrl\":\"\",\"url\":\"/live/cam\",\"live_ms\":"));
  CHECK(has(s, "\"clients\":3,\"frames\":456,\"send_bytes\":120000,\"recv_bytes\":123456,"));
  CHECK(has(s, "\"publish\":{\"active\":true,\"cid\":\"pub00001\"}"));
  CHECK(has(s,
            "\"video\":{\"codec\":\"H264\",\"profile\":\"High\",\"level\":\"3.1\","
            "\"width\":1280,\"height\":720}"));
  CHECK(has(s,
            "\"audio\":{\"codec\":\"AAC\",\"sample_rate\":44100,\"channel\":2,"
            "\"profile\":\"LC\"}"));
  CHECK(has(
      s,
      "\"state\":\"live\",\"generation\":" + std::to_string(ref.generation) +
          ",\"worker_slot\":1,\"worker_pid\":4242,\"players\":2,\"bitrate_kbps\":800,"
          "\"messages\":789,\"forwards\":0,\"upstream\":null,\"transcoder\":null,\"ingest\":null,"
          "\"srs_workers\":[{\"worker_slot\":0,\"worker_pid\":0,"
          "\"players\":1},{\"worker_slot\":5,\"worker_pid\":0,\"players\":1}]"));
  CHECK(has(s, "\"total\":1"));
  CHECK(has(f.get("/api/v1/streams/" + id).members, "\"stream\":{\"id\":\"" + id + "\""));

  const std::string c = f.get("/api/v1/clients").members;
  CHECK(has(c, "\"total\":3"));
  CHECK_FALSE(has(c, "api00001"));
  const std::string pub = f.get("/api/v1/clients/pub00001").members;
  CHECK(has(pub, "\"client\":{\"id\":\"pub00001\",\"vhost\":\"v0\",\"stream\":\"" + id +
                     "\",\"ip\":\"10.1.2.3\",\"pageUrl\":\"\",\"swfUrl\":\"\",\"tcUrl\":\"\","
                     "\"url\":\"/live/cam\",\"name\":\"cam\",\"type\":\"fmle-publish\","
                     "\"publish\":true,\"alive\":"));
  CHECK(has(pub, "\"send_bytes\":300,\"recv_bytes\":123456,"));
  CHECK(has(pub, "\"worker_slot\":1,\"worker_pid\":4001}"));
  const std::string flv = f.get("/api/v1/clients/play0002").members;
  CHECK(has(flv, "\"type\":\"flv-play\",\"publish\":false"));
  CHECK(has(flv, "\"send_bytes\":70000,\"recv_bytes\":20,"));

  const std::string v = f.get("/api/v1/vhosts/v0").members;
  CHECK(has(v, "\"clients\":3,\"streams\":1,\"send_bytes\":120300,\"recv_bytes\":123486,"));
}

TEST_CASE("kbps: the lifetime average until the sampler has a window") {
  Fixture f;
  f.client("play0001", shm::ClientType::kRtmpPlay, kKey, 0, 0, 5 * 125000);  // 5 s old
  worker::TrafficSampler traffic(nullptr, f.control);
  f.svc.traffic = &traffic;
  CHECK(has(f.get("/api/v1/clients/play0001").members,
            "\"kbps\":{\"recv_30s\":0,\"send_30s\":1000}"));  // 625000 bytes in 5 s
  traffic.sample(1000);
  auto ref = f.control.clients().find([] {
    base::ContextId id;
    std::snprintf(id.text, sizeof id.text, "play0001");
    return id;
  }());
  REQUIRE(ref.is_ok());
  shm::ClientRef cref{ref->index, ref->incarnation, 0};
  f.control.clients().bytes_out(cref).add(10 * 125000);  // 1250000 bytes in the next 10 s
  shm::ClientInfo now;
  REQUIRE(f.control.clients().read(ref->index, &now));
  CHECK(traffic.client(now, 11000, now.started_at + 15).send == 1000);  // since the sample
  f.control.clients().bytes_out(cref).add(10 * 125000);
  REQUIRE(f.control.clients().read(ref->index, &now));
  CHECK(traffic.client(now, 11000, now.started_at + 15).send == 2000);
  // A sample younger than a second says little: the lifetime average, 3125000 bytes in 15 s.
  CHECK(traffic.client(now, 1500, now.started_at + 15).send == 1666);
}

TEST_CASE("a stream waiting for its publisher is listed, not active") {
  Fixture f;
  shm::StreamRef ref = f.publish();
  f.client("play0001", shm::ClientType::kRtmpPlay, kKey, 0, 10, 500);
  REQUIRE(f.control.registry().release(ref, 100).is_ok());
  const std::string s = f.get("/api/v1/streams").members;
  CHECK(has(s, "\"publish\":{\"active\":false,\"cid\":\"\"}"));
  CHECK(has(s, "\"state\":\"lost\""));
  CHECK(has(s, "\"worker_slot\":null,\"worker_pid\":0"));
  CHECK(has(s, "\"clients\":1"));
}

TEST_CASE("paging: start, count floored at 10 as in SRS, total") {
  Fixture f;
  for (int i = 0; i < 12; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "c%07u", unsigned(i) % 100u);
    f.client(id, shm::ClientType::kRtmpPlay, kKey, 0, 0, 0);
  }
  auto count_ids = [](const std::string& body) {
    size_t n = 0;
    for (size_t p = body.find("\"type\":"); p != std::string::npos;
         p = body.find("\"type\":", p + 1))
      n++;
    return n;
  };
  CHECK(count_ids(f.get("/api/v1/clients").members) == 10);
  CHECK(count_ids(f.get("/api/v1/clients", "count=2").members) == 10);
  CHECK(count_ids(f.get("/api/v1/clients", "count=50").members) == 12);
  CHECK(count_ids(f.get("/api/v1/clients", "start=10&count=10").members) == 2);
  CHECK(count_ids(f.get("/api/v1/clients", "start=99").members) == 0);
  CHECK(has(f.get("/api/v1/clients", "start=99").members, "\"total\":12"));
}

TEST_CASE("unknown ids: SRS's codes") {
  Fixture f;
  ApiReply r = f.get("/api/v1/streams/s1-1");
  CHECK(r.code == 2048);
  CHECK(r.members == "\"error\":\"stream s1-1 not found\"");
  CHECK(f.get("/api/v1/clients/nobody00").code == 2049);
  CHECK(f.get("/api/v1/vhosts/nowhere").code == 2014);
  CHECK(f.call("DELETE", "/api/v1/clients/nobody00").code == 2049);
  ApiReply post = f.call("POST", "/api/v1/streams");
  CHECK(post.status == 405);
  CHECK(f.call("DELETE", "/api/v1/streams/s1-1").status == 405);
}

TEST_CASE("DELETE /api/v1/clients/{id}: the owner worker is flagged and its doorbell rung") {
  Fixture f;
  shm::ClientRef ref = f.client("play0001", shm::ClientType::kRtmpPlay, kKey, 3, 0, 0);
  while (f.wakeups.drain(3) != 0) {
  }
  ApiReply r = f.call("DELETE", "/api/v1/clients/play0001");
  CHECK(r.code == 0);
  CHECK(r.members.empty());
  CHECK(f.control.clients().kicked(ref));
  CHECK(f.wakeups.drain(3) == 1);
  CHECK(f.control.workers().take_kicks(3));
  CHECK_FALSE(f.control.workers().take_kicks(3));  // taken once
  CHECK_FALSE(f.control.workers().take_kicks(0));
}

TEST_CASE("children: the master's list, one by id, and the streams they publish marked") {
  Fixture f;
  f.publish();  // live/cam
  shm::StreamRef out = f.publish("__defaultVhost__/live/cam_small");
  shm::ChildRecord r;
  r.id = 3;
  r.kind = shm::ChildKind::kTranscode;
  r.pid = 777;
  r.restarts = 1;
  r.started_at = 1700000000;
  r.name = "small";
  r.source = kKey;
  r.output = "__defaultVhost__/live/cam_small";
  r.last_exit = "exited with status 1 (its last line: Broken pipe)";
  f.control.children().write(0, r);
  shm::ChildRecord e;
  e.id = 4;
  e.kind = shm::ChildKind::kExec;
  e.name = "on_publish";
  e.source = kKey;
  f.control.children().write(1, e);

  std::string list = f.get("/api/v1/children").members;
  CHECK(has(list,
            "\"children\":[{\"id\":\"c3\",\"kind\":\"transcode\",\"name\":\"small\","
            "\"source\":\"__defaultVhost__/live/cam\",\"output\":\"__defaultVhost__/live/"
            "cam_small\",\"pid\":777,\"state\":\"running\",\"restarts\":1,\"started_at\":"
            "1700000000,\"last_exit\":\"exited with status 1 (its last line: Broken "
            "pipe)\"},{\"id\":\"c4\",\"kind\":\"exec\""));
  CHECK(has(list, "\"total\":2"));
  CHECK(has(f.get("/api/v1/children/c4").members, "\"child\":{\"id\":\"c4\""));
  ApiReply missing = f.get("/api/v1/children/c9");
  CHECK(missing.code == 2051);

  std::string s =
      f.get("/api/v1/streams/s" + std::to_string(out.slot) + "-" + std::to_string(out.generation))
          .members;
  CHECK(has(s,
            "\"transcoder\":{\"id\":\"c3\",\"engine\":\"small\",\"source\":\"__defaultVhost__/"
            "live/cam\",\"pid\":777},\"ingest\":null"));
  CHECK(has(f.get("/api/v1/streams").members, "\"upstream\":null,\"transcoder\":null"));
}

TEST_CASE("dvrs: every live stream's DVR; start and stop requests land in its registry slot") {
  Fixture f;
  f.config.vhosts.front().dvr.enabled = true;
  f.config.vhosts.front().dvr.apply = {{"live", "other"}};
  shm::StreamRef ref = f.publish();
  auto call = [&](std::string_view method, std::string_view path, std::string_view query = {}) {
    ApiReply reply;
    REQUIRE(worker::route_dvrs_api(f.svc, ApiRequest{method, path, query, {}}, &reply));
    return reply;
  };
  const std::string id = "s" + std::to_string(ref.slot) + "-" + std::to_string(ref.generation);
  std::string list = call("GET", "/api/v1/dvrs").members;
  CHECK(has(list, "\"dvrs\":[{\"stream\":\"" + id +
                      "\",\"vhost\":\"__defaultVhost__\",\"app\":\"live\",\"name\":\"cam\","
                      "\"recording\":false,\"configured\":false,\"request\":\"none\""));
  CHECK(has(list, "\"total\":1"));

  CHECK(has(call("POST", "/api/v1/dvrs/" + id, "action=start").members, "\"request\":\"start\""));
  CHECK(f.control.registry().dvr_request(ref.slot, ref.generation) == shm::DvrRequest::kStart);
  f.control.registry().stats(ref.slot).dvr_recording.store(1);  // what the owner's DVR writes
  CHECK(has(call("GET", "/api/v1/dvrs/" + id).members,
            "\"recording\":true,\"configured\":false,\"request\":\"start\""));
  call("DELETE", "/api/v1/dvrs/" + id);
  CHECK(f.control.registry().dvr_request(ref.slot, ref.generation) == shm::DvrRequest::kStop);

  ApiReply bad = call("POST", "/api/v1/dvrs/" + id, "action=pause");
  CHECK(bad.status == 400);
  CHECK(has(bad.members, "action 'pause': expected start or stop"));
  CHECK(call("POST", "/api/v1/dvrs/s9-9", "action=start").code == 2048);
  CHECK(call("POST", "/api/v1/dvrs").status == 405);
  ApiReply other;
  CHECK_FALSE(worker::route_dvrs_api(f.svc, ApiRequest{"GET", "/api/v1/streams", {}, {}}, &other));
}
