// HlsStream: the HLS of one stream published on this worker, on the output
// thread: its proto::hls::Segmenter (MPEG-TS muxing, segment cuts, the
// playlist) and the file operations it returns, carried out under the
// vhost's HTTP root: segments written to a temporary name and renamed when
// complete, the playlist written to a temporary file and renamed (atomic for
// readers), old segments deleted only once RFC 8216 6.2.2 allows. Any worker
// serves the files (static HTTP).
//
// One HlsStream lives across the publishes of its stream on this worker (the
// factory keeps it), so a republish continues the media sequence; each
// closed segment posts the on_hls callback to the loop.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/fd.hpp"
#include "conf/config.hpp"
#include "proto/hls/segmenter.hpp"
#include "worker/output/sink.hpp"

namespace srs::worker {

class HlsStream {
 public:
  HlsStream(std::string key, std::string root, proto::hls::SegmenterConfig seg_config,
            proto::hls::PlaylistState state, Mailbox& mailbox);
  HlsStream(const HlsStream&) = delete;
  HlsStream& operator=(const HlsStream&) = delete;

  // A new publish feeds the stream: on_hls reports `source` and `vhost`
  // (null vhost: no callback). Returns the publish's token: the latest
  // publish owns the stream (a takeover on this worker overlaps the old one).
  uint64_t publish(const HookInfo& source, const conf::VhostConfig* vhost, std::string m3u8);
  bool owned_by(uint64_t token) const { return token == token_; }
  void on_video(uint32_t ts, std::span<const uint8_t> body, uint64_t now_ms);
  void on_audio(uint32_t ts, std::span<const uint8_t> body, uint64_t now_ms);
  void tick(uint64_t now_ms);
  void unpublish(uint64_t now_ms);
  void dispose();

  const std::string& key() const { return key_; }
  bool live() const { return live_; }
  int64_t dispose_at_ms = 0;  // 0: live, or kept

 private:
  void apply();
  void report();
  void notify_segment(uint64_t seq, uint32_t duration_ms, const std::string& path);
  void fail(const char* call, const std::string& path);
  // A log line for the loop, with the current publisher's context id.
  void say(base::LogLevel level, std::string text) {
    mailbox_.log(level, std::move(text), source_.client_id);
  }

  std::string key_;
  std::string root_;
  proto::hls::Segmenter seg_;
  proto::hls::Output out_;
  Mailbox& mailbox_;
  base::Fd fd_;
  uint32_t errors_ = 0;
  bool live_ = true;
  uint64_t token_ = 0;
  // on_hls: the publisher feeding the segmenter, and the playlist's path.
  HookInfo source_;
  const conf::VhostConfig* vhost_ = nullptr;
  std::string m3u8_;
};

}  // namespace srs::worker
