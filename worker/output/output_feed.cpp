// The outputs of one publish reading its ring (see output_feed.hpp).
#include "worker/output/output_feed.hpp"

#include <cstring>

#include "shm/atomics.hpp"

namespace srs::worker {
namespace {

constexpr uint32_t kBatchRecords = 64;
constexpr uint32_t kBatchBytes = 1u << 20;

bool media_kind(const shm::RecordView& v, MediaKind* kind) {
  switch (v.type) {
    case shm::RecordType::kAudio:
      *kind = MediaKind::kAudio;
      return true;
    case shm::RecordType::kVideo:
      *kind = MediaKind::kVideo;
      return true;
    case shm::RecordType::kData:
      *kind = MediaKind::kMetadata;
      return (v.flags & shm::kFlagMetadata) != 0;
    default:
      return false;  // discontinuity, padding
  }
}

}  // namespace

OutputFeed::OutputFeed(PublishEvent event, shm::Segment segment, shm::RingReader reader)
    : event_(std::move(event)), segment_(std::move(segment)), reader_(reader) {
  // Made on the publisher's thread before it appended anything: the ring's
  // generation and next sequence number are those of this publish's first record.
  const shm::RingHeader* h = reader_.ring().header();
  generation_ = h->generation.load(std::memory_order_acquire);
  next_seq_ = h->next_seq.load(std::memory_order_relaxed);
}

// A record of another generation belongs to a republish that continued the
// ring: this publish ended before it, whether or not finish() said so yet.
bool OutputFeed::before_end(const shm::RecordView& v) const noexcept {
  if (v.generation != generation_) return false;
  return !ending_ || shm::seq_before(v.pos, end_);
}

void OutputFeed::add(std::unique_ptr<OutputSink> sink) {
  bool idle = sink->idle();
  sinks_.push_back({std::move(sink), idle});
}

bool OutputFeed::all_idle() const noexcept {
  for (const Sink& s : sinks_) {
    if (!s.idle) return false;
  }
  return true;
}

uint32_t OutputFeed::pump(uint64_t now_ms) {
  if (all_idle()) {
    dormant_ = true;
    return 0;
  }
  if (dormant_) wake(now_ms);
  uint32_t lost = 0;
  while (read_batch(now_ms, &lost)) {
  }
  return lost;
}

// What was published while every sink was idle is nobody's loss: the
// cursor skips it, and the sequence count starts over at the keyframe.
void OutputFeed::wake(uint64_t now_ms) {
  dormant_ = false;
  (void)reader_.jump_to_keyframe();
  shm::RecordView next;
  if (reader_.read(&next, 1, kBatchBytes).status == shm::ReadStatus::kRecords) next_seq_ = next.seq;
  have_ts_ = false;
  give_start_pack(now_ms);
}

void OutputFeed::tick(uint64_t now_ms) {
  for (Sink& s : sinks_) {
    s.sink->on_tick(now_ms);
    bool idle = s.sink->idle();
    // A sink that wakes in a feed that reads gets the start pack now; in a
    // dormant feed, with the others at wake().
    if (s.idle && !idle && !dormant_) give_start_pack(now_ms, s.sink.get());
    s.idle = idle;
  }
}

uint32_t OutputFeed::finish(uint32_t tail, uint64_t now_ms) {
  ending_ = true;
  end_ = tail;
  uint32_t lost = all_idle() ? 0 : pump(now_ms);
  for (Sink& s : sinks_) s.sink->on_finish(now_ms);
  return lost;
}

bool OutputFeed::read_batch(uint64_t now_ms, uint32_t* lost) {
  shm::RecordView views[kBatchRecords];
  shm::ReadResult r = reader_.read(views, kBatchRecords, kBatchBytes);
  if (r.status != shm::ReadStatus::kRecords || !before_end(views[0])) return false;
  if (r.jumped) after_jump(now_ms);
  // Copy out, then validate: the sinks only ever see intact bytes.
  copy_.resize(r.bytes);
  size_t at = 0;
  {
    shm::SpeculativeReadScope speculative;
    for (uint32_t i = 0; i < r.count; i++) {
      std::memcpy(copy_.data() + at, views[i].payload, views[i].size);
      at += views[i].size;
    }
  }
  if (!reader_.validate(r.start)) {
    (void)reader_.jump_to_keyframe();  // the records skipped count in the next batch
    after_jump(now_ms);
    return true;
  }
  at = 0;
  for (uint32_t i = 0; i < r.count; i++) {
    if (!before_end(views[i])) return false;  // the publish ended before this record
    // Records lost to a lap are the gap in sequence numbers (the reader's own
    // count misses those lost before the feed's first read).
    if (int32_t gap = shm::seq_diff(views[i].seq, next_seq_); gap > 0) *lost += uint32_t(gap);
    next_seq_ = views[i].seq + 1;
    deliver(views[i], copy_.data() + at, now_ms);
    at += views[i].size;
    reader_.advance_past(views[i]);
  }
  return true;
}

void OutputFeed::deliver(const shm::RecordView& v, const uint8_t* bytes, uint64_t now_ms) {
  MediaRecord rec;
  if (!media_kind(v, &rec.kind)) return;
  rec.timestamp = v.timestamp;
  rec.body = {bytes, v.size};
  for (Sink& s : sinks_) {
    if (!s.idle) s.sink->on_record(rec, now_ms);
  }
  last_ts_ = v.timestamp;
  have_ts_ = true;
}

// After records were lost: the sinks hear how much media (by the next
// record's timestamp, when there is one), then get the current metadata
// and sequence headers before the keyframe the cursor jumped to.
void OutputFeed::after_jump(uint64_t now_ms) {
  shm::RecordView next;
  uint32_t lost_ms = 0;
  if (reader_.read(&next, 1, kBatchBytes).status == shm::ReadStatus::kRecords && have_ts_) {
    lost_ms = uint32_t(shm::seq_diff(next.timestamp, last_ts_) > 0 ? next.timestamp - last_ts_ : 0);
  }
  for (Sink& s : sinks_) {
    if (!s.idle) s.sink->on_gap(lost_ms, now_ms);
  }
  give_start_pack(now_ms);
}

void OutputFeed::give_start_pack(uint64_t now_ms, OutputSink* only) {
  const StartPack& pack = start_.get(reader_.ring());
  auto give = [&](MediaKind kind, const std::vector<uint8_t>& body, uint32_t ts) {
    if (body.empty()) return;
    MediaRecord rec{kind, ts, {body.data(), body.size()}};
    for (Sink& s : sinks_) {
      if (only != nullptr ? s.sink.get() == only : !s.idle) s.sink->on_record(rec, now_ms);
    }
  };
  give(MediaKind::kMetadata, pack.metadata, pack.metadata_ts);
  give(MediaKind::kVideo, pack.video, pack.video_ts);
  give(MediaKind::kAudio, pack.audio, pack.audio_ts);
}

}  // namespace srs::worker
