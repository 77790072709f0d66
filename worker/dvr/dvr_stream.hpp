// DvrStream: the DVR of one publish (SRS's dvr, research/srs.md 1.12),
// owned by its Publisher, on the publisher's worker.
//
// Each message goes to a proto::flv::FileWriter that appends to one buffer;
// the buffer is written to the file when it passes 64 KiB and when the file
// closes (no system call per message). A file is written as FILE.tmp and
// renamed to FILE when closed, so a crash leaves a .tmp, never a truncated
// file under its final name; its directories are created as needed.
//
// plan session: one file per publish. plan segment: a new file at the first
// keyframe once `duration` has passed. A file closes at a cut, at unpublish
// and when the worker exits; then the on_dvr callback is notified (fire and
// forget) and a log line gives the file, its duration and size. The
// metadata's "duration" is set to the file's own before it closes.
//
// An error (cannot create the folder or the file, cannot write: disk full,
// permission) is logged once with the path and the errno text and stops the
// DVR of this stream; the live stream goes on.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "conf/config.hpp"
#include "proto/flv/file_writer.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

class DvrStream {
 public:
  // Null when the vhost does not record.
  // `source`: the publishing client (app, stream, client_id, ip, param,
  // tcUrl), which on_dvr reports.
  static std::unique_ptr<DvrStream> start(Services& svc, const conf::VhostConfig& vhost,
                                          const HookInfo& source);
  DvrStream(Services& svc, const conf::VhostConfig& vhost, const HookInfo& source);
  ~DvrStream();
  DvrStream(const DvrStream&) = delete;
  DvrStream& operator=(const DvrStream&) = delete;

  void on_metadata(uint32_t ts, std::span<const uint8_t> body);
  void on_video(uint32_t ts, std::span<const uint8_t> body);
  void on_audio(uint32_t ts, std::span<const uint8_t> body);
  // Closes the current file (unpublish); later media would start a new one.
  void close();

  bool failed() const { return failed_; }

 private:
  void after_append();
  bool open_file();
  void write_out();
  void patch_duration();
  void fail(const char* call, const std::string& path);
  void notify(const std::string& path);

  static constexpr size_t kFlushBytes = 64 * 1024;

  Services& svc_;
  const conf::VhostConfig& vhost_;  // the generation's snapshot outlives the publisher
  std::string app_, stream_;
  HookInfo source_;
  std::vector<uint8_t> buf_;
  proto::flv::FileWriter writer_{&buf_};
  base::Fd fd_;
  std::string path_;  // the final name of the open file
  bool failed_ = false;
};

}  // namespace srs::worker
