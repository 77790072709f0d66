// Test support for the outputs: a sink that records every call it gets (in
// a log the test keeps: the sink itself dies with its feed), and a feed over
// a SegmentRing attached where the publish starts, as Outputs::on_publish
// makes one.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "t/unit/worker/ring_fixture.hpp"
#include "worker/output/output_feed.hpp"
#include "worker/output/sink.hpp"

namespace srs::test {

struct SinkEvent {
  enum Kind { kRecord, kGap, kFinish } kind = kRecord;
  worker::MediaKind media = worker::MediaKind::kVideo;
  uint32_t timestamp = 0;
  std::vector<uint8_t> body;
  uint32_t lost_ms = 0;
};

// What sinks saw; locked, so a test thread may read what the output thread wrote.
struct SinkLog {
  mutable std::mutex mu;
  std::vector<SinkEvent> events;
  std::thread::id thread;  // of the last call

  void add(SinkEvent e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(std::move(e));
    thread = std::this_thread::get_id();
  }
  std::vector<SinkEvent> snapshot() const {
    std::lock_guard<std::mutex> lock(mu);
    return events;
  }
  size_t count(SinkEvent::Kind k) const {
    std::lock_guard<std::mutex> lock(mu);
    size_t n = 0;
    for (const auto& e : events) n += e.kind == k;
    return n;
  }
  // The records only, in order.
  std::vector<SinkEvent> records() const {
    std::vector<SinkEvent> out;
    for (auto& e : snapshot())
      if (e.kind == SinkEvent::kRecord) out.push_back(e);
    return out;
  }
};

class RecordingSink final : public worker::OutputSink {
 public:
  // `idle`: shared with the test, which wakes the sink (or puts it to sleep).
  explicit RecordingSink(std::shared_ptr<SinkLog> log, std::shared_ptr<bool> idle = nullptr)
      : log_(std::move(log)), idle_(std::move(idle)) {}
  bool idle() const override { return idle_ && *idle_; }
  void on_record(const worker::MediaRecord& r, uint64_t) override {
    log_->add({SinkEvent::kRecord, r.kind, r.timestamp, {r.body.begin(), r.body.end()}, 0});
  }
  void on_gap(uint32_t lost_ms, uint64_t) override {
    log_->add({SinkEvent::kGap, worker::MediaKind::kVideo, 0, {}, lost_ms});
  }
  void on_finish(uint64_t) override { log_->add({SinkEvent::kFinish, {}, 0, {}, 0}); }

 private:
  std::shared_ptr<SinkLog> log_;
  std::shared_ptr<bool> idle_;
};

inline worker::PublishEvent publish_event(uint32_t slot = 0, uint32_t generation = 1) {
  worker::PublishEvent e;
  e.key = "__defaultVhost__/live/cam";
  e.source.app = "live";
  e.source.stream = "cam";
  e.source.client_id = "pub00001";
  e.stream_slot = slot;
  e.generation = generation;
  return e;
}

// A feed of the publish starting at `ring`'s tail now, with no sink yet.
inline std::unique_ptr<worker::OutputFeed> make_feed(SegmentRing& ring,
                                                     worker::PublishEvent e = publish_event()) {
  e.tail = ring.writer.tail();
  shm::RingReader reader = ring.reader();
  return std::make_unique<worker::OutputFeed>(std::move(e), std::move(ring.seg), reader);
}

}  // namespace srs::test
