// HlsOutputs: the HLS of the streams published on this worker.
//
// The publisher's worker feeds each message of a stream with hls.enabled to
// its proto::hls::Segmenter (MPEG-TS muxing, segment cuts, the playlist) and
// carries out the file operations it returns under the vhost's HTTP root:
// segments written to a temporary name and renamed when complete, the
// playlist written to a temporary file and renamed (atomic for readers), old
// segments deleted only once RFC 8216 6.2.2 allows. Any worker serves the
// files (static HTTP).
//
// Continuity across publisher restarts: a republish on this worker continues
// the same Segmenter; one on another worker reads the playlist left on disk
// to continue its media sequence (with EXT-X-DISCONTINUITY). When the
// publisher leaves, the playlist and segments are removed hls.dispose later,
// unless the stream was published again meanwhile (on any worker).
#pragma once

#include <event2/event.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "conf/config.hpp"
#include "proto/hls/path_template.hpp"
#include "proto/hls/segmenter.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

class HlsStream {
 public:
  HlsStream(std::string key, std::string root, const conf::HlsConfig& config,
            proto::hls::SegmenterConfig seg_config, proto::hls::PlaylistState state);
  ~HlsStream();
  HlsStream(const HlsStream&) = delete;
  HlsStream& operator=(const HlsStream&) = delete;

  void on_video(uint32_t ts, std::span<const uint8_t> body, uint64_t now_ms);
  void on_audio(uint32_t ts, std::span<const uint8_t> body, uint64_t now_ms);
  void tick(uint64_t now_ms);
  void unpublish(uint64_t now_ms);
  void dispose();

  const std::string& key() const { return key_; }
  int64_t dispose_at_ms = 0;  // 0: live, or kept
  // A segment was closed: its number, duration and path under the root (on_hls).
  std::function<void(uint64_t seq, uint32_t duration_ms, const std::string& path)> on_segment;
  bool live = true;

 private:
  void apply();
  void report();
  void fail(const char* call, const std::string& path);

  std::string key_;
  std::string root_;
  proto::hls::Segmenter seg_;
  proto::hls::Output out_;
  int fd_ = -1;
  uint32_t errors_ = 0;
};

class HlsOutputs {
 public:
  explicit HlsOutputs(Services& svc);
  ~HlsOutputs();
  HlsOutputs(const HlsOutputs&) = delete;
  HlsOutputs& operator=(const HlsOutputs&) = delete;

  // The HLS of `key` for a new publish by `source` (its app and stream; on_hls
  // reports its client_id, ip, param and tcUrl). Null when the vhost has no HLS.
  HlsStream* publish(const std::string& key, const conf::VhostConfig& vhost,
                     const HookInfo& source);
  // The on_hls callback of a stream's segments (worker/hls_hooks.cpp).
  void hook_segments(HlsStream* hs, const conf::VhostConfig& vhost, const HookInfo& source,
                     const std::string& m3u8);
  // The publisher of `key` left: close the segment, schedule the disposal.
  void unpublish(HlsStream* stream, const conf::VhostConfig& vhost);

 private:
  static void on_tick(evutil_socket_t, short, void* arg);
  void tick();

  Services& svc_;
  event* timer_ = nullptr;
  std::map<std::string, std::unique_ptr<HlsStream>> streams_;
};

}  // namespace srs::worker
