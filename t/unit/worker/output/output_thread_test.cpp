// OutputThread driven the way the loop drives it (add, finish, stop; notes
// through the eventfd) with a fake factory whose sinks record what they get
// and post a note per call: sinks made on the thread, records delivered in
// order while the test keeps writing the ring, the finish of one publish
// (slot and generation) and not another, notes in order, lost records in
// the worker's output_gaps. Every wait is a bounded loop on a condition.
#include "worker/output/output_thread.hpp"

#include <doctest/doctest.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "t/unit/worker/output/recording_sink.hpp"

using namespace srs;
using srs::test::SinkEvent;
using srs::test::SinkLog;
using srs::worker::MediaKind;
using srs::worker::OutputNote;
using srs::worker::OutputThread;

namespace {

// Records like RecordingSink and posts "record TS", "gap", "finish".
class NotingSink final : public worker::OutputSink {
 public:
  NotingSink(std::shared_ptr<SinkLog> log, worker::Mailbox& mailbox)
      : rec_(log), mailbox_(mailbox) {}
  void on_record(const worker::MediaRecord& r, uint64_t now) override {
    rec_.on_record(r, now);
    mailbox_.log(base::LogLevel::kInfo, "record " + std::to_string(r.timestamp));
  }
  void on_gap(uint32_t lost_ms, uint64_t now) override {
    rec_.on_gap(lost_ms, now);
    mailbox_.log(base::LogLevel::kInfo, "gap");
  }
  void on_finish(uint64_t now) override {
    rec_.on_finish(now);
    mailbox_.log(base::LogLevel::kInfo, "finish");
  }

 private:
  test::RecordingSink rec_;
  worker::Mailbox& mailbox_;
};

// What the factory made, and where: the test reads it while the thread runs.
struct Made {
  std::mutex mu;
  std::vector<std::shared_ptr<SinkLog>> logs;  // one per sink, in the order made
  std::vector<std::thread::id> threads;
  std::shared_ptr<SinkLog> log(size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    return i < logs.size() ? logs[i] : nullptr;
  }
};

class FakeFactory final : public worker::OutputFactory {
 public:
  explicit FakeFactory(std::shared_ptr<Made> made) : made_(std::move(made)) {}
  std::unique_ptr<worker::OutputSink> make(const worker::PublishEvent& e,
                                           worker::Mailbox& mailbox) override {
    if (e.key == "__defaultVhost__/live/off") return nullptr;  // this output is off there
    auto log = std::make_shared<SinkLog>();
    std::lock_guard<std::mutex> lock(made_->mu);
    made_->logs.push_back(log);
    made_->threads.push_back(std::this_thread::get_id());
    return std::make_unique<NotingSink>(log, mailbox);
  }

 private:
  std::shared_ptr<Made> made_;
};

struct Fixture {
  std::shared_ptr<Made> made = std::make_shared<Made>();
  shm::WorkerCounters counters;
  std::vector<OutputNote> notes;  // every note taken so far, in order
  std::unique_ptr<OutputThread> thread;

  Fixture() {
    std::vector<std::unique_ptr<worker::OutputFactory>> factories;
    factories.push_back(std::make_unique<FakeFactory>(made));
    thread = std::make_unique<OutputThread>(std::move(factories), counters);
  }

  // Takes notes as their doorbell rings until `done()`, for at most ~10 s.
  template <class Pred>
  bool wait_notes(Pred done) {
    for (int i = 0; i < 1000 && !done(); ++i) {
      pollfd p{thread->notes_fd(), POLLIN, 0};
      if (::poll(&p, 1, 10) != 1) continue;
      for (OutputNote& n : thread->take_notes()) notes.push_back(std::move(n));
    }
    return done();
  }
  bool has_note(const std::string& text) const {
    for (const auto& n : notes)
      if (n.text == text) return true;
    return false;
  }
  size_t count_notes(const std::string& text) const {
    size_t k = 0;
    for (const auto& n : notes) k += n.text == text;
    return k;
  }
  // Waits (bounded) until the thread holds `n` feeds.
  bool wait_feeds(size_t n) {
    for (int i = 0; i < 10000 && thread->feeds() != n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return thread->feeds() == n;
  }
};

std::vector<std::string> texts(const std::vector<OutputNote>& notes) {
  std::vector<std::string> out;
  for (const auto& n : notes) out.push_back(n.text);
  return out;
}

}  // namespace

TEST_CASE("output thread: sinks made on the thread get the records, then on_finish") {
  Fixture f;
  test::SegmentRing ring;
  auto feed = test::make_feed(ring, test::publish_event(3, 7));
  test::put(ring.writer, MediaKind::kMetadata, 0, test::metadata_body());
  test::put(ring.writer, MediaKind::kVideo, 0, test::avc_sequence_header());
  f.thread->add(std::move(feed));
  REQUIRE(f.wait_notes([&] { return f.has_note("record 0") && f.count_notes("record 0") == 2; }));
  CHECK(f.thread->feeds() == 1);
  {
    std::lock_guard<std::mutex> lock(f.made->mu);
    REQUIRE(f.made->threads.size() == 1);
    CHECK(f.made->threads[0] != std::this_thread::get_id());
  }

  // The publisher goes on while the thread reads.
  for (uint32_t ts = 40; ts <= 400; ts += 40) {
    test::put(ring.writer, MediaKind::kVideo, ts, test::avc_frame(ts == 40));
  }
  REQUIRE(f.wait_notes([&] { return f.has_note("record 400"); }));
  uint32_t end = ring.writer.tail();
  f.thread->finish(3, 7, end);
  REQUIRE(f.wait_notes([&] { return f.has_note("finish"); }));
  CHECK(f.wait_feeds(0));

  // The notes come out in the order the sink posted them.
  std::vector<std::string> want = {"record 0", "record 0"};
  for (uint32_t ts = 40; ts <= 400; ts += 40) want.push_back("record " + std::to_string(ts));
  want.push_back("finish");
  CHECK(texts(f.notes) == want);
  auto log = f.made->log(0);
  REQUIRE(log);
  auto records = log->records();
  REQUIRE(records.size() == 12);
  CHECK(records[0].media == MediaKind::kMetadata);
  CHECK(records[0].body == test::metadata_body());
  CHECK(records[1].body == test::avc_sequence_header());
  CHECK(records[2].body == test::avc_frame(true));
  CHECK(log->count(SinkEvent::kFinish) == 1);
  CHECK(f.counters.output_gaps.load() == 0);
}

TEST_CASE("output thread: finish(slot, generation) ends that publish's feed only") {
  Fixture f;
  test::SegmentRing a, b;
  f.thread->add(test::make_feed(a, test::publish_event(3, 7)));
  f.thread->add(test::make_feed(b, test::publish_event(3, 8)));  // the slot's next publish
  auto off = test::publish_event(4, 1);
  off.key = "__defaultVhost__/live/off";
  test::SegmentRing c;
  f.thread->add(test::make_feed(c, off));  // no sink for it: not kept
  REQUIRE(f.wait_feeds(2));

  test::put(a.writer, MediaKind::kAudio, 10, test::aac_frame());
  test::put(b.writer, MediaKind::kAudio, 20, test::aac_frame());
  REQUIRE(f.wait_notes([&] { return f.has_note("record 10") && f.has_note("record 20"); }));
  f.thread->finish(3, 7, a.writer.tail());
  REQUIRE(f.wait_notes([&] { return f.has_note("finish"); }));
  CHECK(f.wait_feeds(1));
  auto la = f.made->log(0), lb = f.made->log(1);
  REQUIRE(la);
  REQUIRE(lb);
  CHECK(la->count(SinkEvent::kFinish) == 1);
  CHECK(lb->count(SinkEvent::kFinish) == 0);

  // The other feed still delivers.
  test::put(b.writer, MediaKind::kAudio, 30, test::aac_frame());
  REQUIRE(f.wait_notes([&] { return f.has_note("record 30"); }));
  f.thread->finish(3, 8, b.writer.tail());
  REQUIRE(f.wait_notes([&] { return f.count_notes("finish") == 2; }));
  CHECK(f.wait_feeds(0));
  CHECK(lb->records().size() == 2);
}

TEST_CASE("output thread: a lapped feed counts in output_gaps, with a warning note") {
  Fixture f;
  test::SegmentRing ring(1u << 16);
  auto feed = test::make_feed(ring, test::publish_event(2, 5));
  // The publisher wrote three rings' worth before the thread read a byte.
  test::put(ring.writer, MediaKind::kMetadata, 0, test::metadata_body());
  test::put(ring.writer, MediaKind::kVideo, 0, test::avc_sequence_header());
  for (uint32_t i = 0; i < 200; ++i) {
    test::put(ring.writer, MediaKind::kVideo, 40 * i, test::avc_frame(i % 10 == 0, 0, 1000));
  }
  f.thread->add(std::move(feed));
  auto warned = [&] {
    for (const auto& n : f.notes)
      if (n.level == base::LogLevel::kWarn) return true;
    return false;
  };
  REQUIRE(f.wait_notes(warned));
  CHECK(f.counters.output_gaps.load() == 1);
  const OutputNote* warning = nullptr;
  for (const auto& n : f.notes)
    if (n.level == base::LogLevel::kWarn) warning = &n;
  REQUIRE(warning != nullptr);
  CHECK(warning->text.find("outputs of __defaultVhost__/live/cam: ") == 0);
  CHECK(warning->text.find(" records lost") != std::string::npos);
  CHECK(warning->cid == "pub00001");
  CHECK(f.has_note("gap"));
  // The sink heard of the gap before the records it resumed with.
  auto log = f.made->log(0);
  REQUIRE(log);
  auto events = log->snapshot();
  REQUIRE_FALSE(events.empty());
  CHECK(events[0].kind == SinkEvent::kGap);
  f.thread->stop();
}

TEST_CASE("output thread: stop() gives what was written and finishes every feed") {
  Fixture f;
  test::SegmentRing ring;
  auto feed = test::make_feed(ring);
  for (uint32_t ts = 0; ts < 200; ts += 20)
    test::put(ring.writer, MediaKind::kAudio, ts, test::aac_frame());
  f.thread->add(std::move(feed));
  f.thread->stop();
  f.thread->stop();  // twice is harmless
  for (OutputNote& n : f.thread->take_notes()) f.notes.push_back(std::move(n));
  CHECK(f.count_notes("finish") == 1);
  auto log = f.made->log(0);
  REQUIRE(log);
  CHECK(log->records().size() == 10);
  CHECK(log->count(SinkEvent::kFinish) == 1);
  CHECK(f.thread->feeds() == 0);
}
