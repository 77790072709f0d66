// A connection's client entry: claimed, described, counted and released as
// the API sees it in the shared client table; a full table serves unlisted.
#include "worker/core/client_entry.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <string>

#include "shm/control.hpp"
#include "worker/core/services.hpp"

using namespace srs;
using srs::worker::ClientEntryHolder;

namespace {

struct Fixture {
  shm::Control control;
  worker::Services svc;
  explicit Fixture(uint32_t max_clients = 4)
      : control(std::move(shm::Control::create(shm::ControlSizes{4, max_clients})).value()) {
    svc.control = &control;
    svc.slot = 2;
    svc.pid = uint32_t(::getpid());
  }
  uint32_t active() {
    uint32_t n = 0;
    control.clients().for_each([&](const shm::ClientInfo&) { n++; });
    return n;
  }
};

base::ContextId cid(const char* text) {
  base::ContextId id;
  std::snprintf(id.text, sizeof id.text, "%s", text);
  return id;
}

}  // namespace

TEST_CASE("the peer's address without its port") {
  CHECK(worker::peer_address_ip("127.0.0.1:51234") == "127.0.0.1");
  CHECK(worker::peer_address_ip("[::1]:1935") == "::1");
  CHECK(worker::peer_address_ip("[fe80::1%eth0]:80") == "fe80::1%eth0");
  CHECK(worker::peer_address_ip("::1") == "::1");
  CHECK(worker::peer_address_ip("10.0.0.1") == "10.0.0.1");
  CHECK(worker::peer_address_ip("") == "");
}

TEST_CASE("claimed at accept, described at play, counted, released at close") {
  Fixture f;
  {
    ClientEntryHolder h;
    h.claim(f.svc, shm::ClientType::kUnknown, cid("abcd1234"), "192.168.1.7:40000");
    REQUIRE(h.listed());
    auto info = f.control.clients().find(cid("abcd1234"));
    REQUIRE(info.is_ok());
    CHECK(info->type == shm::ClientType::kUnknown);
    CHECK(std::string(info->ip) == "192.168.1.7");
    CHECK(info->owner_slot == 2);
    CHECK(info->owner_pid == uint32_t(::getpid()));
    CHECK(std::string(info->stream).empty());

    h.describe(shm::ClientType::kRtmpPlay, shm::kNoSlot, 0, "__defaultVhost__/live/cam");
    h.add_in(100);
    h.add_out(5000);
    h.add_out(3000);
    info = f.control.clients().find(cid("abcd1234"));
    REQUIRE(info.is_ok());
    CHECK(info->type == shm::ClientType::kRtmpPlay);
    CHECK(std::string(info->stream) == "__defaultVhost__/live/cam");
    CHECK(info->bytes_in == 0);  // counted, not yet flushed
    CHECK(info->bytes_out == 0);
    h.flush_traffic();
    info = f.control.clients().find(cid("abcd1234"));
    CHECK(info->bytes_in == 100);
    CHECK(info->bytes_out == 8000);
    h.flush_traffic();  // nothing new: nothing added twice
    h.add_out(1);
    h.add_out(ClientEntryHolder::kFlushAtBytes);  // past the bound: flushed at once
    info = f.control.clients().find(cid("abcd1234"));
    CHECK(info->bytes_in == 100);
    CHECK(info->bytes_out == 8001 + ClientEntryHolder::kFlushAtBytes);
    CHECK_FALSE(h.kicked());

    auto owner = f.control.clients().kick(info->index, info->incarnation);
    REQUIRE(owner.is_ok());
    CHECK(*owner == 2);
    CHECK(h.kicked());
    CHECK(f.active() == 1);
  }
  CHECK(f.active() == 0);  // the destructor released it
}

TEST_CASE("a full table: the connection is served unlisted, every call a no-op") {
  Fixture f(1);
  ClientEntryHolder first, second;
  first.claim(f.svc, shm::ClientType::kUnknown, cid("11111111"), "127.0.0.1:1");
  second.claim(f.svc, shm::ClientType::kUnknown, cid("22222222"), "127.0.0.1:2");
  CHECK(first.listed());
  CHECK_FALSE(second.listed());
  second.describe(shm::ClientType::kFlvPlay, shm::kNoSlot, 0, "v/a/s");
  second.add_in(1);
  second.add_out(1);
  CHECK_FALSE(second.kicked());
  second.release();
  CHECK(f.active() == 1);
  first.release();
  CHECK(f.active() == 0);
  first.release();  // twice is harmless
}
