// Muxer: FLV tag bodies (RTMP audio/video messages) in, MPEG-TS packets out,
// for HLS segments (ISO/IEC 13818-1; RFC 8216 section 3.2).
//
// Why our own muxer and not libavformat's: per stream, libavformat costs an
// AVFormatContext, AVIOContext, AVPackets and a bitstream filter for the
// Annex B conversion (tens of KB and several allocations per frame), and it
// decides PCR placement, continuity counters across files and PAT/PMT
// repetition itself (its counters restart with every new context, i.e. every
// segment). HLS needs exactly one program, two PIDs and a handful of rules we
// must control and test: this file is those rules, with reused buffers and no
// allocation once the buffers have grown to the largest frame.
//
// What it does:
//  - H.264 and HEVC (legacy CodecID 7 / 12 and E-RTMP avc1 / hvc1): the
//    length-prefixed NAL units become Annex B, with an access unit delimiter
//    first and the parameter sets from the sequence header (VPS, SPS, PPS)
//    before every keyframe that does not carry its own (H.264 7.4.1.2.3,
//    13818-1 2.14); random_access_indicator + PUSI on the keyframe's first packet.
//  - AAC: a 7-byte ADTS header rebuilt from the AudioSpecificConfig before
//    every raw frame; MP3 frames as they come. Several audio frames go into
//    one PES (bounded in time, count and bytes) to limit PES/TS overhead.
//  - PTS = (timestamp + composition time) * 90, DTS = timestamp * 90 (33 bits).
//  - PCR on the video PID (the audio PID without video) in every PES of that
//    PID, PCR = DTS - pcr_lead (never above the DTS it precedes, never
//    backwards); PCR-only packets fill gaps longer than pcr_interval.
//  - Continuity counters per PID that continue across segments (one Muxer
//    per stream); PAT + PMT at start_segment() and every psi_interval.
//  - The PMT declares only the tracks seen (by their sequence headers or
//    first frames); a change bumps its version_number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.hpp"
#include "proto/codec/aac_config.hpp"
#include "proto/ts/psi.hpp"

namespace srs::proto::ts {

struct MuxerOptions {
  uint32_t audio_group_ms = 70;  // frames starting this long after the PES's first go to a new PES
  uint32_t audio_group_frames = 8;  // at most this many audio frames per PES
  uint32_t pcr_interval_ms = 100;   // 13818-1 2.7.2: PCRs at most 0.1 s apart
  uint32_t pcr_lead_ms = 100;       // PCR = DTS - lead (a little decoder buffer; audio skew)
  uint32_t psi_interval_ms =
      400;  // PAT/PMT repetition (TR 101 290 1.3: 500 ms); 0 = segment starts only
};

struct MuxerStats {
  uint64_t video_frames = 0;
  uint64_t audio_frames = 0;
  uint64_t pes_packets = 0;
  uint64_t pcr_packets = 0;  // PCR-only fillers
  uint64_t psi_repeats = 0;  // PAT+PMT pairs written inside segments
};

class Muxer {
 public:
  explicit Muxer(MuxerOptions options = {}) noexcept;

  // One FLV video tag body at `timestamp_ms` (the RTMP message timestamp, the
  // DTS). Sequence headers update the configuration and write nothing;
  // frames are appended to `out` as TS packets. Errors: kUnsupported (a codec
  // MPEG-TS does not carry here), kInvalid (malformed body or configuration,
  // a frame before its sequence header). Nothing is written on error.
  [[nodiscard]] base::Status write_video(uint32_t timestamp_ms, std::span<const uint8_t> body,
                                         std::vector<uint8_t>& out) noexcept;
  // One FLV audio tag body (AAC or MP3). Frames may be held to be grouped;
  // flush() writes them.
  [[nodiscard]] base::Status write_audio(uint32_t timestamp_ms, std::span<const uint8_t> body,
                                         std::vector<uint8_t>& out) noexcept;

  // Writes the audio frames held for grouping, if any.
  void flush(std::vector<uint8_t>& out) noexcept;

  // Begins a segment: PAT then PMT as its first two packets (RFC 8216 3.2).
  // Flush the previous segment first. `discontinuity`: the timeline may
  // restart (republish, timestamp jump), so PCR monotonicity starts over.
  void start_segment(std::vector<uint8_t>& out, bool discontinuity = false) noexcept;

  const Program& program() const noexcept { return program_; }
  bool has_video_config() const noexcept { return !video_params_.empty(); }
  bool has_audio_config() const noexcept { return program_.audio != StreamType::kNone; }
  const MuxerStats& stats() const noexcept { return stats_; }
  // The continuity counter the next packet on `pid` will carry.
  uint8_t next_cc(uint16_t pid) const noexcept { return cc_[slot(pid)]; }

 private:
  enum class VideoKind : uint8_t { kNone, kAvc, kHevc };

  base::Status on_video_config(VideoKind kind, std::span<const uint8_t> record) noexcept;
  base::Status build_annexb(std::span<const uint8_t> payload, bool keyframe) noexcept;
  base::Status add_audio_frame(uint64_t dts, std::span<const uint8_t> head,
                               std::span<const uint8_t> frame, std::vector<uint8_t>& out) noexcept;
  void set_tracks(StreamType video, StreamType audio) noexcept;
  void write_pes(uint16_t pid, uint64_t dts, uint64_t pts, bool random_access,
                 std::vector<uint8_t>& buf, std::vector<uint8_t>& out) noexcept;
  void write_pcr_fill(uint16_t pid, uint64_t pcr, std::vector<uint8_t>& out) noexcept;
  void maybe_write_psi(uint64_t dts, std::vector<uint8_t>& out) noexcept;
  void write_psi(std::vector<uint8_t>& out) noexcept;
  static size_t slot(uint16_t pid) noexcept;  // index into cc_

  MuxerOptions options_;
  Program program_;
  MuxerStats stats_;
  VideoKind video_kind_ = VideoKind::kNone;
  unsigned length_size_ = 4;
  std::vector<uint8_t> video_params_;  // Annex B VPS/SPS/PPS for keyframes
  codec::AacConfig aac_;
  bool have_aac_ = false;
  bool psi_dirty_ = false;  // the track set changed since the last PMT
  bool psi_written_ = false;
  uint64_t last_psi_ = 0;  // DTS (90 kHz) of the last PAT/PMT
  bool have_pcr_ = false;
  uint64_t last_pcr_ = 0;           // 90 kHz, not wrapped
  uint8_t cc_[5] = {};              // next continuity_counter: PAT, PMT, video, audio, other
  std::vector<uint8_t> video_buf_;  // kPesHeaderMax reserved bytes, then the PES payload
  std::vector<uint8_t> audio_buf_;
  uint32_t audio_count_ = 0;  // frames held in audio_buf_
  uint64_t audio_dts_ = 0;    // of the first frame held
};

}  // namespace srs::proto::ts
