// StreamHub: the streams this worker reads, and the players waiting for one.
//
// For each stream with local players the hub maps the stream's ring segment
// once (a LocalStream) and multiplexes the worker's single wake-up eventfd
// onto its players. It implements the reader side of the ring's sleep
// protocol: when every local player of a ring has caught up, the hub
// announces sleep for this worker slot and re-checks the tail; the writer
// then wakes the worker once per batch.
//
// The merge window: after a wake-up a stream is flushed at most once per
// window (its vhost's play.merge_window), so each player's write carries
// that much media; while the flush timer is armed the worker does not
// re-announce sleep, so the writer does not wake it again meanwhile. A
// window of 0 (realtime) flushes on every wake-up. `auto` takes the window
// from the worker's load with its players (write_load.hpp), up to
// merge_ceiling.
//
// A wake-up costs what was written, not how many streams the worker reads:
// a stream asleep on its ring is looked at only when its tail moved (one
// load of its ring header), and the wake-up's flushes share one clock read
// and one look at the load (a Pass). With a thousand streams per worker, a
// flush of every stream per wake-up was the largest part of a worker's own
// time (about a sixth of all its samples, clock reads and exp() included).
//
// A player that arrives before the publisher waits in a list; the hub asks
// the registry to wake this worker on the next publish and retries then.
// Streams end through the registry only: whoever changes a stream's state
// (a publisher leaving or taking over, the master ending it after the
// republish grace period or reclaiming a dead worker's) bumps the registry's
// epoch and wakes the workers; at a wake-up that finds a new epoch the hub
// re-reads the state of its streams and tells their subscribers.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "shm/registry.hpp"
#include "shm/ring.hpp"
#include "shm/segment.hpp"
#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/start_pack.hpp"
#include "worker/stream/write_load.hpp"

namespace srs::worker {

// Implemented by players (RTMP, HTTP-FLV).
class StreamSubscriber {
 public:
  virtual ~StreamSubscriber() = default;
  // New records may be readable: send what the socket takes. Returns false
  // while the player still has records to send: it then continues on its
  // own socket's EV_WRITE, not on the stream's wake-ups.
  virtual bool on_stream_data() = 0;
  // The stream this subscriber waited for is live, or its state changed
  // (ended after the grace period): look at it.
  virtual void on_stream_state() = 0;
};

class StreamHub;

class LocalStream {
 public:
  StreamHub* hub = nullptr;
  uint32_t slot = 0;
  uint32_t epoch = 0;
  std::string key;
  shm::Segment segment;
  shm::Ring ring;  // a view used for sleep/wake and sticky reads
  conf::MergeWindow merge_window;
  conf::Duration merge_ceiling{0};
  std::vector<StreamSubscriber*> subs;
  EventPtr flush_timer;
  int64_t last_flush_ms = 0;
  uint32_t flush_tail = 0;  // the ring's tail when the last flush started
  bool sleeping = false;
  StartPackCache start;
  const StartPack& start_pack() { return start.get(ring); }
};

class StreamHub {
 public:
  explicit StreamHub(Services& svc);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Maps the live stream `key` for `sub`. Null when it is not live (then
  // `*state` says what it is: kFree when unknown, kLost while it waits for
  // a republish...), or on an error written to `*why`.
  // `play` gives the merge window.
  LocalStream* attach(const std::string& key, StreamSubscriber* sub, const conf::PlayConfig& play,
                      shm::StreamState* state, std::string* why);
  void detach(LocalStream* stream, StreamSubscriber* sub);
  // `sub` waits for `key` to be published; on_stream_state() tells it when.
  // Returns false when `key` went live meanwhile (attach again now): the
  // waiter bit is set before the second look, so no publish is missed.
  bool wait_for(const std::string& key, StreamSubscriber* sub);
  void cancel_wait(StreamSubscriber* sub);
  // A subscriber finished a send it had pending: maybe the stream can sleep.
  void maybe_sleep(LocalStream* stream);
  // The registry state of `stream` now (kLive, kLost, kEnded...).
  shm::StreamState state_of(const LocalStream* stream, uint32_t* generation = nullptr) const;
  size_t stream_count() const { return streams_.size(); }
  // The window `stream` is flushed at now, in ms (fixed, or from the load).
  int64_t window_ms(const LocalStream* stream) const;

 private:
  // The flushes of one wake-up or one timer: one clock read at the start,
  // one look at the load, the pass counted once at the end.
  struct Pass {
    int64_t start_ns = 0;
    double share = 0;       // WriteLoad::window_share at start_ns
    int64_t window_ms = 0;  // the last window used (the API's gauge)
  };

  static void on_wakeup_cb(evutil_socket_t fd, short, void* arg);
  static void on_flush_cb(evutil_socket_t, short, void* arg);
  void on_wakeup();
  void note_lateness(int64_t now_ns);
  Pass begin_pass(int64_t now_ns) const;
  void end_pass(const Pass& pass);
  int64_t window_ms(const LocalStream* stream, Pass& pass) const;
  void schedule(LocalStream* stream, Pass& pass);
  void flush(LocalStream* stream, const Pass& pass);
  void on_registry_change();
  void retry_waiting();
  void check_states();

  Services& svc_;
  EventPtr wakeup_ev_;
  std::list<std::unique_ptr<LocalStream>> streams_;
  struct Waiting {
    std::string key;
    StreamSubscriber* sub;
  };
  std::vector<Waiting> waiting_;
  uint32_t seen_epoch_ = 0;  // the registry's epoch at the last look
  WriteLoad load_;
  // Reused by on_wakeup() and flush() (swapped out while in use, so a nested
  // call would get its own).
  std::vector<LocalStream*> due_scratch_;
  std::vector<StreamSubscriber*> subs_scratch_;
};

}  // namespace srs::worker
