// The DVR of one publish (see dvr_stream.hpp).
#include "worker/dvr/dvr_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "base/bytes.hpp"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "worker/dvr/dvr_path.hpp"
#include "worker/hooks/hooks.hpp"

namespace srs::worker {
namespace {

// mkdir -p of the folders above `path`; false (errno set) when one cannot be made.
bool make_parent_dirs(const std::string& path) {
  for (size_t i = 1; i < path.size(); i++) {
    if (path[i] != '/') continue;
    if (::mkdir(path.substr(0, i).c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w == 0) errno = ENOSPC;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

}  // namespace

std::unique_ptr<DvrStream> DvrStream::start(Services& svc, const conf::VhostConfig& vhost,
                                            const HookInfo& source) {
  if (!vhost.dvr.enabled) return nullptr;
  return std::make_unique<DvrStream>(svc, vhost, source);
}

DvrStream::DvrStream(Services& svc, const conf::VhostConfig& vhost, const HookInfo& source)
    : svc_(svc), vhost_(vhost), app_(source.app), stream_(source.stream), source_(source) {
  buf_.reserve(2 * kFlushBytes);
}

DvrStream::~DvrStream() {
  close();
}

void DvrStream::on_metadata(uint32_t ts, std::span<const uint8_t> body) {
  if (failed_) return;
  writer_.on_metadata(ts, body);
  after_append();
}

void DvrStream::on_video(uint32_t ts, std::span<const uint8_t> body) {
  if (failed_) return;
  bool segment = vhost_.dvr.plan == conf::DvrPlan::kSegment;
  uint32_t limit = uint32_t(vhost_.dvr.duration.count());
  if (segment && writer_.started() && writer_.rebase(ts) >= limit &&
      proto::flv::FileWriter::is_keyframe(body)) {
    close();  // the cut: this keyframe starts the next file
  }
  writer_.on_video(ts, body);
  after_append();
}

void DvrStream::on_audio(uint32_t ts, std::span<const uint8_t> body) {
  if (failed_) return;
  writer_.on_audio(ts, body);
  after_append();
}

// Opens the file when the writer started one; writes the buffer out when full.
void DvrStream::after_append() {
  if (buf_.empty()) return;
  if (!fd_.valid() && !open_file()) return;
  if (buf_.size() >= kFlushBytes) write_out();
}

bool DvrStream::open_file() {
  DvrPathVars vars{vhost_.name, app_, stream_, base::wall_ms()};
  path_ = render_dvr_path(dvr_file_template(vhost_.dvr.path), vars);
  std::string tmp = path_ + ".tmp";
  if (!make_parent_dirs(tmp)) {
    fail("mkdir", tmp);
    return false;
  }
  fd_.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd_.valid()) {
    fail("open", tmp);
    return false;
  }
  LOG_INFO("dvr %s/%s/%s: recording to %s", vhost_.name.c_str(), app_.c_str(), stream_.c_str(),
           tmp.c_str());
  return true;
}

void DvrStream::write_out() {
  if (!write_all(fd_.get(), buf_.data(), buf_.size())) fail("write", path_ + ".tmp");
  buf_.clear();
}

void DvrStream::close() {
  if (failed_ || !fd_.valid()) {
    buf_.clear();
    writer_.begin_file();
    return;
  }
  write_out();
  if (failed_) return;
  patch_duration();
  fd_.reset();
  std::string tmp = path_ + ".tmp";
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail("rename", tmp);
  LOG_INFO("dvr %s/%s/%s: closed %s, %.3f s, %llu bytes", vhost_.name.c_str(), app_.c_str(),
           stream_.c_str(), path_.c_str(), double(writer_.duration_ms()) / 1000.0,
           (unsigned long long)writer_.file_bytes());
  writer_.begin_file();
  notify(path_);
}

// The metadata's duration becomes this file's (a best effort: the file plays anyway).
void DvrStream::patch_duration() {
  uint64_t at = writer_.duration_field_offset();
  if (at == 0) return;
  uint8_t number[8];
  base::store_be_double(number, double(writer_.duration_ms()) / 1000.0);
  if (::pwrite(fd_.get(), number, sizeof number, off_t(at)) != ssize_t(sizeof number)) {
    LOG_WARN("dvr %s/%s/%s: pwrite(%s.tmp) of the duration failed (%s)", vhost_.name.c_str(),
             app_.c_str(), stream_.c_str(), path_.c_str(), std::strerror(errno));
  }
}

// Logged once; the DVR of this stream stops and its partial file goes.
void DvrStream::fail(const char* call, const std::string& path) {
  int err = errno;
  LOG_ERROR("dvr %s/%s/%s: %s(%s) failed (%d: %s); recording of this stream stopped",
            vhost_.name.c_str(), app_.c_str(), stream_.c_str(), call, path.c_str(), err,
            std::strerror(err));
  failed_ = true;
  buf_.clear();
  buf_.shrink_to_fit();
  if (fd_.valid()) {
    fd_.reset();
    (void)::unlink((path_ + ".tmp").c_str());
  }
}

// SRS's SrsHttpHooks::on_dvr: fire and forget.
void DvrStream::notify(const std::string& path) {
  if (!svc_.hooks || !Hooks::wanted(vhost_, HookEvent::kDvr)) return;
  HookInfo info = source_;  // the publisher: client_id, ip, param, tcUrl
  info.vhost = vhost_.name;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd)) info.cwd = cwd;
  info.file = path;
  info.stream_id = api_stream_id(*svc_.control, vhost_.name + "/" + app_ + "/" + stream_);
  svc_.hooks->notify(vhost_, HookEvent::kDvr, info);
}

}  // namespace srs::worker
