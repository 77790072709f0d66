// RingReader: zero-copy reads with lap detection (see ring_reader.hpp).
#include "shm/ring_reader.hpp"

#include "shm/ring_fence.hpp"

#include <sched.h>

#ifdef SRS_SHM_TSAN
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace srs::shm {

using base::Errc;
using base::Status;

namespace {

constexpr int kReadAttempts = 3;
constexpr int kIndexAttempts = 64;
constexpr uint32_t kPaddingType = static_cast<uint32_t>(RecordType::kPadding);

struct KeyframeCopy {
  uint32_t pos, seq;
};

// Copies the keyframe index, newest first, under its seqlock. Returns the
// number of entries, or 0 when the writer kept it busy.
uint32_t copy_keyframes(const RingHeader* h, KeyframeCopy* out) noexcept {
  for (int attempt = 0; attempt < kIndexAttempts; ++attempt) {
    uint32_t s0 = h->kf_lock.load(std::memory_order_acquire);
    uint32_t count = h->kf_count.load(std::memory_order_relaxed);
    uint32_t n = count < kKeyframeIndexSize ? count : kKeyframeIndexSize;
    for (uint32_t i = 0; i < n; ++i) {
      const KeyframeEntry& e = h->kf[(count - 1 - i) % kKeyframeIndexSize];
      out[i] = {e.pos.load(std::memory_order_relaxed), e.seq.load(std::memory_order_relaxed)};
    }
    fence(std::memory_order_acquire);
    if ((s0 & 1u) == 0 && h->kf_lock.load(std::memory_order_relaxed) == s0) return n;
    if (attempt > 8) sched_yield();
  }
  return 0;
}

}  // namespace

Status RingReader::attach(void* memory, std::size_t size, const ReaderOptions& options) noexcept {
  auto ring = Ring::attach(memory, size);
  if (!ring.is_ok()) return ring.status();
  ring_ = ring.value();
  guard_ = options.guard != 0 ? options.guard : ring_.capacity() / 4;
  if (guard_ >= ring_.capacity())
    return Status::fail(Errc::kInvalid, "ring: guard must be below the capacity");
  policy_ = options.on_lap;
  laps_ = skipped_ = 0;
  seq_known_ = false;
  if (options.attach_at == AttachAt::kKeyframe) {
    jump_to_keyframe();
    return Status::ok();
  }
  cursor_ = ring_.header()->tail.load(std::memory_order_acquire);
  offset_ = 0;
  seq_known_ = false;
  return Status::ok();
}

// Bytes at `pos` are intact and `guard_` bytes of writing away from being
// overwritten. A negative distance means the cursor is 2^31 or more behind
// (it looks ahead of the writer): lapped too.
bool RingReader::safe(uint32_t pos, uint32_t intent) const noexcept {
  int32_t d = seq_diff(intent, pos);
  return d >= 0 && static_cast<uint32_t>(d) <= ring_.capacity() - guard_;
}

bool RingReader::safe_from(uint32_t start) const noexcept {
  fence(std::memory_order_acquire);
  return safe(start, ring_.header()->tail_intent.load(std::memory_order_relaxed));
}

bool RingReader::validate(uint32_t start) const noexcept {
  // Loads of the sent bytes (by the kernel, or by us) before the intent load.
  fence(std::memory_order_acquire);
  uint32_t intent = ring_.header()->tail_intent.load(std::memory_order_relaxed);
  int32_t d = seq_diff(intent, start);
  return d >= 0 && static_cast<uint32_t>(d) <= ring_.capacity();
}

// Reads the header of the record at `pos` (not padding) into `v`; false when
// the words are inconsistent (torn by the writer: the caller treats it as lapped).
bool RingReader::fill_view(uint32_t pos, uint32_t tail, RecordView* v) const noexcept {
  const uint8_t* rec = ring_.data() + (pos & ring_.mask());
  uint32_t len = load_record_word(rec, kWordLength);
  uint32_t tf = load_record_word(rec, kWordTypeFlags);
  if (len > ring_.max_payload() ||
      (pos & ring_.mask()) + kRecordHeaderSize + len > ring_.capacity())
    return false;
  v->pos = pos;
  v->end = pos + record_size(len);
  if (seq_diff(tail, v->end) < 0) return false;
  v->type = static_cast<RecordType>(tf & 0xff);
  v->flags = static_cast<uint8_t>(tf >> 8);
  v->timestamp = load_record_word(rec, kWordTimestamp);
  v->cts = static_cast<int32_t>(load_record_word(rec, kWordCts));
  v->seq = load_record_word(rec, kWordSeq);
  v->generation = load_record_word(rec, kWordGeneration);
  v->payload_len = len;
  v->offset = 0;
  v->payload = rec + kRecordHeaderSize;
  v->size = len;
  return true;
}

// Walks the records in [cursor_, tail) into `views`. Returns false when a
// header is inconsistent: torn by the writer, i.e. the cursor was lapped.
bool RingReader::collect(uint32_t tail, RecordView* views, uint32_t max_records, uint32_t max_bytes,
                         ReadResult* r, uint32_t* stop) const noexcept {
  // Header words of records the writer may be overwriting right now: read
  // as atomics (defined behaviour), believed only after scan()'s re-check.
  SpeculativeReadScope speculative;
  uint32_t pos = cursor_;
  uint32_t offset = offset_;
  uint32_t expected = expected_seq_;
  bool known = seq_known_;
  for (; r->count < max_records && pos != tail; pos = views[r->count - 1].end) {
    if (seq_diff(tail, pos) < 0) return false;
    const uint8_t* rec = ring_.data() + (pos & ring_.mask());
    if ((load_record_word(rec, kWordTypeFlags) & 0xff) == kPaddingType) {
      pos += ring_.capacity() - (pos & ring_.mask());  // the next record is at index 0
      if (pos == tail) break;
    }
    RecordView v;
    if (!fill_view(pos, tail, &v) || (known && v.seq != expected) || offset > v.payload_len)
      return false;
    v.offset = offset;
    v.payload += offset;
    v.size -= offset;
    if (r->count > 0 && r->bytes + v.size > max_bytes) break;
    views[r->count++] = v;
    r->bytes += v.size;
    offset = 0;
    expected = v.seq + 1;
    known = true;
  }
  *stop = pos;
  return true;
}

ReadResult RingReader::scan(RecordView* views, uint32_t max_records, uint32_t max_bytes) noexcept {
  const RingHeader* h = ring_.header();
  ReadResult r;
  r.start = cursor_;
  if (!safe(cursor_, h->tail_intent.load(std::memory_order_acquire))) return {ReadStatus::kLapped};
  uint32_t tail = h->tail.load(std::memory_order_acquire);
  uint32_t stop = cursor_;
  bool consistent = collect(tail, views, max_records, max_bytes, &r, &stop);
  // The seqlock-style re-check: everything read above (header words) is only
  // believed if the writer had not come within `guard` of it by now.
  fence(std::memory_order_acquire);
  if (!consistent || !safe(cursor_, h->tail_intent.load(std::memory_order_relaxed)))
    return {ReadStatus::kLapped};
  if (r.count > 0) {
    r.status = ReadStatus::kRecords;
    return r;
  }
  cursor_ = stop;  // only padding was skipped
  return r;
}

ReadResult RingReader::read(RecordView* views, uint32_t max_records, uint32_t max_bytes) noexcept {
  bool jumped = false;
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    ReadResult r = scan(views, max_records, max_bytes);
    r.jumped = jumped;
    if (r.status != ReadStatus::kLapped) return r;
    if (policy_ == LapPolicy::kReport) {
      r.start = cursor_;
      return r;
    }
    ++laps_;
    jump_to_keyframe();
    jumped = true;
  }
  // Lapped again and again: the writer outruns us right now; try next time.
  ReadResult r;
  r.start = cursor_;
  r.jumped = jumped;
  return r;
}

void RingReader::lapped_to(uint32_t pos, bool known, uint32_t seq) noexcept {
  if (seq_known_ && known && seq_diff(seq, expected_seq_) > 0) skipped_ += seq - expected_seq_;
  cursor_ = pos;
  offset_ = 0;
  seq_known_ = known;
  expected_seq_ = seq;
}

bool RingReader::jump_to_keyframe() noexcept {
  const RingHeader* h = ring_.header();
  KeyframeCopy kf[kKeyframeIndexSize];
  uint32_t n = copy_keyframes(h, kf);
  // The index is published after the tail (RingWriter::commit), so a tail
  // loaded after it covers every entry; the check below is belt and braces.
  uint32_t tail = h->tail.load(std::memory_order_acquire);
  uint32_t intent = h->tail_intent.load(std::memory_order_acquire);
  for (uint32_t i = 0; i < n; ++i) {
    if (seq_diff(tail, kf[i].pos) <= 0 || !safe(kf[i].pos, intent)) continue;
    // A video sequence header newer than the keyframe: the frames from the
    // keyframe on were coded with the previous header, which the sticky slot
    // (what the caller sends first) no longer holds. Start at the new
    // header's in-band copy instead; the encoder's next keyframe follows it.
    StickyInfo vh = ring_.sticky(StickyKind::kVideoHeader).info();
    if (vh.present() && seq_diff(vh.pos, kf[i].pos) > 0 && seq_diff(tail, vh.pos) > 0 &&
        safe(vh.pos, intent)) {
      lapped_to(vh.pos, false, 0);
      return true;
    }
    lapped_to(kf[i].pos, true, kf[i].seq);
    return true;
  }
  lapped_to(tail, false, 0);
  return false;
}

void RingReader::advance_past(const RecordView& v) noexcept {
  cursor_ = v.end;
  offset_ = 0;
  expected_seq_ = v.seq + 1;
  seq_known_ = true;
}

void RingReader::advance_into(const RecordView& v, uint32_t payload_done) noexcept {
  if (payload_done >= v.payload_len) {
    advance_past(v);
    return;
  }
  cursor_ = v.pos;
  offset_ = payload_done;
  expected_seq_ = v.seq;
  seq_known_ = true;
}

#ifdef SRS_SHM_TSAN
SpeculativeReadScope::SpeculativeReadScope() noexcept {
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
}
SpeculativeReadScope::~SpeculativeReadScope() {
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
}
#else
SpeculativeReadScope::SpeculativeReadScope() noexcept = default;
SpeculativeReadScope::~SpeculativeReadScope() = default;
#endif

}  // namespace srs::shm
