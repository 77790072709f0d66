// Publisher: the writing side of one live stream, owned by whatever feeds it
// (an RTMP publisher's connection today; an edge puller or an ingest next).
// It takes neutral MediaRecords (stream/media_record.hpp), never a protocol's
// message type.
//
// Claiming the name is atomic across workers (the shared registry): a second
// publisher of a live name is refused, unless the vhost allows a takeover.
// A name whose publisher left (or whose worker died) less than the republish
// grace period ago is continued: same stream slot, same ring, a new
// generation, so its players see a discontinuity and keep playing.
//
// Records are appended to the ring as they arrive and committed once per
// socket read (flush()), which is when the sleeping workers are woken: at
// most one wake-up per worker per batch. Outputs (HLS, DVR) are consumers of
// the ring like players, started and stopped through the publish observers
// (stream/publish_observer.hpp): nothing but the ring write runs here.
#pragma once

#include <memory>
#include <string>

#include "base/status.hpp"
#include "shm/registry.hpp"
#include "shm/ring_writer.hpp"
#include "shm/segment.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/media_record.hpp"
#include "worker/stream/publish_observer.hpp"
#include "worker/stream/stream_stats.hpp"

namespace srs::worker {

class Publisher {
 public:
  // Claims `key` for this worker and opens (or continues) its ring. On
  // failure `*why` is the reason for the client ("stream busy" ...), and
  // `*busy` tells a name conflict from an internal error. `source` is the
  // publishing client (app, stream, and what on_hls and on_dvr report).
  // An edge pull (`kind`) never takes a stream over from a publisher.
  static std::unique_ptr<Publisher> start(Services& svc, const std::string& key,
                                          const conf::VhostConfig& vhost, const HookInfo& source,
                                          std::string* why, bool* busy,
                                          PublishSource kind = PublishSource::kClient);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // One record. Errors are for the source (an oversized message).
  [[nodiscard]] base::Status write(const MediaRecord& r);
  // Makes the written records visible and wakes the sleeping workers.
  // False when another publisher took the stream over (publish.takeover):
  // this one must stop.
  [[nodiscard]] bool flush();
  // Unpublish: the stream waits for a republish for the grace period.
  void stop();

  const std::string& key() const { return event_.key; }
  uint32_t slot() const { return ref_.slot; }
  uint32_t generation() const { return ref_.generation; }
  uint64_t messages() const { return messages_; }

 private:
  Publisher(Services& svc, const std::string& key, const conf::VhostConfig& vhost,
            const HookInfo& source);
  bool claim(std::string* why, bool* busy, shm::StreamInfo* before);
  bool open_ring(const shm::StreamInfo& before, std::string* why);
  shm::RecordMeta classify(const MediaRecord& r);
  bool still_owner();

  Services& svc_;
  const conf::VhostConfig& vhost_;
  PublishEvent event_;  // what the observers hear
  shm::StreamRef ref_;
  shm::Segment segment_;
  shm::RingWriter writer_;
  bool pending_ = false;
  bool owner_checked_ = false;  // owner as of the registry's owner_epoch_
  uint32_t owner_epoch_ = 0;
  bool stopped_ = false;
  bool observed_ = false;  // on_publish told: on_unpublish owed
  uint64_t messages_ = 0;
  uint64_t flushed_messages_ = 0;
  uint64_t bytes_ = 0;
  uint64_t video_frames_ = 0;
  StreamStatsWriter stats_;  // the stream's shm::StreamStats
  bool counted_ = false;     // in the worker's publishers gauge
};

}  // namespace srs::worker
