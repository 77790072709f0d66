// DvrSink: the DVR of one publish (SRS's dvr, research/srs.md 1.12), an
// output on the output thread (output/output_thread.hpp): a stalled disk
// delays the recording, never the stream.
//
// Each record goes to the container's writer (dvr_writer.hpp: FLV, or MP4
// when dvr.path ends in ".mp4") that appends to one buffer; the buffer is
// written to the file when it passes 64 KiB, when the writer reaches a flush
// point (an MP4 fragment) and when the file closes (no system call per
// message). A file is written as FILE.tmp and
// renamed to FILE when closed, so a crash leaves a .tmp, never a truncated
// file under its final name; its directories are created as needed.
//
// plan session: one file per publish. plan segment: a new file at the first
// keyframe once `duration` has passed (and, for MP4, a new file at a changed
// sequence header). A file closes at a cut, at unpublish and when the worker
// exits; then the on_dvr callback is notified (fire and forget, from the
// loop) and a log line gives the file, its duration and size. The writer's
// final patch (FLV: the metadata's "duration", set to the file's own) is
// written over the file before it is renamed.
//
// dvr.apply limits which streams of the vhost are recorded. The API can
// start and stop the recording of any live stream (/api/v1/dvrs): it writes
// a request into the stream's registry slot, which the sink reads once a
// second; a stream not to be recorded has an idle sink that gets no records
// (output_feed.hpp), and `dvr_recording` in the slot's statistics says
// whether a file is open.
//
// An error (cannot create the folder or the file, cannot write: disk full,
// permission; a codec the container cannot hold) is logged once with the path and the errno text
// and stops the DVR of this publish; the live stream goes on. Records lost to a stalled disk
// (on_gap) are logged; the file goes on from the next keyframe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/fd.hpp"
#include "conf/config.hpp"
#include "shm/registry.hpp"
#include "worker/dvr/dvr_writer.hpp"
#include "worker/output/sink.hpp"

namespace srs::worker {

// Where a sink finds the API's requests for its publish (no registry: none).
struct DvrControl {
  shm::Registry* registry = nullptr;
  uint32_t slot = 0, generation = 0;
};

class DvrSink final : public OutputSink {
 public:
  DvrSink(const conf::VhostConfig& vhost, const HookInfo& source, Mailbox& mailbox,
          DvrControl control = {});
  ~DvrSink() override;
  DvrSink(const DvrSink&) = delete;
  DvrSink& operator=(const DvrSink&) = delete;

  void on_record(const MediaRecord& r, uint64_t now_ms) override;
  void on_gap(uint32_t lost_ms, uint64_t now_ms) override;
  void on_finish(uint64_t) override { close(); }
  void on_tick(uint64_t now_ms) override;
  bool idle() const override { return !recording_; }

  bool failed() const { return failed_; }

 private:
  bool on_video(uint32_t ts, std::span<const uint8_t> body);
  // The configuration's answer, unless the API asked otherwise.
  bool wanted() const;
  void set_recording_stat(bool open);
  // Closes the current file; later media would start a new one.
  void close();
  void after_append();
  bool open_file();
  void write_out();
  void apply_patch();
  void fail(const char* call, const std::string& path);
  void fail_writer();
  void stop(std::string why);
  void notify(const std::string& path);
  std::string name() const;
  // A log line for the loop, with the publisher's context id.
  void say(base::LogLevel level, std::string text) {
    mailbox_.log(level, std::move(text), source_.client_id);
  }

  static constexpr size_t kFlushBytes = 64 * 1024;

  const conf::VhostConfig& vhost_;  // the generation's snapshot outlives the worker's outputs
  HookInfo source_;
  Mailbox& mailbox_;
  std::vector<uint8_t> buf_;
  std::unique_ptr<DvrWriter> writer_;
  base::Fd fd_;
  std::string path_;  // the final name of the open file
  bool failed_ = false;
  DvrControl control_;
  bool configured_;  // dvr.enabled and dvr.apply select this stream
  bool recording_;   // wanted, as of the last tick
};

// The DVR output: a DvrSink for each publish, idle unless the vhost's dvr
// (or the API) records it. Without a registry (tests): only those dvr
// records, as configured.
class DvrFactory final : public OutputFactory {
 public:
  explicit DvrFactory(shm::Registry* registry = nullptr) : registry_(registry) {}
  std::unique_ptr<OutputSink> make(const PublishEvent& e, Mailbox& mailbox) override;

 private:
  shm::Registry* registry_;
};

}  // namespace srs::worker
