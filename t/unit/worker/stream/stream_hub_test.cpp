// StreamHub's wake-ups: a stream asleep on its ring is flushed when its writer
// committed, and left alone when another stream's writer rang the worker.
// A real control region, ring segments and eventfd doorbells; the hub's loop
// is run by hand (EVLOOP_NONBLOCK).
#include "worker/stream/stream_hub.hpp"

#include <doctest/doctest.h>
#include <event2/event.h>
#include <unistd.h>

#include <string>

#include "shm/control.hpp"
#include "shm/ring_writer.hpp"
#include "shm/segment.hpp"
#include "shm/wakeup.hpp"
#include "worker/core/services.hpp"

using namespace srs;
using srs::worker::LocalStream;
using srs::worker::StreamHub;

namespace {

constexpr uint32_t kSlot = 1;
constexpr uint32_t kRingBytes = 64 * 1024;

// A subscriber that takes everything at once and counts the calls.
struct CountingSubscriber : worker::StreamSubscriber {
  int data_calls = 0;
  bool on_stream_data() override {
    ++data_calls;
    return true;
  }
  void on_stream_state() override {}
};

// One published stream: its registry entry and the ring its writer appends to.
struct Published {
  shm::Segment segment;
  shm::RingWriter writer;
};

struct Fixture {
  shm::Control control;
  shm::Wakeups wakeups;
  event_base* base = event_base_new();
  worker::Services svc;
  conf::PlayConfig play;

  Fixture()
      : control(std::move(shm::Control::create(shm::ControlSizes{8, 8})).value()),
        wakeups(std::move(shm::Wakeups::create()).value()) {
    svc.base = base;
    svc.control = &control;
    svc.wakeups = &wakeups;
    svc.slot = kSlot;
    svc.pid = uint32_t(::getpid());
    play.merge_window = conf::MergeWindow{false, conf::Duration{0}};  // realtime
  }
  ~Fixture() {
    event_base_free(base);
    (void)shm::remove_instance_segments(control.instance());
  }

  void publish(const std::string& key, Published* out) {
    shm::Registry& reg = control.registry();
    auto ref = reg.publish(key, shm::Owner{0, svc.pid});
    REQUIRE(ref.is_ok());
    auto seg = shm::Segment::create(control.ring_name(ref->slot, 1), shm::bytes_for(kRingBytes));
    REQUIRE(seg.is_ok());
    out->segment = std::move(*seg);
    shm::RingOptions opts;
    opts.capacity = kRingBytes;
    REQUIRE(out->writer.init(out->segment.data(), out->segment.size(), opts).is_ok());
    REQUIRE(reg.set_ring_epoch(*ref, 1).is_ok());
  }

  // The writer's commit rings the workers whose readers sleep on its ring.
  void write_frame(Published& p) {
    shm::RecordMeta meta;
    meta.type = shm::RecordType::kVideo;
    const uint8_t body[] = {0x27, 0x01, 0, 0, 0, 1, 2, 3};
    REQUIRE(p.writer.append(meta, shm::ConstBytes(body, sizeof body)).is_ok());
    p.writer.commit().for_each([&](uint32_t slot) { wakeups.wake(slot); });
  }

  void run_loop() { event_base_loop(base, EVLOOP_NONBLOCK); }
};

}  // namespace

TEST_CASE("a wake-up flushes the streams whose rings moved, not every stream the worker reads") {
  Fixture f;
  Published a, b;
  f.publish("v/live/a", &a);
  f.publish("v/live/b", &b);
  StreamHub hub(f.svc);
  CountingSubscriber sub_a, sub_b;
  shm::StreamState state;
  std::string why;
  LocalStream* la = hub.attach("v/live/a", &sub_a, f.play, &state, &why);
  LocalStream* lb = hub.attach("v/live/b", &sub_b, f.play, &state, &why);
  REQUIRE(la != nullptr);
  REQUIRE(lb != nullptr);
  hub.maybe_sleep(la);  // both caught up: asleep on their rings
  hub.maybe_sleep(lb);
  CHECK(la->sleeping);
  CHECK(lb->sleeping);

  f.write_frame(a);  // rings this worker for ring a only
  f.run_loop();
  CHECK(sub_a.data_calls == 1);
  CHECK(sub_b.data_calls == 0);  // its tail did not move
  CHECK(la->sleeping);           // flushed, caught up, asleep again
  CHECK(lb->sleeping);

  f.write_frame(b);
  f.write_frame(a);
  f.run_loop();
  CHECK(sub_a.data_calls == 2);
  CHECK(sub_b.data_calls == 1);

  SUBCASE("a doorbell rung for something else (a kick, the registry) flushes nothing") {
    f.wakeups.wake(kSlot);
    f.run_loop();
    CHECK(sub_a.data_calls == 2);
    CHECK(sub_b.data_calls == 1);
  }
  hub.detach(la, &sub_a);
  hub.detach(lb, &sub_b);
}
