// The writing side of a live stream (see publisher.hpp).
#include "worker/stream/publisher.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"
#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "shm/ring_layout.hpp"

namespace srs::worker {
namespace {

uint32_t mono_seconds() {
  return uint32_t(base::mono_ms() / 1000);
}

}  // namespace

Publisher::Publisher(Services& svc, const std::string& key, const conf::VhostConfig& vhost,
                     const HookInfo& source)
    : svc_(svc), vhost_(vhost) {
  event_.key = key;
  event_.vhost = &vhost;
  event_.source = source;
}

std::unique_ptr<Publisher> Publisher::start(Services& svc, const std::string& key,
                                            const conf::VhostConfig& vhost, const HookInfo& source,
                                            std::string* why, bool* busy, PublishSource kind) {
  std::unique_ptr<Publisher> pub(new Publisher(svc, key, vhost, source));
  pub->event_.kind = kind;
  shm::StreamInfo before;
  if (!pub->claim(why, busy, &before)) return nullptr;
  shm::Registry& reg = svc.control->registry();
  pub->stats_.bind(&reg.stats(pub->ref_.slot));
  if (!pub->open_ring(before, why)) {
    (void)reg.end(pub->ref_);
    pub->stopped_ = true;
    return nullptr;
  }
  // Waiting players, and players of the stream this one continues or took
  // over (they follow the registry's state), look at it now.
  svc.wakeups->wake_mask(reg.take_waiters() |
                         (before.state == shm::StreamState::kFree ? 0 : ~0ull));
  svc.control->workers().counters(svc.slot).publishers.fetch_add(1, std::memory_order_relaxed);
  pub->counted_ = true;
  pub->event_.stream_slot = pub->ref_.slot;
  pub->event_.generation = pub->ref_.generation;
  pub->event_.ring_epoch = reg.ring_epoch(pub->ref_.slot);
  pub->event_.tail = pub->writer_.tail();
  for (PublishObserver* o : svc.publish_observers) o->on_publish(pub->event_);
  pub->observed_ = true;
  return pub;
}

// The registry claim, or a takeover when the vhost allows one. `before` is
// what the registry held for the key (a stream waiting for a republish).
bool Publisher::claim(std::string* why, bool* busy, shm::StreamInfo* before) {
  const std::string& key = event_.key;
  *busy = false;
  shm::Registry& reg = svc_.control->registry();
  shm::Owner owner{svc_.slot, svc_.pid};
  if (base::Result<shm::StreamInfo> f = reg.find(key); f.is_ok()) *before = *f;
  base::Result<shm::StreamRef> ref = reg.publish(key, owner);
  if (!ref.is_ok() && ref.status().code() == base::Errc::kExists && vhost_.publish.takeover &&
      event_.kind == PublishSource::kClient) {
    if (base::Result<shm::StreamInfo> live = reg.find(key); live.is_ok()) {
      uint32_t previous = shm::kNoSlot;
      ref = reg.takeover(live->slot, live->generation, owner, &previous);
      if (ref.is_ok()) {
        LOG_WARN("publish %s: taking over from worker slot %u", key.c_str(), previous);
        before->ring_epoch = reg.ring_epoch(ref->slot);
        before->state =
            shm::StreamState::kLive;  // a new ring: the old owner may still write its own
      }
    }
  }
  if (!ref.is_ok()) {
    *busy = ref.status().code() == base::Errc::kExists;
    *why = *busy ? "stream " + key + " is busy: another client publishes it"
                 : "cannot claim stream " + key + ": " + ref.status().to_string();
    return false;
  }
  ref_ = *ref;
  return true;
}

bool Publisher::open_ring(const shm::StreamInfo& before, std::string* why) {
  const std::string& key = event_.key;
  shm::Registry& reg = svc_.control->registry();
  uint32_t epoch = reg.ring_epoch(ref_.slot);
  // A republish within the grace period continues the same ring: its players
  // stay attached and see a discontinuity record.
  if (epoch != 0 && before.state == shm::StreamState::kLost) {
    base::Result<shm::Segment> seg = shm::Segment::open(svc_.control->ring_name(ref_.slot, epoch));
    if (seg.is_ok() && writer_.resume(seg->data(), seg->size()).is_ok()) {
      segment_ = std::move(*seg);
      pending_ = true;  // the discontinuity record goes out with the first commit
      LOG_INFO("publish %s: continuing stream slot %u, generation %u (ring epoch %u)", key.c_str(),
               ref_.slot, ref_.generation, epoch);
      return true;
    }
  }
  uint32_t capacity = uint32_t(svc_.config->shm.ring_bytes);
  uint32_t next = epoch + 1 == 0 ? 1 : epoch + 1;
  base::Result<shm::Segment> seg =
      shm::Segment::create(svc_.control->ring_name(ref_.slot, next), shm::bytes_for(capacity));
  if (!seg.is_ok()) {
    *why = "creating the ring of " + key + " failed: " + seg.status().to_string();
    return false;
  }
  shm::RingOptions opts;
  opts.capacity = capacity;
  opts.generation = ref_.generation;
  if (base::Status s = writer_.init(seg->data(), seg->size(), opts); !s.is_ok()) {
    *why = "formatting the ring of " + key + " failed: " + s.to_string();
    return false;
  }
  segment_ = std::move(*seg);
  if (base::Status s = reg.set_ring_epoch(ref_, next); !s.is_ok()) {
    *why = "publishing the ring of " + key + " failed: " + s.to_string();
    return false;
  }
  if (epoch != 0) (void)shm::Segment::unlink(svc_.control->ring_name(ref_.slot, epoch));
  LOG_INFO("publish %s: stream slot %u, generation %u, new ring epoch %u of %u bytes", key.c_str(),
           ref_.slot, ref_.generation, next, capacity);
  return true;
}

Publisher::~Publisher() {
  stop();
}

// The ring's type and flags of a record; the stream's codec summary learns
// from sequence headers on the way.
shm::RecordMeta Publisher::classify(const MediaRecord& r) {
  shm::RecordMeta meta;
  meta.timestamp = r.timestamp;
  if (r.kind == MediaKind::kMetadata) {
    meta.type = shm::RecordType::kData;
    meta.flags = shm::kFlagMetadata;
    return meta;
  }
  if (r.kind == MediaKind::kAudio) {
    meta.type = shm::RecordType::kAudio;
    base::Result<proto::flv::AudioTagInfo> info = proto::flv::classify_audio(r.body);
    if (info.is_ok() && info->is_sequence_header) meta.flags |= shm::kFlagSequenceHeader;
    if (info.is_ok()) stats_.on_audio(r.body, info->is_sequence_header);
    return meta;
  }
  meta.type = shm::RecordType::kVideo;
  base::Result<proto::flv::VideoTagInfo> info = proto::flv::classify_video(r.body);
  if (!info.is_ok()) return meta;
  if (info->is_keyframe && !info->is_sequence_header) meta.flags |= shm::kFlagKeyframe;
  if (info->is_sequence_header) meta.flags |= shm::kFlagSequenceHeader;
  meta.cts = info->cts;
  stats_.on_video(r.body, info->is_sequence_header);
  if (!info->is_sequence_header) video_frames_++;
  return meta;
}

base::Status Publisher::write(const MediaRecord& r) {
  if (r.body.empty() || stopped_) return base::Status::ok();
  shm::RecordMeta meta = classify(r);
  if (base::Status s = writer_.append(meta, r.body); !s.is_ok()) return s;
  pending_ = true;
  if (r.kind == MediaKind::kMetadata) return base::Status::ok();
  messages_++;
  bytes_ += r.body.size();
  return base::Status::ok();
}

bool Publisher::flush() {
  if (!pending_ || stopped_) return true;
  pending_ = false;
  // After a takeover the new owner writes a new ring; this one may have
  // written a little more to the old one, which nobody reads any more.
  if (!still_owner()) return false;
  shm::WakeSet wake = writer_.commit();
  if (!wake.empty()) {
    // The readers measure how late they answer (their merge window's load).
    shm::WorkerTable& workers = svc_.control->workers();
    uint32_t now_us = uint32_t(base::mono_ns() / 1000);
    wake.for_each([&](uint32_t slot) {
      workers.note_rung(slot, now_us);
      svc_.wakeups->wake(slot);
    });
  }
  stats_.on_flush(bytes_, messages_, video_frames_, base::mono_ms());
  svc_.control->workers().counters(svc_.slot).messages_in.add(messages_ - flushed_messages_);
  flushed_messages_ = messages_;
  return true;
}

// Every change of a stream's owner or state bumps the registry's epoch after
// it is made: the stream slot's own line (cold, one per stream) is read only
// when the epoch moved since the last look.
bool Publisher::still_owner() {
  shm::Registry& reg = svc_.control->registry();
  const uint32_t epoch = reg.epoch();
  if (owner_checked_ && epoch == owner_epoch_) return true;
  if (!reg.is_owner(ref_)) return false;
  owner_checked_ = true;
  owner_epoch_ = epoch;
  return true;
}

void Publisher::stop() {
  if (stopped_) return;
  (void)flush();
  stopped_ = true;
  if (observed_) {
    event_.tail = writer_.tail();
    for (PublishObserver* o : svc_.publish_observers) o->on_unpublish(event_);
  }
  if (counted_) {
    svc_.control->workers().counters(svc_.slot).publishers.fetch_sub(1, std::memory_order_relaxed);
  }
  shm::Registry& reg = svc_.control->registry();
  if (!reg.is_owner(ref_)) return;  // taken over: the new owner has it
  if (base::Status s = reg.release(ref_, mono_seconds()); !s.is_ok()) {
    LOG_WARN("unpublish %s: release failed: %s", event_.key.c_str(), s.to_string().c_str());
  }
  // The players of this stream, on every worker, learn it at once (the
  // registry changed; a wake-up makes them look).
  svc_.wakeups->wake_mask(~0ull);
}

}  // namespace srs::worker
