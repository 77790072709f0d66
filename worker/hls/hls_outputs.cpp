// The HLS of the streams published on this worker (see hls_outputs.hpp).
#include "worker/hls/hls_outputs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "proto/hls/path_template.hpp"
#include "shm/registry.hpp"

namespace srs::worker {
namespace {

namespace hls = proto::hls;

void make_parent_dirs(const std::string& path) {
  for (size_t i = 1; i < path.size(); i++) {
    if (path[i] == '/') ::mkdir(path.substr(0, i).c_str(), 0755);
  }
}

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

}  // namespace

// --- one stream ----------------------------------------------------------------

HlsStream::HlsStream(std::string key, std::string root, const conf::HlsConfig& config,
                     hls::SegmenterConfig seg_config, hls::PlaylistState state)
    : key_(std::move(key)), root_(std::move(root)), seg_(std::move(seg_config), std::move(state)) {
  (void)config;
}

HlsStream::~HlsStream() {
  if (fd_ >= 0) ::close(fd_);
}

void HlsStream::on_video(uint32_t ts, std::span<const uint8_t> body, uint64_t now_ms) {
  seg_.on_video(ts, body, now_ms, out_);
  apply();
}

void HlsStream::on_audio(uint32_t ts, std::span<const uint8_t> body, uint64_t now_ms) {
  seg_.on_audio(ts, body, now_ms, out_);
  apply();
}

void HlsStream::tick(uint64_t now_ms) {
  seg_.tick(now_ms, out_);
  apply();
}

void HlsStream::unpublish(uint64_t now_ms) {
  seg_.on_unpublish(now_ms, false, out_);
  apply();
  live = false;
}

void HlsStream::dispose() {
  seg_.dispose(out_);
  apply();
  LOG_INFO("hls %s: disposed (playlist and segments removed)", key_.c_str());
}

void HlsStream::fail(const char* call, const std::string& path) {
  if (errors_++ % 100 == 0) {
    LOG_WARN("hls %s: %s(%s) failed (%s); HLS continues with the next segment (%u errors)", key_.c_str(),
             call, path.c_str(), std::strerror(errno), errors_);
  }
}

void HlsStream::apply() {
  for (const hls::FileOp& op : out_.ops) {
    std::string path = root_ + "/" + op.path;
    std::string tmp = root_ + "/" + op.tmp_path;
    switch (op.kind) {
      case hls::FileOpKind::kOpen:
        if (fd_ >= 0) ::close(fd_);
        make_parent_dirs(tmp);
        fd_ = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("open", tmp);
        break;
      case hls::FileOpKind::kAppend:
        if (fd_ >= 0 && !write_all(fd_, op.bytes.data(), op.bytes.size())) fail("write", tmp);
        break;
      case hls::FileOpKind::kClose:
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", tmp);
        break;
      case hls::FileOpKind::kWritePlaylist: {
        make_parent_dirs(tmp);
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || !write_all(fd, op.bytes.data(), op.bytes.size())) fail("write", tmp);
        if (fd >= 0) ::close(fd);
        if (fd >= 0 && ::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", tmp);
        break;
      }
      case hls::FileOpKind::kDelete:
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail("unlink", path);
        break;
    }
  }
  report();
  out_.clear();
}

void HlsStream::report() {
  for (const hls::Event& e : out_.events) {
    switch (e.kind) {
      case hls::EventKind::kSegment:
        LOG_DEBUG("hls %s: segment %llu, %u ms", key_.c_str(), (unsigned long long)e.sequence,
                  e.duration_ms);
        for (const hls::FileOp& op : out_.ops) {
          bool closed = op.kind == hls::FileOpKind::kClose && op.sequence == e.sequence;
          if (closed && on_segment) on_segment(e.sequence, e.duration_ms, op.path);
        }
        break;
      case hls::EventKind::kForcedCut:
        LOG_WARN("hls %s: segment %llu cut without a keyframe to keep the target duration of %u s "
                 "(the GOP is longer than the fragment allows)", key_.c_str(),
                 (unsigned long long)e.sequence, seg_.target_duration_s());
        break;
      case hls::EventKind::kDiscontinuity:
        LOG_INFO("hls %s: discontinuity at segment %llu", key_.c_str(), (unsigned long long)e.sequence);
        break;
      case hls::EventKind::kMuxError:
        if (errors_++ % 100 == 0) {
          LOG_WARN("hls %s: a message was not muxed: %s", key_.c_str(), e.status.to_string().c_str());
        }
        break;
      case hls::EventKind::kDropped:
        break;
    }
  }
}

// --- the worker's streams ------------------------------------------------------

HlsOutputs::HlsOutputs(Services& svc) : svc_(svc) {
  timer_ = event_new(svc.base, -1, EV_PERSIST, on_tick, this);
  timeval one_second{1, 0};
  event_add(timer_, &one_second);
}

HlsOutputs::~HlsOutputs() {
  if (timer_) event_free(timer_);
}

HlsStream* HlsOutputs::publish(const std::string& key, const conf::VhostConfig& vhost,
                               const HookInfo& source) {
  if (!vhost.hls.enabled) return nullptr;
  const std::string& app = source.app;
  const std::string& stream = source.stream;
  hls::PathVars vars{vhost.name, app, stream, 0};
  auto it = streams_.find(key);
  if (it != streams_.end()) {  // a republish on this worker: same segmenter, new publisher
    it->second->live = true;
    it->second->dispose_at_ms = 0;
    hook_segments(it->second.get(), vhost, source, hls::render_path(vhost.hls.m3u8_file, vars));
    return it->second.get();
  }
  hls::SegmenterConfig sc;
  sc.vhost = vhost.name;
  sc.app = app;
  sc.stream = stream;
  sc.m3u8_template = vhost.hls.m3u8_file;
  sc.ts_template = vhost.hls.ts_file;
  sc.entry_prefix = vhost.hls.entry_prefix;
  sc.fragment_ms = uint32_t(vhost.hls.fragment.count());
  sc.window_ms = uint32_t(vhost.hls.window.count());
  sc.td_ratio = vhost.hls.td_ratio;
  if (base::Status s = hls::Segmenter::validate(sc); !s.is_ok()) {
    LOG_WARN("hls %s: disabled for this stream: %s", key.c_str(), s.to_string().c_str());
    return nullptr;
  }
  std::string root = vhost.http_dir.empty() ? svc_.config->http_server.dir : vhost.http_dir;
  const std::string raw_m3u8_template = sc.m3u8_template;
  std::string m3u8 = root + "/" + hls::render_path(sc.m3u8_template, vars);
  // Published before on another worker: continue the playlist it left.
  std::ifstream previous(m3u8);
  hls::PlaylistState state;
  if (previous) {
    std::stringstream text;
    text << previous.rdbuf();
    base::Result<hls::PlaylistState> parsed =
        hls::parse_playlist(text.str(), hls::render_path(sc.m3u8_template, vars));
    if (parsed.is_ok() && !parsed->empty()) {
      state = std::move(*parsed);
      LOG_INFO("hls %s: continuing %s from media sequence %llu", key.c_str(), m3u8.c_str(),
               (unsigned long long)state.next_sequence);
    }
  }
  auto hs = std::make_unique<HlsStream>(key, root, vhost.hls, std::move(sc), std::move(state));
  HlsStream* raw = hs.get();
  hook_segments(raw, vhost, source, hls::render_path(raw_m3u8_template, vars));
  streams_[key] = std::move(hs);
  LOG_INFO("hls %s: writing %s", key.c_str(), m3u8.c_str());
  return raw;
}

void HlsOutputs::unpublish(HlsStream* stream, const conf::VhostConfig& vhost) {
  stream->unpublish(uint64_t(base::mono_ms()));
  int64_t dispose = vhost.hls.dispose.count();
  stream->dispose_at_ms = dispose > 0 ? base::mono_ms() + dispose : 0;
}

void HlsOutputs::on_tick(evutil_socket_t, short, void* arg) { static_cast<HlsOutputs*>(arg)->tick(); }

void HlsOutputs::tick() {
  int64_t now = base::mono_ms();
  for (auto it = streams_.begin(); it != streams_.end();) {
    HlsStream& s = *it->second;
    s.tick(uint64_t(now));
    if (s.live || (s.dispose_at_ms != 0 && now < s.dispose_at_ms)) {
      ++it;
      continue;
    }
    if (s.dispose_at_ms == 0) {  // hls.dispose 0s: the files stay
      it = streams_.erase(it);
      continue;
    }
    // Published again on another worker? Then its files are that worker's now.
    base::Result<shm::StreamInfo> info = svc_.control->registry().find(s.key());
    if (!info.is_ok() || info->state != shm::StreamState::kLive) s.dispose();
    it = streams_.erase(it);
  }
}

}  // namespace srs::worker
