// OutputThread: the worker's thread for outputs (HLS, DVR). It owns every
// OutputFeed and OutputFactory of the worker and does all of their work:
// reading rings, muxing, and every file operation (open, write, rename,
// unlink, reading an old playlist). The loop that feeds players only posts
// commands to it and reads its notes: a stalled disk (an SD card on a board,
// a full NFS mount) stalls this thread, never a player or a publisher.
//
//   loop  --add(feed) / finish(slot, generation, tail)-->  thread
//   loop  <--notes (log lines, callbacks), through an eventfd--  thread
//
// The thread wakes for a command and every kPollMs to read the rings: an
// output is at most that much behind the live edge, and the thread costs
// nothing while nobody publishes. A feed the disk held back catches up from
// the ring when the disk comes back; one that fell a ring's worth behind
// skips (OutputFeed), counted in the worker's output_gaps and logged.
//
// Stopping (the worker exits) finishes every feed, so that files are
// complete and renamed, then joins the thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/fd.hpp"
#include "shm/workers.hpp"
#include "worker/output/output_feed.hpp"
#include "worker/output/sink.hpp"

namespace srs::worker {

class OutputThread final : public Mailbox {
 public:
  static constexpr int kPollMs = 100;

  // `counters`: the worker's shared counters (output_gaps is counted here).
  OutputThread(std::vector<std::unique_ptr<OutputFactory>> factories,
               shm::WorkerCounters& counters);
  ~OutputThread() override;  // stop() if still running
  OutputThread(const OutputThread&) = delete;
  OutputThread& operator=(const OutputThread&) = delete;

  // From the loop. The feed's sinks are made on the thread by the factories.
  void add(std::unique_ptr<OutputFeed> feed);
  void finish(uint32_t stream_slot, uint32_t generation, uint32_t tail);
  // Finishes every feed and joins the thread.
  void stop();

  // The notes' doorbell (readable when notes wait) and the notes, for the loop.
  int notes_fd() const noexcept { return notes_fd_.get(); }
  std::vector<OutputNote> take_notes();
  void post(OutputNote note) override;

  // For tests: feeds alive on the thread (a snapshot).
  size_t feeds() const;

 private:
  struct Command {
    std::unique_ptr<OutputFeed> feed;             // add
    uint32_t slot = 0, generation = 0, tail = 0;  // finish
  };

  void run();
  void count_feeds();
  void handle(Command& c, uint64_t now_ms);
  void start_feed(std::unique_ptr<OutputFeed> feed);
  void finish_feed(const Command& c, uint64_t now_ms);
  void pump_all(uint64_t now_ms);
  void tick_all(uint64_t now_ms);
  void count_lost(const OutputFeed& feed, uint32_t lost);

  std::vector<std::unique_ptr<OutputFactory>> factories_;  // thread only
  std::vector<std::unique_ptr<OutputFeed>> feeds_;         // thread only
  shm::WorkerCounters& counters_;
  uint64_t next_tick_ms_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Command> commands_;
  bool stopping_ = false;
  size_t feed_count_ = 0;  // feeds_.size(), for feeds()
  std::vector<OutputNote> notes_;
  base::Fd notes_fd_;  // eventfd
  std::thread thread_;
};

}  // namespace srs::worker
