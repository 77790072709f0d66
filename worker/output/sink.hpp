// OutputSink: what one output does with the records of one publish: HLS
// (segments and a playlist), DVR (a file). Sinks run on the output thread
// (output_thread.hpp), never on the loop that feeds players: they may block
// on the disk, and then only outputs wait.
//
// A sink sees the publish from its first record: the metadata and sequence
// headers, then media, in ring order. When the feed could not keep up (a
// stalled disk for longer than the ring holds) records are lost: on_gap()
// says so, and media resumes at a keyframe after the current metadata and
// sequence headers.
//
// A sink talks to the loop only through its Mailbox (log lines, callbacks):
// the log and the HTTP callbacks belong to the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/log.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/stream/media_record.hpp"
#include "worker/stream/publish_observer.hpp"

namespace srs::worker {

// A message for the loop: a log line, and a callback to notify when `notify`
// is set (`hook` with `info`, on `vhost`).
struct OutputNote {
  base::LogLevel level = base::LogLevel::kInfo;
  std::string text;  // logged as is (empty: no line)
  std::string cid;   // the context id the line carries: the publisher's (empty: the worker's)
  HookEvent hook = HookEvent::kClose;
  bool notify = false;
  HookInfo info;
  const conf::VhostConfig* vhost = nullptr;
};

class Mailbox {
 public:
  virtual ~Mailbox() = default;
  // Thread-safe; the loop handles notes in the order they were posted.
  virtual void post(OutputNote note) = 0;
  void log(base::LogLevel level, std::string text, std::string cid = {}) {
    OutputNote n;
    n.level = level;
    n.text = std::move(text);
    n.cid = std::move(cid);
    post(std::move(n));
  }
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void on_record(const MediaRecord& r, uint64_t now_ms) = 0;
  // Records were lost: `lost_ms` of media (by timestamps) did not reach this sink.
  virtual void on_gap(uint32_t lost_ms, uint64_t now_ms) = 0;
  // Once a second.
  virtual void on_tick(uint64_t now_ms) { (void)now_ms; }
  // An idle sink gets no records (a DVR nobody asked to record); checked
  // after each on_tick. Waking, it gets the start pack, then records.
  virtual bool idle() const { return false; }
  // The publish ended and every record of it was given.
  virtual void on_finish(uint64_t now_ms) = 0;
};

// Makes the sinks of a publish (on the output thread); one per kind of output.
class OutputFactory {
 public:
  virtual ~OutputFactory() = default;
  // Null when this output is off for the publish's vhost.
  virtual std::unique_ptr<OutputSink> make(const PublishEvent& e, Mailbox& mailbox) = 0;
  // Once a second, on the output thread (the factory's own housekeeping).
  virtual void on_tick(uint64_t now_ms, Mailbox& mailbox) {
    (void)now_ms;
    (void)mailbox;
  }
};

}  // namespace srs::worker
