// RingWriter: the Agrona append protocol over u32 positions (see ring_writer.hpp).
#include "shm/ring_writer.hpp"

#include "shm/ring_fence.hpp"

#include <cstring>

namespace srs::shm {

using base::Errc;
using base::Status;

namespace {

bool is_media(RecordType t) noexcept {
  return t == RecordType::kAudio || t == RecordType::kVideo || t == RecordType::kData;
}

// The sticky slot a message also goes to, if any.
bool sticky_kind_of(const RecordMeta& m, StickyKind* kind) noexcept {
  if (m.type == RecordType::kData && (m.flags & kFlagMetadata)) {
    *kind = StickyKind::kMetadata;
    return true;
  }
  if (!(m.flags & kFlagSequenceHeader)) return false;
  if (m.type == RecordType::kVideo) *kind = StickyKind::kVideoHeader;
  if (m.type == RecordType::kAudio) *kind = StickyKind::kAudioHeader;
  return m.type == RecordType::kVideo || m.type == RecordType::kAudio;
}

}  // namespace

Status RingWriter::init(void* memory, std::size_t size, const RingOptions& options) noexcept {
  auto ring = Ring::format(memory, size, options.capacity, options.initial_pos, options.generation);
  if (!ring.is_ok()) return ring.status();
  ring_ = ring.value();
  hdr_ = ring_.header();
  tail_ = intent_ = latest_ = published_ = options.initial_pos;
  seq_ = options.initial_seq;
  hdr_->next_seq.store(seq_, std::memory_order_relaxed);
  generation_ = options.generation;
  in_batch_ = false;
  pending_wake_ = WakeSet{};
  pending_kf_count_ = kf_count_ = 0;
  records_ = 0;
  bytes_ = 0;
  return Status::ok();
}

Status RingWriter::resume(void* memory, std::size_t size) noexcept {
  auto ring = Ring::attach(memory, size);
  if (!ring.is_ok()) return ring.status();
  ring_ = ring.value();
  hdr_ = ring_.header();
  // Bytes in [tail, tail_intent) may be a dead writer's half record: they are
  // not visible (tail never covered them) and are simply written over. The
  // intent never moves back, or readers could trust bytes it already clobbered.
  tail_ = published_ = hdr_->tail.load(std::memory_order_acquire);
  intent_ = hdr_->tail_intent.load(std::memory_order_relaxed);
  latest_ = hdr_->latest.load(std::memory_order_relaxed);
  seq_ = hdr_->next_seq.load(std::memory_order_relaxed);
  kf_count_ = hdr_->kf_count.load(std::memory_order_relaxed);
  if (hdr_->kf_lock.load(std::memory_order_relaxed) & 1u)
    hdr_->kf_lock.fetch_add(1, std::memory_order_relaxed);  // repair a lock the dead writer held
  records_ = hdr_->records.load(std::memory_order_relaxed);
  bytes_ = (uint64_t{hdr_->bytes_hi.load(std::memory_order_relaxed)} << 32) |
           hdr_->bytes_lo.load(std::memory_order_relaxed);
  if (hdr_->stats_lock.load(std::memory_order_relaxed) & 1u)
    hdr_->stats_lock.fetch_add(1, std::memory_order_relaxed);
  generation_ = hdr_->generation.load(std::memory_order_relaxed) + 1;
  if (generation_ == 0) generation_ = 1;  // 0 means "never set" in sticky slots
  pending_kf_count_ = 0;
  hdr_->generation.store(generation_, std::memory_order_release);
  // Left in the open batch: the caller's first commit() publishes it with
  // the new publisher's first messages, and returns the wake-ups.
  begin_batch();
  append_discontinuity();
  return Status::ok();
}

void RingWriter::raise_intent(uint32_t end) noexcept {
  if (seq_diff(end, intent_) <= 0) return;
  intent_ = end;
  hdr_->tail_intent.store(end, std::memory_order_relaxed);
  // Orders the intent before every later store to the data area: a reader
  // that reads one of those bytes, then fences (acquire) and loads the
  // intent, sees this value or a later one (fence-fence synchronisation).
  fence(std::memory_order_release);
}

Status RingWriter::append(const RecordMeta& meta, std::span<const ConstBytes> parts) noexcept {
  if (!is_media(meta.type))
    return Status::fail(Errc::kInvalid, "ring: only audio, video and data records may be appended");
  std::size_t total = 0;
  for (ConstBytes p : parts) total += p.size();
  if (total > ring_.max_payload())
    return Status::fail(Errc::kTooLarge, "ring: message larger than capacity/4");
  uint32_t len = static_cast<uint32_t>(total);
  uint32_t size = record_size(len);
  uint32_t idx = tail_ & ring_.mask();
  uint32_t pad = idx + size > ring_.capacity() ? ring_.capacity() - idx : 0;
  uint32_t pos = tail_ + pad;

  Status st = update_sticky(meta, parts, pos);
  if (!st.is_ok()) return st;
  in_batch_ = true;
  raise_intent(pos + size);
  if (pad != 0) {
    uint8_t* p = ring_.data() + idx;
    store_record_word(p, kWordLength, pad - kRecordHeaderSize);  // informative only
    store_record_word(p, kWordTypeFlags, static_cast<uint32_t>(RecordType::kPadding));
  }
  write_record(pos, meta, parts, len);
  if (meta.type == RecordType::kVideo && (meta.flags & kFlagKeyframe)) {
    pending_kf_[pending_kf_count_ % kKeyframeIndexSize] = {pos, meta.timestamp, seq_ - 1};
    ++pending_kf_count_;
  }
  bytes_ += len;
  last_timestamp_ = meta.timestamp;
  // A batch larger than a quarter of the ring is published early: readers
  // could not get to its first records before its last ones overwrote them.
  if (seq_diff(tail_, published_) > static_cast<int32_t>(ring_.capacity() / 4)) {
    publish();
    WakeSet set = ring_.take_sleepers();
    for (uint32_t w = 0; w < 2; ++w) pending_wake_.words[w] |= set.words[w];
  }
  return Status::ok();
}

void RingWriter::write_record(uint32_t pos, const RecordMeta& meta,
                              std::span<const ConstBytes> parts, uint32_t len) noexcept {
  uint8_t* rec = ring_.data() + (pos & ring_.mask());
  store_record_word(rec, kWordLength, len);
  store_record_word(rec, kWordTypeFlags,
                    static_cast<uint32_t>(meta.type) | (uint32_t{meta.flags} << 8));
  store_record_word(rec, kWordTimestamp, meta.timestamp);
  store_record_word(rec, kWordCts, static_cast<uint32_t>(meta.cts));
  store_record_word(rec, kWordSeq, seq_);
  store_record_word(rec, kWordGeneration, generation_);
  uint8_t* out = rec + kRecordHeaderSize;
  for (ConstBytes p : parts) {
    if (p.empty()) continue;
    std::memcpy(out, p.data(), p.size());
    out += p.size();
  }
  latest_ = pos;
  tail_ = pos + record_size(len);
  ++seq_;
  ++records_;
}

Status RingWriter::update_sticky(const RecordMeta& meta, std::span<const ConstBytes> parts,
                                 uint32_t pos) noexcept {
  StickyKind kind;
  if (!sticky_kind_of(meta, &kind)) return Status::ok();
  // Updated before the in-band copy is committed: a player attaching in
  // between gets the new header from the slot and the same bytes in-band.
  return ring_.sticky(kind).store(parts, generation_, meta.timestamp, pos);
}

void RingWriter::append_discontinuity() noexcept {
  RecordMeta meta;
  meta.type = RecordType::kDiscontinuity;
  uint32_t size = record_size(0);
  uint32_t idx = tail_ & ring_.mask();
  uint32_t pad = idx + size > ring_.capacity() ? ring_.capacity() - idx : 0;
  raise_intent(tail_ + pad + size);
  if (pad != 0) {
    uint8_t* p = ring_.data() + idx;
    store_record_word(p, kWordLength, pad - kRecordHeaderSize);
    store_record_word(p, kWordTypeFlags, static_cast<uint32_t>(RecordType::kPadding));
  }
  write_record(tail_ + pad, meta, {}, 0);
}

void RingWriter::publish() noexcept {
  hdr_->latest.store(latest_, std::memory_order_relaxed);
  hdr_->next_seq.store(seq_, std::memory_order_relaxed);
  hdr_->tail.store(tail_, std::memory_order_release);  // the commit: records before it are whole
  published_ = tail_;
  publish_keyframes();
  publish_stats();
}

WakeSet RingWriter::commit() noexcept {
  if (in_batch_) publish();
  in_batch_ = false;
  WakeSet set = ring_.take_sleepers();
  for (uint32_t w = 0; w < 2; ++w) set.words[w] |= pending_wake_.words[w];
  pending_wake_ = WakeSet{};
  return set;
}

void RingWriter::publish_keyframes() noexcept {
  if (pending_kf_count_ == 0) return;
  uint32_t n = pending_kf_count_ < kKeyframeIndexSize ? pending_kf_count_ : kKeyframeIndexSize;
  uint32_t s = hdr_->kf_lock.load(std::memory_order_relaxed);
  hdr_->kf_lock.store(s + 1, std::memory_order_relaxed);
  fence(std::memory_order_release);
  for (uint32_t i = pending_kf_count_ - n; i != pending_kf_count_; ++i) {
    const PendingKeyframe& p = pending_kf_[i % kKeyframeIndexSize];
    KeyframeEntry& e = hdr_->kf[kf_count_ % kKeyframeIndexSize];
    e.pos.store(p.pos, std::memory_order_relaxed);
    e.timestamp.store(p.timestamp, std::memory_order_relaxed);
    e.seq.store(p.seq, std::memory_order_relaxed);
    ++kf_count_;
  }
  hdr_->kf_count.store(kf_count_, std::memory_order_relaxed);
  hdr_->kf_lock.store(s + 2, std::memory_order_release);
  pending_kf_count_ = 0;
}

void RingWriter::publish_stats() noexcept {
  uint32_t s = hdr_->stats_lock.load(std::memory_order_relaxed);
  hdr_->stats_lock.store(s + 1, std::memory_order_relaxed);
  fence(std::memory_order_release);
  hdr_->records.store(records_, std::memory_order_relaxed);
  hdr_->bytes_lo.store(static_cast<uint32_t>(bytes_), std::memory_order_relaxed);
  hdr_->bytes_hi.store(static_cast<uint32_t>(bytes_ >> 32), std::memory_order_relaxed);
  hdr_->last_timestamp.store(last_timestamp_, std::memory_order_relaxed);
  hdr_->stats_lock.store(s + 2, std::memory_order_release);
}

}  // namespace srs::shm
