// RingWriter: the single writer of a stream's media ring (the publisher's
// worker). Appends RTMP messages as records with the Agrona broadcast-buffer
// protocol, keeps the keyframe index and the sticky slots, and tells the
// caller which sleeping workers to wake. Never waits for a reader.
//
//   writer.begin_batch();                      // optional: append() opens one
//   writer.append(meta, {chunk1, chunk2});     // reassembly buffer in pieces
//   writer.append(meta2, payload2);
//   WakeSet wake = writer.commit();            // records become visible here
//   wake.for_each([&](uint32_t slot) { eventfd_write(efd[slot], 1); });
//
// Per append: (1) tail_intent = end of the new record, then a release fence,
// BEFORE any byte is overwritten (Agrona: putLongOrdered + releaseFence), so
// a reader that saw a new byte also sees the new intent; (2) the padding
// record if the record would cross the end; (3) header words and payload.
// At commit: latest, then tail with release, then the keyframe index and
// stats, then the seq_cst fence and the sleepers exchange (ring.hpp).
//
// Not thread-safe: one thread of one process writes a ring at a time. A new
// publisher, or a replacement after the writer died, calls resume(). A ring
// has no "end": a publisher that stops just stops writing and tells the
// registry (release() or end(), registry.hpp), which tells the players.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"
#include "shm/ring.hpp"

namespace srs::shm {

struct RecordMeta {
  RecordType type = RecordType::kVideo;
  uint8_t flags = 0;       // RecordFlags
  uint32_t timestamp = 0;  // RTMP timestamp, ms
  int32_t cts = 0;         // composition time offset, ms (video)
};

struct RingOptions {
  uint32_t capacity = 16u << 20;
  uint32_t initial_pos = 0;  // tests start just below 2^32 to cross the wrap
  uint32_t initial_seq = 0;
  uint32_t generation = 1;
};

class RingWriter {
 public:
  // Formats `memory` (at least bytes_for(capacity) bytes) and becomes its writer.
  [[nodiscard]] base::Status init(void* memory, std::size_t size,
                                  const RingOptions& options) noexcept;
  // Becomes the writer of an existing ring: a new publisher generation
  // starts, marked in-band by a discontinuity record, which the next
  // commit() publishes (so its wake-ups are not lost).
  [[nodiscard]] base::Status resume(void* memory, std::size_t size) noexcept;

  void begin_batch() noexcept { in_batch_ = true; }
  // Appends one message; payload = the concatenation of `parts` (the FLV tag
  // body). kTooLarge above capacity/4 or above a sticky slot's bound.
  [[nodiscard]] base::Status append(const RecordMeta& meta,
                                    std::span<const ConstBytes> parts) noexcept;
  [[nodiscard]] base::Status append(const RecordMeta& meta, ConstBytes payload) noexcept {
    return append(meta, std::span<const ConstBytes>(&payload, 1));
  }
  // Publishes the batch; returns the worker slots to wake. (A batch that
  // grows past capacity/4 is published early, its wake-ups kept for here.)
  WakeSet commit() noexcept;

  Ring& ring() noexcept { return ring_; }
  uint32_t generation() const noexcept { return generation_; }
  uint32_t next_seq() const noexcept { return seq_; }
  uint32_t tail() const noexcept { return tail_; }

 private:
  void write_record(uint32_t pos, const RecordMeta& meta, std::span<const ConstBytes> parts,
                    uint32_t len) noexcept;
  [[nodiscard]] base::Status update_sticky(const RecordMeta& meta,
                                           std::span<const ConstBytes> parts,
                                           uint32_t pos) noexcept;
  void raise_intent(uint32_t end) noexcept;
  void append_discontinuity() noexcept;
  void publish() noexcept;
  void publish_keyframes() noexcept;
  void publish_stats() noexcept;

  Ring ring_;
  RingHeader* hdr_ = nullptr;
  uint32_t tail_ = 0;    // end of the last appended record (committed or not)
  uint32_t intent_ = 0;  // last tail_intent stored; never moves back
  uint32_t latest_ = 0;
  uint32_t published_ = 0;  // the tail readers were last given
  WakeSet pending_wake_;    // from early publishes inside a batch
  uint32_t seq_ = 0;
  uint32_t generation_ = 0;
  bool in_batch_ = false;

  struct PendingKeyframe {
    uint32_t pos, timestamp, seq;
  } pending_kf_[kKeyframeIndexSize] = {};
  uint32_t pending_kf_count_ = 0;
  uint32_t kf_count_ = 0;

  uint32_t records_ = 0;
  uint64_t bytes_ = 0;
  uint32_t last_timestamp_ = 0;
};

}  // namespace srs::shm
