// Connections::close_kicked as the owner worker runs it when its doorbell
// rings: exactly the connections whose client entry was kicked are closed
// (and destroyed at the end of the loop iteration), the others stay.
#include "worker/core/connections.hpp"

#include <doctest/doctest.h>
#include <event2/event.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "shm/control.hpp"
#include "worker/core/services.hpp"

using namespace srs;

namespace {

struct FakeConn final : worker::Connection {
  worker::Connections& conns;
  std::string* why_out;
  FakeConn(worker::Services& svc, worker::Connections& c, std::string* why)
      : conns(c), why_out(why) {
    client().claim(svc, shm::ClientType::kRtmpPlay, cid(), "127.0.0.1:1000");
  }
  void close(const std::string& why) override {
    *why_out = why;
    conns.close(this);
  }
};

}  // namespace

TEST_CASE("a kicked client's connection is closed, the others are not") {
  auto control = std::move(shm::Control::create(shm::ControlSizes{4, 8})).value();
  event_base* base = event_base_new();
  REQUIRE(base != nullptr);
  {
    worker::Services svc;
    svc.control = &control;
    svc.slot = 1;
    svc.pid = uint32_t(::getpid());
    worker::Connections conns(base);
    std::string why_a, why_b;
    auto* a = static_cast<FakeConn*>(conns.add(std::make_unique<FakeConn>(svc, conns, &why_a)));
    conns.add(std::make_unique<FakeConn>(svc, conns, &why_b));
    REQUIRE(a->client().listed());
    const base::ContextId a_id = a->cid();  // `a` is destroyed below
    CHECK(conns.close_kicked() == 0);

    auto info = control.clients().find(a_id);
    REQUIRE(info.is_ok());
    REQUIRE(control.clients().kick(info->index, info->incarnation).is_ok());
    CHECK(conns.close_kicked() == 1);
    CHECK(why_a == "kicked through the HTTP API");
    CHECK(why_b.empty());
    CHECK(conns.size() == 1);
    CHECK(conns.close_kicked() == 0);        // closing already: not twice
    event_base_loop(base, EVLOOP_NONBLOCK);  // the reaper destroys it: its entry is released
    CHECK_FALSE(control.clients().find(a_id).is_ok());
  }
  event_base_free(base);
}
