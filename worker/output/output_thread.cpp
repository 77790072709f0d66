// The worker's output thread (see output_thread.hpp).
#include "worker/output/output_thread.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>

#include "base/clock.hpp"

namespace srs::worker {

OutputThread::OutputThread(std::vector<std::unique_ptr<OutputFactory>> factories,
                           shm::WorkerCounters& counters)
    : factories_(std::move(factories)),
      counters_(counters),
      notes_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::thread([this] { run(); });
}

OutputThread::~OutputThread() {
  stop();
}

void OutputThread::add(std::unique_ptr<OutputFeed> feed) {
  std::lock_guard<std::mutex> lock(mu_);
  Command c;
  c.feed = std::move(feed);
  commands_.push_back(std::move(c));
  wake_.notify_one();
}

void OutputThread::finish(uint32_t stream_slot, uint32_t generation, uint32_t tail) {
  std::lock_guard<std::mutex> lock(mu_);
  commands_.push_back(Command{nullptr, stream_slot, generation, tail});
  wake_.notify_one();
}

void OutputThread::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void OutputThread::post(OutputNote note) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notes_.push_back(std::move(note));
  }
  uint64_t one = 1;
  ssize_t unused = ::write(notes_fd_.get(), &one, sizeof one);
  (void)unused;  // a full counter already rings
}

std::vector<OutputNote> OutputThread::take_notes() {
  uint64_t count = 0;
  ssize_t unused = ::read(notes_fd_.get(), &count, sizeof count);
  (void)unused;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutputNote> out;
  out.swap(notes_);
  return out;
}

size_t OutputThread::feeds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return feed_count_;
}

void OutputThread::count_feeds() {
  std::lock_guard<std::mutex> lock(mu_);
  feed_count_ = feeds_.size();
}

void OutputThread::run() {
  std::deque<Command> todo;
  for (bool last = false; !last;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(kPollMs),
                     [this] { return stopping_ || !commands_.empty(); });
      todo.swap(commands_);
      last = stopping_;
    }
    uint64_t now = uint64_t(base::mono_ms());
    for (Command& c : todo) handle(c, now);
    todo.clear();
    count_feeds();  // before the sinks post notes: who reads a note sees the feed counted
    pump_all(now);
    tick_all(now);
    count_feeds();
  }
  // The worker exits: whatever was not finished ends where its ring is now.
  uint64_t now = uint64_t(base::mono_ms());
  for (auto& f : feeds_) count_lost(*f, f->finish(f->event().tail, now));
  feeds_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  feed_count_ = 0;
}

void OutputThread::handle(Command& c, uint64_t now_ms) {
  if (c.feed) return start_feed(std::move(c.feed));
  finish_feed(c, now_ms);
}

void OutputThread::start_feed(std::unique_ptr<OutputFeed> feed) {
  for (auto& f : factories_) {
    if (auto sink = f->make(feed->event(), *this)) feed->add(std::move(sink));
  }
  if (!feed->empty()) feeds_.push_back(std::move(feed));
}

// Reads the publish to its end at once, before a later command (a new
// publish of the same stream) can start outputs of the same name.
void OutputThread::finish_feed(const Command& c, uint64_t now_ms) {
  for (auto it = feeds_.begin(); it != feeds_.end(); ++it) {
    const PublishEvent& e = (*it)->event();
    if (e.stream_slot != c.slot || e.generation != c.generation) continue;
    count_lost(**it, (*it)->finish(c.tail, now_ms));
    feeds_.erase(it);
    return;
  }
}

void OutputThread::pump_all(uint64_t now_ms) {
  for (auto& f : feeds_) count_lost(*f, f->pump(now_ms));
}

void OutputThread::tick_all(uint64_t now_ms) {
  if (now_ms < next_tick_ms_) return;
  next_tick_ms_ = now_ms + 1000;
  for (auto& f : feeds_) f->tick(now_ms);
  for (auto& f : factories_) f->on_tick(now_ms, *this);
}

void OutputThread::count_lost(const OutputFeed& feed, uint32_t lost) {
  if (lost == 0) return;
  counters_.output_gaps.fetch_add(1, std::memory_order_relaxed);
  log(base::LogLevel::kWarn,
      "outputs of " + feed.event().key + ": " + std::to_string(lost) +
          " records lost: the outputs (HLS, DVR) fell a ring's worth behind the publisher "
          "(a stalled disk?); they go on from the newest keyframe",
      feed.event().source.client_id);
}

}  // namespace srs::worker
