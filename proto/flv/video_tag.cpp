// Video tag body classification: legacy FLV E.4.3.1 and E-RTMP v2 ExVideoTagHeader.
#include "proto/flv/video_tag.hpp"

#include "proto/codec/byte_cursor.hpp"
#include "proto/flv/ex_header.hpp"

namespace srs::proto::flv {

using base::Errc;
using base::Result;
using base::Status;
using codec::ByteCursor;

namespace {

// E-RTMP VideoPacketType.
enum : uint8_t {
  kSequenceStart = 0,
  kCodedFrames = 1,
  kSequenceEnd = 2,
  kCodedFramesX = 3,
  kMetadata = 4,
  kMpeg2TsSequenceStart = 5,
  kMultitrack = 6,
};

constexpr uint32_t kAvc1 = make_fourcc('a', 'v', 'c', '1');
constexpr uint32_t kHvc1 = make_fourcc('h', 'v', 'c', '1');

int32_t sign_extend_24(uint32_t v) noexcept {
  return static_cast<int32_t>(v << 8) >> 8;
}

bool is_key(VideoFrameType t) noexcept {
  return t == VideoFrameType::kKey || t == VideoFrameType::kGeneratedKey;
}

void set_payload(VideoTagInfo& info, size_t offset, size_t size) noexcept {
  info.payload_offset = static_cast<uint32_t>(offset);
  info.payload_size = static_cast<uint32_t>(size);
}

// E.4.3.1: FrameType UB[4], CodecID UB[4]; for AVC (and the same layout for
// the non-standard 12/13) AVCPacketType UI8 and CompositionTime SI24.
Result<VideoTagInfo> classify_legacy(std::span<const uint8_t> body, VideoTagInfo info) noexcept {
  info.codec_id = body[0] & 0x0f;
  if (info.frame_type == VideoFrameType::kCommand) {
    if (body.size() < 2) return Status::fail(Errc::kInvalid, "video command frame truncated");
    info.is_command = true;
    return info;
  }
  switch (info.codec_id) {
    case 7:
      info.codec = VideoCodec::kAvc;
      break;
    case 12:
      info.codec = VideoCodec::kHevc;
      break;
    case 13:
      info.codec = VideoCodec::kAv1;
      break;
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      info.codec = VideoCodec::kLegacy;
      set_payload(info, 1, body.size() - 1);
      return info;
    default:
      return Status::fail(Errc::kUnsupported, "video CodecID unknown");
  }
  if (body.size() < 5) return Status::fail(Errc::kInvalid, "AVC video tag shorter than 5 bytes");
  info.packet_type = body[1];
  if (info.packet_type > 2) {
    return Status::fail(Errc::kUnsupported, "AVCPacketType is not 0, 1 or 2");
  }
  info.is_sequence_header = info.packet_type == 0;
  info.is_end_of_sequence = info.packet_type == 2;
  if (info.packet_type == 1) info.cts = sign_extend_24(base::load_be24(&body[2]));
  set_payload(info, 5, body.size() - 5);
  return info;
}

Status codec_of(uint32_t fourcc, VideoCodec& codec) noexcept {
  switch (fourcc) {
    case kAvc1:
      codec = VideoCodec::kAvc;
      return Status::ok();
    case kHvc1:
      codec = VideoCodec::kHevc;
      return Status::ok();
    case make_fourcc('a', 'v', '0', '1'):
      codec = VideoCodec::kAv1;
      return Status::ok();
    case make_fourcc('v', 'p', '0', '9'):
      codec = VideoCodec::kVp9;
      return Status::ok();
    case make_fourcc('v', 'p', '0', '8'):
      codec = VideoCodec::kVp8;
      return Status::ok();
    default:
      return Status::fail(Errc::kUnsupported, "video FourCC unknown");
  }
}

// ExVideoTagBody for one track: what the packet type says about `payload`.
Status classify_ex_payload(std::span<const uint8_t> payload, size_t offset,
                           VideoTagInfo& info) noexcept {
  Status st = codec_of(info.fourcc, info.codec);
  if (!st.is_ok()) return st;
  uint8_t t = info.packet_type;
  info.is_sequence_header = t == kSequenceStart || t == kMpeg2TsSequenceStart;
  info.is_end_of_sequence = t == kSequenceEnd;
  info.is_metadata = t == kMetadata;
  // CompositionTime SI24 only for CodedFrames of avc1/hvc1; CodedFramesX implies 0.
  if (t == kCodedFrames && (info.fourcc == kAvc1 || info.fourcc == kHvc1)) {
    if (payload.size() < 3) return Status::fail(Errc::kInvalid, "E-RTMP CompositionTime truncated");
    info.cts = sign_extend_24(base::load_be24(payload.data()));
    offset += 3;
    payload = payload.subspan(3);
  }
  set_payload(info, offset, payload.size());
  return Status::ok();
}

// E-RTMP v2 ExVideoTagHeader: IsExHeader UB[1], VideoFrameType UB[3],
// VideoPacketType UB[4], ModEx entries, then command, multitrack or FourCC.
Result<VideoTagInfo> classify_enhanced(std::span<const uint8_t> body, VideoTagInfo info) noexcept {
  info.enhanced = true;
  ByteCursor c(body);
  uint8_t first;
  (void)c.u8(first);
  info.packet_type = first & 0x0f;
  Status st = read_mod_ex(c, info.packet_type, info.nano_offset);
  if (!st.is_ok()) return st;
  // VideoFrameType is ignored for Metadata; elsewhere 0, 6 and 7 are reserved.
  unsigned frame_type = static_cast<unsigned>(info.frame_type);
  if (info.packet_type != kMetadata && (frame_type < 1 || frame_type > 5)) {
    return Status::fail(Errc::kInvalid, "video FrameType reserved");
  }
  if (info.packet_type != kMetadata && info.frame_type == VideoFrameType::kCommand) {
    uint8_t command;
    if (!c.u8(command)) return Status::fail(Errc::kInvalid, "video command frame truncated");
    info.is_command = true;
    return info;
  }
  if (info.packet_type > kMultitrack) {
    return Status::fail(Errc::kUnsupported, "VideoPacketType unknown");
  }
  if (info.packet_type != kMultitrack) {
    if (!c.u32(info.fourcc)) return Status::fail(Errc::kInvalid, "video FourCC truncated");
    st = classify_ex_payload(c.rest(), c.pos(), info);
    if (!st.is_ok()) return st;
    return info;
  }
  uint8_t b;
  uint32_t shared = 0;
  if (!c.u8(b)) return Status::fail(Errc::kInvalid, "video multitrack header truncated");
  auto type = static_cast<MultitrackType>(b >> 4);
  info.packet_type = b & 0x0f;
  info.is_multitrack = true;
  if (info.packet_type >= kMultitrack) {
    return Status::fail(Errc::kUnsupported, "VideoPacketType unknown in multitrack");
  }
  if (b >> 4 > 2) return Status::fail(Errc::kUnsupported, "AvMultitrackType unknown");
  if (type != MultitrackType::kManyTracksManyCodecs && !c.u32(shared)) {
    return Status::fail(Errc::kInvalid, "video FourCC truncated");
  }
  FirstTrack track;
  st = walk_tracks(c, type, shared, track);
  if (!st.is_ok()) return st;
  info.fourcc = track.fourcc;
  info.track_id = track.track_id;
  info.track_count = track.track_count;
  st = classify_ex_payload(track.payload, track.offset, info);
  if (!st.is_ok()) return st;
  return info;
}

}  // namespace

Result<VideoTagInfo> classify_video(std::span<const uint8_t> body) noexcept {
  if (body.empty()) return Status::fail(Errc::kInvalid, "video tag body is empty");
  VideoTagInfo info;
  bool ex = body[0] & 0x80;
  unsigned frame_type = ex ? (body[0] >> 4) & 0x07 : body[0] >> 4;
  if (!ex && (frame_type < 1 || frame_type > 5)) {
    return Status::fail(Errc::kInvalid, "video FrameType reserved");
  }
  info.frame_type = static_cast<VideoFrameType>(frame_type);
  info.is_keyframe = is_key(info.frame_type);
  return ex ? classify_enhanced(body, info) : classify_legacy(body, info);
}

}  // namespace srs::proto::flv
