// The DVR of one publish, on the output thread (see dvr_sink.hpp).
#include "worker/dvr/dvr_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "base/clock.hpp"
#include "proto/flv/file_writer.hpp"
#include "worker/dvr/dvr_path.hpp"
#include "worker/output/file_ops.hpp"

namespace srs::worker {

std::unique_ptr<OutputSink> DvrFactory::make(const PublishEvent& e, Mailbox& mailbox) {
  bool configured = e.vhost->dvr.enabled && e.vhost->dvr.applies_to(e.source.app, e.source.stream);
  if (!configured && registry_ == nullptr) return nullptr;
  return std::make_unique<DvrSink>(*e.vhost, e.source, mailbox,
                                   DvrControl{registry_, e.stream_slot, e.generation});
}

DvrSink::DvrSink(const conf::VhostConfig& vhost, const HookInfo& source, Mailbox& mailbox,
                 DvrControl control)
    : vhost_(vhost),
      source_(source),
      mailbox_(mailbox),
      writer_(make_dvr_writer(dvr_file_template(vhost.dvr.path), &buf_)),
      control_(control),
      configured_(vhost.dvr.enabled && vhost.dvr.applies_to(source.app, source.stream)) {
  recording_ = wanted();
  if (recording_) buf_.reserve(2 * kFlushBytes);
}

bool DvrSink::wanted() const {
  if (control_.registry == nullptr) return configured_;
  switch (control_.registry->dvr_request(control_.slot, control_.generation)) {
    case shm::DvrRequest::kStart:
      return true;
    case shm::DvrRequest::kStop:
      return false;
    case shm::DvrRequest::kNone:
      break;
  }
  return configured_;
}

// The API's requests take effect here, within a second.
void DvrSink::on_tick(uint64_t) {
  bool want = wanted();
  if (want == recording_) return;
  if (want) {
    say(base::LogLevel::kInfo, name() + ": recording started by the API");
  } else {
    close();
    say(base::LogLevel::kInfo, name() + ": recording stopped by the API");
  }
  recording_ = want;
}

void DvrSink::set_recording_stat(bool open) {
  if (control_.registry == nullptr) return;
  control_.registry->stats(control_.slot)
      .dvr_recording.store(open ? 1 : 0, std::memory_order_relaxed);
}

DvrSink::~DvrSink() {
  close();
}

std::string DvrSink::name() const {
  return "dvr " + vhost_.name + "/" + source_.app + "/" + source_.stream;
}

void DvrSink::on_record(const MediaRecord& r, uint64_t) {
  if (failed_ || !recording_) return;
  if (writer_->needs_new_file(r)) close();  // a configuration the file cannot hold
  if (failed_) return;
  bool ok = true;
  switch (r.kind) {
    case MediaKind::kMetadata:
      ok = writer_->on_metadata(r.timestamp, r.body);
      break;
    case MediaKind::kVideo:
      ok = on_video(r.timestamp, r.body);
      break;
    case MediaKind::kAudio:
      ok = writer_->on_audio(r.timestamp, r.body);
      break;
  }
  if (!ok) return fail_writer();
  after_append();
}

bool DvrSink::on_video(uint32_t ts, std::span<const uint8_t> body) {
  bool segment = vhost_.dvr.plan == conf::DvrPlan::kSegment;
  uint64_t limit = uint64_t(vhost_.dvr.duration.count());
  if (segment && writer_->started() && writer_->file_time(ts) >= limit &&
      proto::flv::FileWriter::is_keyframe(body)) {
    close();  // the cut: this keyframe starts the next file
    if (failed_) return true;
  }
  return writer_->on_video(ts, body);
}

void DvrSink::on_gap(uint32_t lost_ms, uint64_t) {
  if (failed_) return;
  say(base::LogLevel::kWarn, name() + ": about " + std::to_string(lost_ms) +
                                 " ms of media lost (the disk did not keep up); " + path_ +
                                 ".tmp goes on from the next keyframe");
}

// Opens the file when the writer started one; writes the buffer out when
// full or at the writer's flush point.
void DvrSink::after_append() {
  if (buf_.empty()) return;
  if (!fd_.valid() && !open_file()) return;
  if (buf_.size() >= kFlushBytes || writer_->at_flush_point()) write_out();
}

bool DvrSink::open_file() {
  DvrPathVars vars{vhost_.name, source_.app, source_.stream, base::wall_ms()};
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
  say(base::LogLevel::kInfo, name() + ": recording to " + tmp);
  set_recording_stat(true);
  return true;
}

void DvrSink::write_out() {
  if (!write_all(fd_.get(), buf_.data(), buf_.size())) fail("write", path_ + ".tmp");
  buf_.clear();
}

void DvrSink::close() {
  set_recording_stat(false);
  if (failed_ || !fd_.valid()) {
    buf_.clear();
    writer_->begin_file();
    return;
  }
  if (!writer_->finish_file()) return fail_writer();
  write_out();
  if (failed_) return;
  apply_patch();
  fd_.reset();
  std::string tmp = path_ + ".tmp";
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail("rename", tmp);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", double(writer_->duration_ms()) / 1000.0);
  say(base::LogLevel::kInfo, name() + ": closed " + path_ + ", " + seconds + " s, " +
                                 std::to_string(writer_->file_bytes()) + " bytes");
  writer_->begin_file();
  notify(path_);
}

// The writer's last word over the file, e.g. FLV's duration (a best effort:
// the file plays anyway).
void DvrSink::apply_patch() {
  DvrWriter::Patch p = writer_->final_patch();
  if (p.bytes.empty()) return;
  if (::pwrite(fd_.get(), p.bytes.data(), p.bytes.size(), off_t(p.offset)) !=
      ssize_t(p.bytes.size())) {
    say(base::LogLevel::kWarn, name() + ": pwrite(" + path_ + ".tmp) of the duration failed (" +
                                   std::strerror(errno) + ")");
  }
}

void DvrSink::fail(const char* call, const std::string& path) {
  int err = errno;
  stop(std::string(call) + "(" + path + ") failed (" + std::to_string(err) + ": " +
       std::strerror(err) + ")");
}

// The container cannot go on (a codec it cannot hold, a muxer error).
void DvrSink::fail_writer() {
  std::string where = fd_.valid() ? " while recording to " + path_ + ".tmp" : "";
  stop(writer_->error() + where);
}

// Logged once; the DVR of this publish stops and its partial file goes.
void DvrSink::stop(std::string why) {
  say(base::LogLevel::kError, name() + ": " + why + "; recording of this stream stopped");
  failed_ = true;
  set_recording_stat(false);
  writer_->begin_file();
  buf_.clear();
  buf_.shrink_to_fit();
  if (fd_.valid()) {
    fd_.reset();
    (void)::unlink((path_ + ".tmp").c_str());
  }
}

// SRS's SrsHttpHooks::on_dvr: fire and forget, from the loop.
void DvrSink::notify(const std::string& path) {
  if (!Hooks::wanted(vhost_, HookEvent::kDvr)) return;
  OutputNote n;
  n.notify = true;
  n.hook = HookEvent::kDvr;
  n.vhost = &vhost_;
  n.info = source_;  // the publisher: client_id, ip, param, tcUrl
  n.info.vhost = vhost_.name;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd)) n.info.cwd = cwd;
  n.info.file = path;
  mailbox_.post(std::move(n));
}

}  // namespace srs::worker
