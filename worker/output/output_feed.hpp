// OutputFeed: the outputs of one publish reading its ring, on the output
// thread. It maps the ring on its own (so its life does not depend on the
// publisher's), reads with a private cursor that starts where the publish
// starts, copies each batch out of the ring and validates it before any
// sink sees a byte (a torn record never reaches a file), and hands the
// records to the sinks in order.
//
// A feed that falls behind (a stalled disk) and is lapped jumps to the
// newest keyframe: the sinks hear of the gap, then get the current start
// pack and go on. Once its publish ended, the feed reads up to where the
// publish ended (not beyond: a republish continues the same ring with
// feeds of its own, and its records carry a new ring generation, where the
// feed stops even before it is told the end), then finishes its sinks.
//
// A sink may be idle (a DVR nobody asked to record): it gets no records.
// A feed whose sinks are all idle reads nothing; when one wakes (checked
// once a second, at tick), the feed goes on from the newest keyframe and the
// sink gets the current start pack first.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "shm/ring_reader.hpp"
#include "shm/segment.hpp"
#include "worker/output/sink.hpp"
#include "worker/stream/start_pack.hpp"

namespace srs::worker {

class OutputFeed {
 public:
  // `segment` is the publish's ring, `reader` attached at its start; made
  // on the publisher's thread before the publish appended anything.
  OutputFeed(PublishEvent event, shm::Segment segment, shm::RingReader reader);

  const PublishEvent& event() const noexcept { return event_; }
  void add(std::unique_ptr<OutputSink> sink);
  bool empty() const noexcept { return sinks_.empty(); }

  // Reads what is readable and gives it to the sinks. Returns the records
  // that were lost to a lap (0 normally).
  uint32_t pump(uint64_t now_ms);
  void tick(uint64_t now_ms);
  // The publish ended at `tail`: reads up to it, then finishes the sinks.
  // Returns the records lost on the way.
  uint32_t finish(uint32_t tail, uint64_t now_ms);

 private:
  // One batch: false when there was nothing (more) to read.
  bool read_batch(uint64_t now_ms, uint32_t* lost);
  void deliver(const shm::RecordView& v, const uint8_t* bytes, uint64_t now_ms);
  void after_jump(uint64_t now_ms);
  // The current metadata and sequence headers, to `only` or every active sink.
  void give_start_pack(uint64_t now_ms, OutputSink* only = nullptr);
  // From dormant to reading: the cursor moves to the newest keyframe.
  void wake(uint64_t now_ms);
  bool all_idle() const noexcept;
  bool before_end(const shm::RecordView& v) const noexcept;

  struct Sink {
    std::unique_ptr<OutputSink> sink;
    bool idle = false;  // as of the last tick
  };

  PublishEvent event_;
  shm::Segment segment_;
  shm::RingReader reader_;
  std::vector<Sink> sinks_;
  bool dormant_ = false;  // every sink idle: nothing read
  StartPackCache start_;
  std::vector<uint8_t> copy_;  // the batch, out of the ring
  uint32_t last_ts_ = 0;       // of the last record given
  bool have_ts_ = false;
  bool ending_ = false;
  uint32_t end_ = 0;         // the publish's last tail, once ending_
  uint32_t generation_ = 0;  // the ring generation of this publish's records
  uint32_t next_seq_ = 0;    // the sequence number of the next record due
};

}  // namespace srs::worker
