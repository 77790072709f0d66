// DvrWriter: the container of a recording's files (FLV or MP4): the bytes of
// each file, from the records of one publish, into the sink's buffer. The
// sink (dvr_sink.hpp) owns the rest: the plan (when a file starts and ends),
// the .tmp file, its writes, the rename and on_dvr. No I/O here.
//
// A file starts at the first keyframe (or audio frame, for a stream without
// video) with what a player needs first, and its time starts at 0. After
// finish_file() the buffer holds the file's last bytes; begin_file() forgets
// the file (finished or abandoned) and the next keyframe starts another.
//
// A writer that cannot go on (a codec MP4 cannot hold, a muxer error)
// returns false and says why in error(); the sink logs it once and stops
// that recording.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "worker/stream/media_record.hpp"

namespace srs::worker {

class DvrWriter {
 public:
  virtual ~DvrWriter() = default;

  virtual bool on_metadata(uint32_t ts, std::span<const uint8_t> body) = 0;
  virtual bool on_video(uint32_t ts, std::span<const uint8_t> body) = 0;
  virtual bool on_audio(uint32_t ts, std::span<const uint8_t> body) = 0;
  // The current file's last bytes into the buffer (MP4: the last fragment and its index).
  virtual bool finish_file() = 0;
  // The next record starts a new file, at a keyframe.
  virtual void begin_file() = 0;

  // Whether `r`, given now, needs a file of its own: a sequence header that
  // the current file cannot take (MP4 holds one configuration per track).
  virtual bool needs_new_file(const MediaRecord& r) const {
    (void)r;
    return false;
  }
  // Whether the buffer ends where the file should reach the disk now (an
  // MP4 fragment is complete): what a crash then loses is the fragment in
  // progress. Else the sink writes out every 64 KiB.
  virtual bool at_flush_point() const { return false; }

  // Bytes to write over the finished file, at `offset` (FLV: the metadata's
  // duration, set to the file's own); empty when there are none.
  struct Patch {
    uint64_t offset = 0;
    std::vector<uint8_t> bytes;
  };
  virtual Patch final_patch() const { return {}; }

  virtual bool started() const = 0;
  // The file time of a record at `ts` (ms): where a segment cut is decided.
  virtual uint64_t file_time(uint32_t ts) const = 0;
  // Media time since the file's first record (ms), and the file's bytes so far.
  virtual uint64_t duration_ms() const = 0;
  virtual uint64_t file_bytes() const = 0;
  // Why the last call returned false.
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

// The writer for a dvr.path: MP4 when it ends in ".mp4", FLV otherwise.
// `out` receives the bytes; the caller writes them out and clears it.
std::unique_ptr<DvrWriter> make_dvr_writer(std::string_view path, std::vector<uint8_t>* out);

}  // namespace srs::worker
