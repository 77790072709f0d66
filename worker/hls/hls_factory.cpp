// The HLS output (see hls_factory.hpp).
#include "worker/hls/hls_factory.hpp"

#include <fstream>
#include <sstream>

#include "proto/hls/path_template.hpp"
#include "shm/registry.hpp"

namespace srs::worker {
namespace {

namespace hls = proto::hls;

// One publish feeding its stream's HlsStream.
class HlsSink final : public OutputSink {
 public:
  HlsSink(std::shared_ptr<HlsStream> stream, uint64_t token, int64_t dispose_ms)
      : owner_(std::move(stream)), stream_(*owner_), token_(token), dispose_ms_(dispose_ms) {}

  void on_record(const MediaRecord& r, uint64_t now_ms) override {
    if (!stream_.owned_by(token_)) return;  // a later publish took the stream over
    if (r.kind == MediaKind::kVideo) stream_.on_video(r.timestamp, r.body, now_ms);
    if (r.kind == MediaKind::kAudio) stream_.on_audio(r.timestamp, r.body, now_ms);
  }
  void on_gap(uint32_t, uint64_t) override {}  // the segmenter marks the timestamp jump itself
  void on_tick(uint64_t now_ms) override {
    if (stream_.owned_by(token_)) stream_.tick(now_ms);
  }
  void on_finish(uint64_t now_ms) override {
    if (!stream_.owned_by(token_)) return;
    stream_.unpublish(now_ms);
    stream_.dispose_at_ms = dispose_ms_ > 0 ? int64_t(now_ms) + dispose_ms_ : 0;
  }

 private:
  std::shared_ptr<HlsStream> owner_;
  HlsStream& stream_;
  uint64_t token_;
  int64_t dispose_ms_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::unique_ptr<OutputSink> HlsFactory::make(const PublishEvent& e, Mailbox& mailbox) {
  const conf::VhostConfig& vhost = *e.vhost;
  if (!vhost.hls.enabled) return nullptr;
  std::shared_ptr<HlsStream> stream = open(e, mailbox);
  if (!stream) return nullptr;
  hls::PathVars vars{vhost.name, e.source.app, e.source.stream, 0};
  uint64_t token = stream->publish(e.source, &vhost, hls::render_path(vhost.hls.m3u8_file, vars));
  return std::make_unique<HlsSink>(std::move(stream), token, vhost.hls.dispose.count());
}

// The stream's HlsStream: the one of an earlier publish on this worker, or
// a new one that continues the playlist another worker left.
std::shared_ptr<HlsStream> HlsFactory::open(const PublishEvent& e, Mailbox& mailbox) {
  if (auto it = streams_.find(e.key); it != streams_.end()) return it->second;
  const conf::VhostConfig& vhost = *e.vhost;
  hls::SegmenterConfig sc;
  sc.vhost = vhost.name;
  sc.app = e.source.app;
  sc.stream = e.source.stream;
  sc.m3u8_template = vhost.hls.m3u8_file;
  sc.ts_template = vhost.hls.ts_file;
  sc.entry_prefix = vhost.hls.entry_prefix;
  sc.fragment_ms = uint32_t(vhost.hls.fragment.count());
  sc.window_ms = uint32_t(vhost.hls.window.count());
  sc.td_ratio = vhost.hls.td_ratio;
  if (base::Status s = hls::Segmenter::validate(sc); !s.is_ok()) {
    mailbox.log(base::LogLevel::kWarn,
                "hls " + e.key + ": disabled for this stream: " + s.to_string(),
                e.source.client_id);
    return nullptr;
  }
  std::string root = vhost.http_dir.empty() ? config_.http_server.dir : vhost.http_dir;
  hls::PathVars vars{vhost.name, sc.app, sc.stream, 0};
  std::string m3u8 = hls::render_path(sc.m3u8_template, vars);
  hls::PlaylistState state;
  if (std::string text = read_file(root + "/" + m3u8); !text.empty()) {
    base::Result<hls::PlaylistState> parsed = hls::parse_playlist(text, m3u8);
    if (parsed.is_ok() && !parsed->empty()) {
      state = std::move(*parsed);
      mailbox.log(base::LogLevel::kInfo,
                  "hls " + e.key + ": continuing " + root + "/" + m3u8 + " from media sequence " +
                      std::to_string(state.next_sequence),
                  e.source.client_id);
    }
  }
  auto hs = std::make_shared<HlsStream>(e.key, root, std::move(sc), std::move(state), mailbox);
  mailbox.log(base::LogLevel::kInfo, "hls " + e.key + ": writing " + root + "/" + m3u8,
              e.source.client_id);
  return streams_.emplace(e.key, std::move(hs)).first->second;
}

// Streams whose publisher left: disposed once hls.dispose has passed, unless
// the stream is live again on another worker (its files are that worker's now).
void HlsFactory::on_tick(uint64_t now_ms, Mailbox&) {
  for (auto it = streams_.begin(); it != streams_.end();) {
    HlsStream& s = *it->second;
    if (!s.live()) s.tick(now_ms);  // deletions the RFC let wait until now
    if (s.live() || (s.dispose_at_ms != 0 && int64_t(now_ms) < s.dispose_at_ms)) {
      ++it;
      continue;
    }
    if (s.dispose_at_ms != 0) {
      base::Result<shm::StreamInfo> info = control_.registry().find(s.key());
      if (!info.is_ok() || info->state != shm::StreamState::kLive) s.dispose();
    }
    it = streams_.erase(it);  // hls.dispose 0s: the files stay
  }
}

}  // namespace srs::worker
