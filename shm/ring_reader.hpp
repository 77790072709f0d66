// RingReader: one player's private cursor over a stream's ring, in any
// process. Reads in place (zero copy): read() fills RecordView's whose
// payload pointers point into the shared mapping, for writev().
//
// THE CALLER'S CONTRACT (DESIGN.md requirement 2: no torn message reaches a player):
//   ReadResult r = reader.read(views, 64, 256 * 1024);
//   ... build iovecs (own framing + views[i].payload/size), writev() ...
//   if (!reader.validate(r.start)) -> the ring overwrote those bytes while the
//        kernel copied them: the player got torn bytes; close it (count it).
//   reader.advance_past(views[k]) for the last record fully sent, or
//   reader.advance_into(views[k], payload_bytes_sent) for a partial one.
// read() itself only hands out records that are intact AND at least `guard`
// bytes of writing away from being overwritten, so validate() failing means
// the send stalled for a long time; with the default guard (capacity/4) that
// is one quarter of the ring's history.
//
// When the cursor was lapped (or is inside the guard), read() either jumps to
// the newest safe keyframe (LapPolicy::kJumpToKeyframe, counted in laps(),
// ReadResult::jumped set so the caller can resend sequence headers and mark a
// timestamp discontinuity) or returns kLapped and leaves the decision to the
// caller (LapPolicy::kReport: disconnect, or call jump_to_keyframe()).
//
// Payload bytes are read speculatively: in-process readers that look at them
// (HLS muxing, tests) must validate() before trusting what they read.
// SpeculativeReadScope tells ThreadSanitizer about such reads (see below).
//
// A caught-up reader gets kEmpty, whether the writer is slow, gone for good
// or about to be replaced: the registry (registry.hpp), not the ring, says
// whether the stream is live, lost or ended.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.hpp"
#include "shm/ring.hpp"

namespace srs::shm {

// A new player: load the sticky slots (ring().sticky(kind).load(...)) and send
// metadata and sequence headers, then attach at the keyframe. When the video
// sequence header changed after the newest keyframe, the attach point is that
// header's in-band copy instead (the old header is gone from the slot).
enum class AttachAt : uint8_t {
  kKeyframe,  // the newest safe keyframe (GOP cache): a player starts at once
  kLiveEdge,  // the tail: only what is written from now on
};
enum class LapPolicy : uint8_t { kJumpToKeyframe, kReport };

struct ReaderOptions {
  AttachAt attach_at = AttachAt::kKeyframe;
  LapPolicy on_lap = LapPolicy::kJumpToKeyframe;
  uint32_t guard = 0;  // bytes; 0 = capacity / 4 (at least one maximal message)
};

struct RecordView {
  uint32_t pos = 0;  // ring position of the record
  uint32_t end = 0;  // position after it
  RecordType type = RecordType::kVideo;
  uint8_t flags = 0;
  uint32_t timestamp = 0;
  int32_t cts = 0;
  uint32_t seq = 0;
  uint32_t generation = 0;
  uint32_t payload_len = 0;          // the whole message
  uint32_t offset = 0;               // payload bytes already consumed (partial send)
  const uint8_t* payload = nullptr;  // = start of the message + offset
  uint32_t size = 0;                 // = payload_len - offset
};

enum class ReadStatus : uint8_t {
  kRecords,  // count > 0 views filled
  kEmpty,    // caught up with the writer; sleep (Ring::announce_sleep)
  kLapped,   // LapPolicy::kReport only: nothing handed out, cursor unchanged
};

struct ReadResult {
  ReadStatus status = ReadStatus::kEmpty;
  uint32_t count = 0;
  uint32_t bytes = 0;   // sum of views[i].size
  uint32_t start = 0;   // give to validate() after the send
  bool jumped = false;  // the cursor jumped (lapped) before these records
};

class RingReader {
 public:
  [[nodiscard]] base::Status attach(void* memory, std::size_t size,
                                    const ReaderOptions& options = {}) noexcept;

  // Up to max_records views and max_bytes payload bytes (at least one record
  // when one is available). Does not move the cursor.
  ReadResult read(RecordView* views, uint32_t max_records, uint32_t max_bytes) noexcept;
  // After the send: false when bytes from `start` on may have been overwritten.
  bool validate(uint32_t start) const noexcept;
  // Before waiting longer on bytes from `start` (a send the socket did not
  // take): false once they are within the guard distance of being
  // overwritten, the same margin read() keeps for new records.
  bool safe_from(uint32_t start) const noexcept;
  // Moves the cursor past `v` (fully sent) or into it (payload_done bytes of
  // its payload sent; counted from the start of the message).
  void advance_past(const RecordView& v) noexcept;
  void advance_into(const RecordView& v, uint32_t payload_done) noexcept;
  // Moves to the newest safe keyframe; to the tail when there is none.
  // Returns whether a keyframe was found.
  bool jump_to_keyframe() noexcept;

  // True when the cursor reached `tail` (e.g. the value announce_sleep returned).
  bool caught_up(uint32_t tail) const noexcept { return cursor_ == tail; }
  uint32_t cursor() const noexcept { return cursor_; }
  uint32_t laps() const noexcept { return laps_; }
  uint32_t records_skipped() const noexcept { return skipped_; }
  uint32_t guard() const noexcept { return guard_; }
  Ring& ring() noexcept { return ring_; }

 private:
  ReadResult scan(RecordView* views, uint32_t max_records, uint32_t max_bytes) noexcept;
  bool collect(uint32_t tail, RecordView* views, uint32_t max_records, uint32_t max_bytes,
               ReadResult* r, uint32_t* stop) const noexcept;
  bool safe(uint32_t pos, uint32_t intent) const noexcept;
  bool fill_view(uint32_t pos, uint32_t tail, RecordView* v) const noexcept;
  void lapped_to(uint32_t pos, bool known, uint32_t seq) noexcept;

  Ring ring_;
  uint32_t guard_ = 0;
  LapPolicy policy_ = LapPolicy::kJumpToKeyframe;
  uint32_t cursor_ = 0;
  uint32_t offset_ = 0;
  uint32_t expected_seq_ = 0;
  bool seq_known_ = false;
  uint32_t laps_ = 0;
  uint32_t skipped_ = 0;
};

// Brackets in-process reads of payload bytes that the writer may overwrite
// concurrently (they are validated afterwards). Under ThreadSanitizer such
// reads are the seqlock pattern's intended race; the scope stops TSan from
// recording them, so it still checks everything else. A no-op otherwise.
class SpeculativeReadScope {
 public:
  SpeculativeReadScope() noexcept;
  ~SpeculativeReadScope();
  SpeculativeReadScope(const SpeculativeReadScope&) = delete;
  SpeculativeReadScope& operator=(const SpeculativeReadScope&) = delete;
};

}  // namespace srs::shm
