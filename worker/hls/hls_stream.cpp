// The HLS of one stream, on the output thread (see hls_stream.hpp).
#include "worker/hls/hls_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "worker/output/file_ops.hpp"

namespace srs::worker {
namespace {

namespace hls = proto::hls;

}  // namespace

HlsStream::HlsStream(std::string key, std::string root, hls::SegmenterConfig seg_config,
                     hls::PlaylistState state, Mailbox& mailbox)
    : key_(std::move(key)),
      root_(std::move(root)),
      seg_(std::move(seg_config), std::move(state)),
      mailbox_(mailbox) {}

uint64_t HlsStream::publish(const HookInfo& source, const conf::VhostConfig* vhost,
                            std::string m3u8) {
  live_ = true;
  dispose_at_ms = 0;
  source_ = source;
  vhost_ = vhost && Hooks::wanted(*vhost, HookEvent::kHls) ? vhost : nullptr;
  m3u8_ = std::move(m3u8);
  return ++token_;
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
  live_ = false;
}

void HlsStream::dispose() {
  seg_.dispose(out_);
  apply();
  say(base::LogLevel::kInfo, "hls " + key_ + ": disposed (playlist and segments removed)");
}

void HlsStream::fail(const char* call, const std::string& path) {
  int err = errno;
  if (errors_++ % 100 != 0) return;
  say(base::LogLevel::kWarn, "hls " + key_ + ": " + call + "(" + path + ") failed (" +
                                 std::strerror(err) + "); HLS continues with the next segment (" +
                                 std::to_string(errors_) + " errors)");
}

void HlsStream::apply() {
  for (const hls::FileOp& op : out_.ops) {
    std::string path = root_ + "/" + op.path;
    std::string tmp = root_ + "/" + op.tmp_path;
    switch (op.kind) {
      case hls::FileOpKind::kOpen:
        fd_.reset();
        (void)make_parent_dirs(tmp);
        fd_.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd_.valid()) fail("open", tmp);
        break;
      case hls::FileOpKind::kAppend:
        if (fd_.valid() && !write_all(fd_.get(), op.bytes.data(), op.bytes.size()))
          fail("write", tmp);
        break;
      case hls::FileOpKind::kClose:
        fd_.reset();
        if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename", tmp);
        break;
      case hls::FileOpKind::kWritePlaylist:
        if (!write_file_atomically(path, tmp, op.bytes)) fail("write", tmp);
        break;
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
        for (const hls::FileOp& op : out_.ops) {
          if (op.kind == hls::FileOpKind::kClose && op.sequence == e.sequence) {
            notify_segment(e.sequence, e.duration_ms, op.path);
          }
        }
        break;
      case hls::EventKind::kForcedCut:
        say(base::LogLevel::kWarn, "hls " + key_ + ": segment " + std::to_string(e.sequence) +
                                       " cut without a keyframe to keep the target duration of " +
                                       std::to_string(seg_.target_duration_s()) +
                                       " s (the GOP is longer than the fragment allows)");
        break;
      case hls::EventKind::kDiscontinuity:
        say(base::LogLevel::kInfo,
            "hls " + key_ + ": discontinuity at segment " + std::to_string(e.sequence));
        break;
      case hls::EventKind::kMuxError:
        if (errors_++ % 100 == 0) {
          say(base::LogLevel::kWarn,
              "hls " + key_ + ": a message was not muxed: " + e.status.to_string());
        }
        break;
      case hls::EventKind::kDropped:
        break;
    }
  }
}

// on_hls (SRS's SrsHttpHooks::on_hls): fire and forget, from the loop, with
// the segment's file, URL, duration and number, and the publisher.
void HlsStream::notify_segment(uint64_t seq, uint32_t duration_ms, const std::string& path) {
  if (!vhost_) return;
  OutputNote n;
  n.notify = true;
  n.hook = HookEvent::kHls;
  n.vhost = vhost_;
  n.info = source_;
  n.info.vhost = vhost_->name;
  n.info.duration_s = double(duration_ms) / 1000.0;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd)) n.info.cwd = cwd;
  n.info.file = root_ + "/" + path;
  n.info.url = path;
  n.info.m3u8 = root_ + "/" + m3u8_;
  n.info.m3u8_url = m3u8_;
  n.info.seq_no = seq;
  mailbox_.post(std::move(n));
}

}  // namespace srs::worker
