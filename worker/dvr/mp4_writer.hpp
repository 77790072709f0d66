// Mp4Writer: MP4 files for the DVR (dvr_writer.hpp), muxed by libavformat's
// mov/mp4 muxer into the sink's buffer through a custom AVIOContext (no
// seeking: the sink appends to FILE.tmp on the output thread).
//
// Tracks: H.264 or HEVC video (the FLV sequence header's configuration
// record becomes the avcC/hvcC; frames are already length-prefixed NAL
// units, ISO/IEC 14496-15), AAC audio (the AudioSpecificConfig becomes the
// esds). Any other codec stops the recording with an error naming it.
// Metadata has no place in the file.
//
// Crash safety: fragmented MP4 (ISO/IEC 14496-12 8.8): an empty moov at the
// start, then a moof+mdat fragment at each video keyframe and at least
// every kFragmentMs; each fragment is a flush point, so a SIGKILL loses at
// most the fragment in progress and the .tmp plays up to the last whole
// one. A clean finish writes the last fragment and the mfra index (tfra per
// track): players and ffprobe find the duration and seek points at once.
// Large files: with default_base_moof every offset is relative to its moof
// (no 32-bit stco/co64 table of the whole file), tfdt and tfra are version
// 1 (64-bit times and offsets).
//
// Time: every record's 32-bit RTMP timestamp is unwrapped to 64 bits
// (time_unwrapper.hpp) and rebased to the file's first keyframe; time base
// 1 ms; pts = dts + composition time. Per track, dts strictly increases
// (a repeated or backward timestamp becomes the previous one + 1 ms) and
// pts >= dts, as the muxer requires.
//
// A new sequence header that differs from the file's starts a new file
// (needs_new_file()): an MP4 track holds one configuration.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "worker/dvr/av_handles.hpp"
#include "worker/dvr/dvr_writer.hpp"
#include "worker/dvr/time_unwrapper.hpp"

namespace srs::worker {

class Mp4Writer final : public DvrWriter {
 public:
  static constexpr int64_t kFragmentMs = 1000;
  // The muxer's options (tests check what they promise).
  static constexpr const char* kMovFlags = "frag_keyframe+empty_moov+default_base_moof";

  explicit Mp4Writer(std::vector<uint8_t>* out) : out_(out) {}
  Mp4Writer(const Mp4Writer&) = delete;
  Mp4Writer& operator=(const Mp4Writer&) = delete;

  bool on_metadata(uint32_t, std::span<const uint8_t>) override { return true; }
  bool on_video(uint32_t ts, std::span<const uint8_t> body) override;
  bool on_audio(uint32_t ts, std::span<const uint8_t> body) override;
  bool finish_file() override;
  void begin_file() override;
  bool needs_new_file(const MediaRecord& r) const override;
  bool at_flush_point() const override { return flushed_; }

  bool started() const override { return started_; }
  uint64_t file_time(uint32_t ts) const override;
  uint64_t duration_ms() const override { return duration_ms_; }
  uint64_t file_bytes() const override { return file_bytes_; }

 private:
  // One track of the file: its stream index and the last dts written (ms).
  struct Track {
    int index = -1;
    int64_t last_dts = -1;
    int64_t last_step = 0;  // the last dts step: the duration of the next packet
  };

  bool start();
  bool add_video_track();
  bool add_audio_track();
  bool write(Track& track, int64_t at, int32_t cts, bool key, std::span<const uint8_t> payload);
  bool fail(std::string what);
  bool fail_av(const char* call, int err);
  void end_file();
  static int on_write(void* self, uint8_t* buf, int size);

  std::vector<uint8_t>* out_;
  std::vector<uint8_t> video_header_, audio_header_;  // the last sequence headers (FLV bodies)
  bool has_video_ = false;  // the stream has sent video (sequence header or frame)
  TimeUnwrapper clock_;
  int64_t base_ = 0;  // the unwrapped time of the file's start
  bool started_ = false;
  // The file's own copy of the configurations: a different one needs a new file.
  std::vector<uint8_t> file_video_header_, file_audio_header_;
  av::IoContext io_;
  av::FormatContext format_;
  av::Packet packet_;
  Track video_, audio_;
  uint64_t file_bytes_ = 0;
  uint64_t duration_ms_ = 0;
  bool flushed_ = false;
};

}  // namespace srs::worker
