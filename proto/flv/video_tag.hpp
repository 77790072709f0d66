// Video tag body classification, shared by RTMP video messages and FLV tags
// (the same bytes): legacy VideoTagHeader (FLV v10.1 E.4.3.1) and the Enhanced
// RTMP v2 ExVideoTagHeader (veovera, "Enhanced Video"), ModEx and multitrack
// included. It never parses the codec payload; it says what and where it is.
#pragma once

#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::flv {

enum class VideoCodec : uint8_t {
  kAvc,     // CodecID 7 or FourCC avc1
  kHevc,    // FourCC hvc1, or the non-standard CodecID 12 (SRS, Chinese CDNs)
  kAv1,     // FourCC av01, or the non-standard CodecID 13
  kVp9,     // vp09
  kVp8,     // vp08
  kLegacy,  // CodecID 2..6: Sorenson H.263, Screen, VP6, VP6 alpha, Screen v2
};

// E.4.3.1 FrameType / E-RTMP VideoFrameType.
enum class VideoFrameType : uint8_t {
  kKey = 1,
  kInter = 2,
  kDisposable = 3,
  kGeneratedKey = 4,
  kCommand = 5,  // no video: a UI8 command (seek start/end) follows
};

struct VideoTagInfo {
  VideoCodec codec = VideoCodec::kAvc;
  VideoFrameType frame_type = VideoFrameType::kInter;
  bool enhanced = false;  // IsExHeader set
  uint8_t codec_id = 0;   // legacy CodecID; 0 when enhanced
  uint32_t fourcc = 0;    // E-RTMP FourCC; 0 when legacy
  // AVCPacketType (0 sequence header, 1 NALUs, 2 end of sequence) or VideoPacketType.
  uint8_t packet_type = 0;
  bool is_keyframe = false;         // key or generated-key frame (sequence headers too)
  bool is_sequence_header = false;  // AVC/HEVC/AV1... configuration record
  bool is_end_of_sequence = false;
  bool is_command = false;   // frame type 5: no payload
  bool is_metadata = false;  // E-RTMP Metadata packet: the payload is AMF
  bool is_multitrack = false;
  uint8_t track_id = 0;         // of the first track
  uint32_t track_count = 1;     // tracks in this message
  int32_t cts = 0;              // CompositionTime, ms, SI24 sign-extended
  uint32_t nano_offset = 0;     // E-RTMP ModEx TimestampOffsetNano
  uint32_t payload_offset = 0;  // codec payload (first track) within the body
  uint32_t payload_size = 0;
};

// Classifies one video tag body. kInvalid for truncated or reserved fields,
// kUnsupported for an unknown CodecID, FourCC, packet type or multitrack type
// (E-RTMP: "fail in a controlled and predictable manner").
[[nodiscard]] base::Result<VideoTagInfo> classify_video(std::span<const uint8_t> body) noexcept;

}  // namespace srs::proto::flv
