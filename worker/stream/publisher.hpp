// Publisher: the writing side of one live stream, owned by the RTMP
// connection that published it.
//
// Claiming the name is atomic across workers (the shared registry): a second
// publisher of a live name is refused, unless the vhost allows a takeover.
// A name whose publisher left (or whose worker died) less than the republish
// grace period ago is continued: same stream slot, same ring, a new
// generation, so its players see a discontinuity and keep playing.
//
// Media messages are appended to the ring as they are parsed and committed
// once per socket read (flush()), which is when the sleeping workers are
// woken: at most one wake-up per worker per batch.
#pragma once

#include <memory>
#include <string>

#include "base/status.hpp"
#include "proto/rtmp/message.hpp"
#include "shm/registry.hpp"
#include "shm/ring_writer.hpp"
#include "shm/segment.hpp"
#include "worker/dvr/dvr_stream.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/stream_stats.hpp"

namespace srs::worker {

class HlsStream;

class Publisher {
 public:
  // Claims `key` for this worker and opens (or continues) its ring. On
  // failure `*why` is the reason for the client ("stream busy" ...), and
  // `*busy` tells a name conflict from an internal error. `source` is the
  // publishing client (app, stream, and what on_hls and on_dvr report).
  static std::unique_ptr<Publisher> start(Services& svc, const std::string& key,
                                          const conf::VhostConfig& vhost, const HookInfo& source,
                                          std::string* why, bool* busy);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // One audio, video or data message of the publisher. Errors are for the
  // connection (an oversized message); unknown data messages are skipped.
  [[nodiscard]] base::Status on_message(const proto::rtmp::Message& msg);
  // Makes the appended messages visible and wakes the sleeping workers.
  // False when another publisher took the stream over (publish.takeover):
  // this one must stop.
  [[nodiscard]] bool flush();
  // Unpublish: the stream waits for a republish for the grace period.
  void stop();

  const std::string& key() const { return key_; }
  uint32_t slot() const { return ref_.slot; }
  uint32_t generation() const { return ref_.generation; }
  uint64_t messages() const { return messages_; }

 private:
  Publisher(Services& svc, std::string key, const conf::VhostConfig& vhost)
      : svc_(svc), key_(std::move(key)), vhost_(vhost) {}
  bool open_ring(const shm::StreamInfo& before, std::string* why);
  [[nodiscard]] base::Status append_data(const proto::rtmp::Message& msg);

  Services& svc_;
  std::string key_;
  const conf::VhostConfig& vhost_;
  HlsStream* hls_ = nullptr;  // owned by svc_.hls
  std::unique_ptr<DvrStream> dvr_;  // null: the vhost does not record
  shm::StreamRef ref_;
  shm::Segment segment_;
  shm::RingWriter writer_;
  bool pending_ = false;
  bool stopped_ = false;
  uint64_t messages_ = 0;
  uint64_t flushed_messages_ = 0;
  uint64_t bytes_ = 0;
  uint64_t video_frames_ = 0;
  StreamStatsWriter stats_;  // the stream's shm::StreamStats
  bool counted_ = false;  // in the worker's publishers gauge
};

}  // namespace srs::worker
