// The writing side of a live stream (see publisher.hpp).
#include "worker/stream/publisher.hpp"

#include "base/clock.hpp"
#include "base/log.hpp"
#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "proto/rtmp/command.hpp"
#include "proto/rtmp/command_data.hpp"
#include "shm/ring_layout.hpp"
#include "worker/hls/hls_outputs.hpp"

namespace srs::worker {
namespace {

namespace rtmp = proto::rtmp;

uint32_t mono_seconds() { return uint32_t(base::mono_ms() / 1000); }

}  // namespace

std::unique_ptr<Publisher> Publisher::start(Services& svc, const std::string& key,
                                            const conf::VhostConfig& vhost, const HookInfo& source,
                                            std::string* why, bool* busy) {
  bool takeover = vhost.publish.takeover;
  *busy = false;
  shm::Registry& reg = svc.control->registry();
  shm::Owner owner{svc.slot, svc.pid};
  std::unique_ptr<Publisher> pub(new Publisher(svc, key, vhost));
  shm::StreamInfo before;
  if (base::Result<shm::StreamInfo> f = reg.find(key); f.is_ok()) before = *f;
  base::Result<shm::StreamRef> ref = reg.publish(key, owner);
  bool took_over = false;
  if (!ref.is_ok() && ref.status().code() == base::Errc::kExists && takeover) {
    base::Result<shm::StreamInfo> live = reg.find(key);
    if (live.is_ok()) {
      uint32_t previous = shm::kNoSlot;
      ref = reg.takeover(live->slot, live->generation, owner, &previous);
      took_over = ref.is_ok();
      if (took_over) LOG_WARN("publish %s: taking over from worker slot %u", key.c_str(), previous);
    }
  }
  if (!ref.is_ok()) {
    *busy = ref.status().code() == base::Errc::kExists;
    *why = *busy ? "stream " + key + " is busy: another client publishes it"
                 : "cannot claim stream " + key + ": " + ref.status().to_string();
    return nullptr;
  }
  pub->ref_ = *ref;
  pub->stats_.bind(&reg.stats(pub->ref_.slot));
  if (took_over) before.ring_epoch = reg.ring_epoch(pub->ref_.slot), before.state = shm::StreamState::kFree;
  if (!pub->open_ring(before, why)) {
    (void)reg.end(pub->ref_);
    pub->stopped_ = true;
    return nullptr;
  }
  svc.wakeups->wake_mask(reg.take_waiters());
  pub->hls_ = svc.hls->publish(key, vhost, source);
  pub->dvr_ = DvrStream::start(svc, vhost, source);
  svc.control->workers().counters(svc.slot).publishers.fetch_add(1, std::memory_order_relaxed);
  pub->counted_ = true;
  return pub;
}

bool Publisher::open_ring(const shm::StreamInfo& before, std::string* why) {
  shm::Registry& reg = svc_.control->registry();
  uint32_t epoch = reg.ring_epoch(ref_.slot);
  // A republish within the grace period continues the same ring: its players
  // stay attached and see a discontinuity record.
  if (epoch != 0 && before.state == shm::StreamState::kLost) {
    base::Result<shm::Segment> seg = shm::Segment::open(svc_.control->ring_name(ref_.slot, epoch));
    if (seg.is_ok() && writer_.resume(seg->data(), seg->size()).is_ok()) {
      segment_ = std::move(*seg);
      pending_ = true;  // the discontinuity record goes out with the first commit
      LOG_INFO("publish %s: continuing stream slot %u, generation %u (ring epoch %u)", key_.c_str(),
               ref_.slot, ref_.generation, epoch);
      return true;
    }
  }
  uint32_t capacity = uint32_t(svc_.config->shm.ring_bytes);
  uint32_t next = epoch + 1 == 0 ? 1 : epoch + 1;
  base::Result<shm::Segment> seg =
      shm::Segment::create(svc_.control->ring_name(ref_.slot, next), shm::bytes_for(capacity));
  if (!seg.is_ok()) {
    *why = "creating the ring of " + key_ + " failed: " + seg.status().to_string();
    return false;
  }
  shm::RingOptions opts;
  opts.capacity = capacity;
  opts.generation = ref_.generation;
  if (base::Status s = writer_.init(seg->data(), seg->size(), opts); !s.is_ok()) {
    *why = "formatting the ring of " + key_ + " failed: " + s.to_string();
    return false;
  }
  segment_ = std::move(*seg);
  if (base::Status s = reg.set_ring_epoch(ref_, next); !s.is_ok()) {
    *why = "publishing the ring of " + key_ + " failed: " + s.to_string();
    return false;
  }
  if (epoch != 0) (void)shm::Segment::unlink(svc_.control->ring_name(ref_.slot, epoch));
  LOG_INFO("publish %s: stream slot %u, generation %u, new ring epoch %u of %u bytes", key_.c_str(),
           ref_.slot, ref_.generation, next, capacity);
  return true;
}

Publisher::~Publisher() { stop(); }

base::Status Publisher::on_message(const rtmp::Message& msg) {
  const uint8_t type = msg.header.type_id;
  if (type == rtmp::kTypeDataAmf0 || type == rtmp::kTypeDataAmf3) return append_data(msg);
  if (type != rtmp::kTypeAudio && type != rtmp::kTypeVideo) return base::Status::ok();
  if (msg.payload.empty()) return base::Status::ok();
  shm::RecordMeta meta;
  meta.timestamp = msg.header.timestamp;
  if (type == rtmp::kTypeVideo) {
    meta.type = shm::RecordType::kVideo;
    base::Result<proto::flv::VideoTagInfo> info = proto::flv::classify_video(msg.payload);
    if (info.is_ok()) {
      if (info->is_keyframe && !info->is_sequence_header) meta.flags |= shm::kFlagKeyframe;
      if (info->is_sequence_header) meta.flags |= shm::kFlagSequenceHeader;
      meta.cts = info->cts;
      stats_.on_video(msg.payload, info->is_sequence_header);
      if (!info->is_sequence_header) video_frames_++;
    }
  } else {
    meta.type = shm::RecordType::kAudio;
    base::Result<proto::flv::AudioTagInfo> info = proto::flv::classify_audio(msg.payload);
    if (info.is_ok() && info->is_sequence_header) meta.flags |= shm::kFlagSequenceHeader;
    if (info.is_ok()) stats_.on_audio(msg.payload, info->is_sequence_header);
  }
  if (base::Status s = writer_.append(meta, msg.payload); !s.is_ok()) return s;
  if (hls_) {
    uint64_t now = uint64_t(base::mono_ms());
    if (type == rtmp::kTypeVideo) hls_->on_video(meta.timestamp, msg.payload, now);
    else hls_->on_audio(meta.timestamp, msg.payload, now);
  }
  if (dvr_) {
    if (type == rtmp::kTypeVideo) dvr_->on_video(meta.timestamp, msg.payload);
    else dvr_->on_audio(meta.timestamp, msg.payload);
  }
  pending_ = true;
  messages_++;
  bytes_ += msg.payload.size();
  return base::Status::ok();
}

base::Status Publisher::append_data(const rtmp::Message& msg) {
  bool amf3 = msg.header.type_id == rtmp::kTypeDataAmf3;
  base::Result<rtmp::DataMessage> data = rtmp::decode_data(msg.payload.data(), msg.payload.size(), amf3);
  // Only metadata travels to players (as onMetaData, without @setDataFrame).
  if (!data.is_ok() || !data->is_metadata()) return base::Status::ok();
  shm::RecordMeta meta;
  meta.type = shm::RecordType::kData;
  meta.flags = shm::kFlagMetadata;
  meta.timestamp = msg.header.timestamp;
  const std::string& body = data->player_payload;
  shm::ConstBytes bytes(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  if (base::Status s = writer_.append(meta, bytes); !s.is_ok()) return s;
  if (dvr_) dvr_->on_metadata(meta.timestamp, bytes);
  pending_ = true;
  return base::Status::ok();
}

bool Publisher::flush() {
  if (!pending_ || stopped_) return true;
  pending_ = false;
  // After a takeover the new owner writes a new ring; this one may have
  // written a little more to the old one, which nobody reads any more.
  if (!svc_.control->registry().is_owner(ref_)) return false;
  shm::WakeSet wake = writer_.commit();
  wake.for_each([this](uint32_t slot) { svc_.wakeups->wake(slot); });
  stats_.on_flush(bytes_, messages_, video_frames_, base::mono_ms());
  svc_.control->workers().counters(svc_.slot).messages_in.add(messages_ - flushed_messages_);
  flushed_messages_ = messages_;
  return true;
}

void Publisher::stop() {
  if (stopped_) return;
  (void)flush();
  stopped_ = true;
  if (hls_) svc_.hls->unpublish(hls_, vhost_);
  hls_ = nullptr;
  dvr_.reset();  // closes the file, on_dvr
  if (counted_) svc_.control->workers().counters(svc_.slot).publishers.fetch_sub(1, std::memory_order_relaxed);
  shm::Registry& reg = svc_.control->registry();
  if (!reg.is_owner(ref_)) return;  // taken over: the new owner has it
  if (base::Status s = reg.release(ref_, mono_seconds()); !s.is_ok()) {
    LOG_WARN("unpublish %s: release failed: %s", key_.c_str(), s.to_string().c_str());
  }
  // Players are told through the registry (their worker re-reads it each
  // second); wake them so that HTTP players waiting on data notice sooner.
  svc_.wakeups->wake_mask(~0ull);
}

}  // namespace srs::worker
