// ClientTable: claim, describe, read, kick, release; consistent snapshots under a racing writer.
#include "shm/clients.hpp"

#include <doctest/doctest.h>
#include <poll.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "base/clock.hpp"
#include "t/unit/shm/control_fixture.hpp"

using srs::base::ContextId;
using srs::base::Errc;
using srs::shm::ClientInfo;
using srs::shm::ClientRef;
using srs::shm::ClientTable;
using srs::shm::ClientType;
using srs::shm::Owner;
using srs::test::kNearWrap;

namespace {
ContextId cid(const char* text) {
  ContextId id;
  snprintf(id.text, sizeof(id.text), "%s", text);
  return id;
}
}  // namespace

TEST_CASE("claim, describe, read and release a client entry") {
  auto c = srs::test::make_control();
  ClientTable& t = c.clients();
  auto ref =
      t.claim(Owner{3, 333}, ClientType::kRtmpPlay, cid("l33qz6k1"), "2001:db8::1", 1700000000);
  REQUIRE(ref.is_ok());
  CHECK(ref->worker_slot == 3);
  CHECK(ref->incarnation == kNearWrap + 1);

  ClientInfo info;
  REQUIRE(t.read(ref->index, &info));
  CHECK(info.owner_slot == 3);
  CHECK(info.owner_pid == 333);
  CHECK(info.type == ClientType::kRtmpPlay);
  CHECK(std::string(info.id) == "l33qz6k1");
  CHECK(std::string(info.ip) == "2001:db8::1");
  CHECK(std::string(info.stream).empty());
  CHECK(info.stream_slot == srs::shm::kNoSlot);
  CHECK(info.started_at == 1700000000);
  CHECK_FALSE(info.kicked);

  REQUIRE(t.set_stream(*ref, ClientType::kFmlePublish, 4, 9, "v/live/cam").is_ok());
  t.bytes_in(*ref).add(0x100000001ull);
  t.bytes_out(*ref).add(7);
  REQUIRE(t.read(ref->index, &info));
  CHECK(info.type == ClientType::kFmlePublish);
  CHECK(std::string(srs::shm::client_type_name(info.type)) == "fmle-publish");
  CHECK(std::string(info.stream) == "v/live/cam");
  CHECK(info.stream_slot == 4);
  CHECK(info.stream_generation == 9);
  CHECK(info.bytes_in == 0x100000001ull);
  CHECK(info.bytes_out == 7);

  auto found = t.find(cid("l33qz6k1"));
  REQUIRE(found.is_ok());
  CHECK(found->index == ref->index);
  CHECK(t.find(cid("nobody00")).status().code() == Errc::kNotFound);

  int seen = 0;
  t.for_each([&](const ClientInfo& ci) { seen += ci.index == ref->index; });
  CHECK(seen == 1);

  // Another worker cannot release or describe it.
  ClientRef stranger = *ref;
  stranger.worker_slot = 4;
  CHECK(t.release(stranger).code() == Errc::kRejected);
  CHECK(t.set_stream(stranger, ClientType::kRtmpPlay, 1, 1, "v/a/b").code() == Errc::kRejected);

  REQUIRE(t.release(*ref).is_ok());
  CHECK_FALSE(t.read(ref->index, &info));
  CHECK(t.release(*ref).code() == Errc::kRejected);
}

TEST_CASE("claims are refused clearly when the table is full or the input is bad") {
  auto c = srs::test::make_control(4, 3);
  ClientTable& t = c.clients();
  CHECK(t.claim(Owner{64, 1}, ClientType::kRtmpPlay, cid("a"), "1.2.3.4", 1).status().code() ==
        Errc::kInvalid);
  CHECK(t.claim(Owner{1, 1}, ClientType::kRtmpPlay, cid("a"), std::string(48, '1'), 1)
            .status()
            .code() == Errc::kInvalid);
  ClientRef refs[3];
  for (auto& r : refs) {
    auto x = t.claim(Owner{1, 1}, ClientType::kFlvPlay, cid("abcdefgh"), "127.0.0.1", 1);
    REQUIRE(x.is_ok());
    r = *x;
  }
  CHECK(t.claim(Owner{2, 2}, ClientType::kFlvPlay, cid("x"), "127.0.0.1", 1).status().code() ==
        Errc::kTooLarge);
  REQUIRE(t.release(refs[1]).is_ok());
  auto again = t.claim(Owner{2, 2}, ClientType::kHlsPlay, cid("x"), "127.0.0.1", 1);
  REQUIRE(again.is_ok());
  CHECK(again->index == refs[1].index);
  CHECK(again->incarnation != refs[1].incarnation);
}

TEST_CASE("incarnations wrap past 2^32 without ever being 0") {
  auto c = srs::test::make_control(4, 1);
  ClientTable& t = c.clients();
  uint32_t seen[5];
  for (uint32_t& s : seen) {
    auto r = t.claim(Owner{1, 1}, ClientType::kRtmpPlay, cid("a"), "::1", 1);
    REQUIRE(r.is_ok());
    s = r->incarnation;
    CHECK_FALSE(t.kicked(*r));  // a fresh entry is never "kicked" (kick word 0)
    REQUIRE(t.release(*r).is_ok());
  }
  CHECK(seen[0] == 0xFFFFFFFDu);
  CHECK(seen[2] == 0xFFFFFFFFu);
  CHECK(seen[3] == 1u);
  CHECK(seen[4] == 2u);
}

TEST_CASE("kick reaches the owner, and never the next connection in the same entry") {
  auto c = srs::test::make_control();
  auto wakeups = srs::shm::Wakeups::create();
  REQUIRE(wakeups.is_ok());
  ClientTable& t = c.clients();
  auto ref = t.claim(Owner{6, 66}, ClientType::kRtmpPlay, cid("kickme00"), "10.0.0.1", 1);
  REQUIRE(ref.is_ok());

  auto owner = c.kick_client(ref->index, ref->incarnation, *wakeups);
  REQUIRE(owner.is_ok());
  CHECK(*owner == 6);
  pollfd p{wakeups->fd(6), POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 1);  // the owner's doorbell rang
  CHECK(c.workers().take_kicks(6));
  CHECK(t.kicked(*ref));
  ClientInfo info;
  REQUIRE(t.read(ref->index, &info));
  CHECK(info.kicked);

  // The connection closes; a new one takes the entry: the old kick is not its.
  REQUIRE(t.release(*ref).is_ok());
  CHECK(c.kick_client(ref->index, ref->incarnation, *wakeups).status().code() == Errc::kNotFound);
  auto next = t.claim(Owner{6, 66}, ClientType::kRtmpPlay, cid("next0000"), "10.0.0.2", 2);
  REQUIRE(next.is_ok());
  CHECK(next->index == ref->index);
  CHECK_FALSE(t.kicked(*next));
  CHECK(t.kick(ref->index, ref->incarnation).status().code() == Errc::kNotFound);
  CHECK_FALSE(t.kicked(*next));
}

TEST_CASE("a reader never sees a torn or mixed snapshot while the owner rewrites the entry") {
  auto c = srs::test::make_control(4, 2);
  ClientTable& t = c.clients();
  auto ref = t.claim(Owner{1, 1}, ClientType::kRtmpPlay, cid("aaaaaaaa"), "1.1.1.1", 1);
  REQUIRE(ref.is_ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, good{0};
  std::thread reader([&] {
    ClientInfo info;
    while (!done.load()) {
      if (!t.read(ref->index, &info)) continue;
      // Each write sets the type, the slot and the stream name together.
      const bool a = info.type == ClientType::kRtmpPlay && info.stream_slot == 1 &&
                     strcmp(info.stream, "v/live/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") == 0;
      const bool b = info.type == ClientType::kFlvPlay && info.stream_slot == 2 &&
                     strcmp(info.stream, "v/x/b") == 0;
      const bool fresh = info.stream_slot == srs::shm::kNoSlot;
      (a || b || fresh) ? good.fetch_add(1) : bad.fetch_add(1);
    }
  });
  // Owners rewrite an entry rarely; here as fast as possible, with a pause
  // now and then so that reads also succeed, until enough of both happened.
  const int64_t deadline = srs::base::mono_ms() + 5000;
  for (int i = 0; (i < 20000 || good.load() < 200) && srs::base::mono_ms() < deadline; ++i) {
    const bool odd = i & 1;
    REQUIRE(t.set_stream(*ref, odd ? ClientType::kFlvPlay : ClientType::kRtmpPlay, odd ? 2 : 1, 0,
                         odd ? "v/x/b" : "v/live/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
                .is_ok());
    if (i % 16 == 0) std::this_thread::yield();
  }
  done = true;
  reader.join();
  CHECK(bad.load() == 0);
  CHECK(good.load() > 0);
}
