// Audio tag body classification: legacy FLV E.4.2.1 and E-RTMP v2 ExAudioTagHeader.
#include "proto/flv/audio_tag.hpp"

#include "proto/codec/byte_cursor.hpp"
#include "proto/flv/ex_header.hpp"

namespace srs::proto::flv {

using base::Errc;
using base::Result;
using base::Status;
using codec::ByteCursor;

namespace {

// E-RTMP AudioPacketType (3 and 6 reserved; 7 ModEx handled by read_mod_ex).
enum : uint8_t {
  kSequenceStart = 0,
  kCodedFrames = 1,
  kSequenceEnd = 2,
  kMultichannelConfig = 4,
  kMultitrack = 5,
};
constexpr uint8_t kExHeader = 9;

// E.4.2.1 SoundRate: 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz.
constexpr uint32_t kRates[4] = {5512, 11025, 22050, 44100};

Status legacy_codec(uint8_t format, AudioCodec& codec) noexcept {
  switch (format) {
    case 0:
    case 3:
      codec = AudioCodec::kPcm;
      break;
    case 1:
      codec = AudioCodec::kAdpcm;
      break;
    case 2:
    case 14:
      codec = AudioCodec::kMp3;
      break;
    case 4:
    case 5:
    case 6:
      codec = AudioCodec::kNellymoser;
      break;
    case 7:
      codec = AudioCodec::kG711A;
      break;
    case 8:
      codec = AudioCodec::kG711U;
      break;
    case 10:
      codec = AudioCodec::kAac;
      break;
    case 11:
      codec = AudioCodec::kSpeex;
      break;
    case 15:
      codec = AudioCodec::kNative;
      break;
    default:
      return Status::fail(Errc::kUnsupported, "audio SoundFormat reserved");
  }
  return Status::ok();
}

// E.4.2.1: SoundFormat UB[4], SoundRate UB[2], SoundSize UB[1], SoundType
// UB[1]; for AAC an AACPacketType UI8 follows.
Result<AudioTagInfo> classify_legacy(std::span<const uint8_t> body, AudioTagInfo info) noexcept {
  Status st = legacy_codec(info.sound_format, info.codec);
  if (!st.is_ok()) return st;
  info.sample_rate = kRates[(body[0] >> 2) & 3];
  if (info.sound_format == 14 || info.sound_format == 5) info.sample_rate = 8000;
  if (info.sound_format == 4) info.sample_rate = 16000;
  info.sample_bits = (body[0] & 0x02) ? 16 : 8;
  info.channels = (body[0] & 0x01) ? 2 : 1;
  if (info.codec != AudioCodec::kAac) {
    info.payload_offset = 1;
    info.payload_size = static_cast<uint32_t>(body.size() - 1);
    return info;
  }
  if (body.size() < 2) return Status::fail(Errc::kInvalid, "AAC audio tag shorter than 2 bytes");
  info.packet_type = body[1];
  if (info.packet_type > 1) return Status::fail(Errc::kUnsupported, "AACPacketType is not 0 or 1");
  info.is_sequence_header = info.packet_type == 0;
  info.payload_offset = 2;
  info.payload_size = static_cast<uint32_t>(body.size() - 2);
  return info;
}

Status fourcc_codec(uint32_t fourcc, AudioCodec& codec) noexcept {
  switch (fourcc) {
    case make_fourcc('m', 'p', '4', 'a'):
      codec = AudioCodec::kAac;
      break;
    case make_fourcc('O', 'p', 'u', 's'):
      codec = AudioCodec::kOpus;
      break;
    case make_fourcc('f', 'L', 'a', 'C'):
      codec = AudioCodec::kFlac;
      break;
    case make_fourcc('.', 'm', 'p', '3'):
      codec = AudioCodec::kMp3;
      break;
    case make_fourcc('a', 'c', '-', '3'):
      codec = AudioCodec::kAc3;
      break;
    case make_fourcc('e', 'c', '-', '3'):
      codec = AudioCodec::kEac3;
      break;
    default:
      return Status::fail(Errc::kUnsupported, "audio FourCC unknown");
  }
  return Status::ok();
}

Status classify_ex_payload(std::span<const uint8_t> payload, size_t offset,
                           AudioTagInfo& info) noexcept {
  Status st = fourcc_codec(info.fourcc, info.codec);
  if (!st.is_ok()) return st;
  info.is_sequence_header = info.packet_type == kSequenceStart;
  info.is_sequence_end = info.packet_type == kSequenceEnd;
  info.is_multichannel_config = info.packet_type == kMultichannelConfig;
  info.payload_offset = static_cast<uint32_t>(offset);
  info.payload_size = static_cast<uint32_t>(payload.size());
  return Status::ok();
}

bool known_packet_type(uint8_t t) noexcept {
  return t == kSequenceStart || t == kCodedFrames || t == kSequenceEnd || t == kMultichannelConfig;
}

// E-RTMP v2 ExAudioTagHeader: SoundFormat 9, AudioPacketType UB[4], ModEx
// entries, then multitrack or an AudioFourCc.
Result<AudioTagInfo> classify_enhanced(std::span<const uint8_t> body, AudioTagInfo info) noexcept {
  info.enhanced = true;
  ByteCursor c(body);
  uint8_t first;
  (void)c.u8(first);
  info.packet_type = first & 0x0f;
  Status st = read_mod_ex(c, info.packet_type, info.nano_offset);
  if (!st.is_ok()) return st;
  if (info.packet_type != kMultitrack) {
    if (!known_packet_type(info.packet_type)) {
      return Status::fail(Errc::kUnsupported, "AudioPacketType unknown");
    }
    if (!c.u32(info.fourcc)) return Status::fail(Errc::kInvalid, "audio FourCC truncated");
    st = classify_ex_payload(c.rest(), c.pos(), info);
    if (!st.is_ok()) return st;
    return info;
  }
  uint8_t b;
  uint32_t shared = 0;
  if (!c.u8(b)) return Status::fail(Errc::kInvalid, "audio multitrack header truncated");
  auto type = static_cast<MultitrackType>(b >> 4);
  info.packet_type = b & 0x0f;
  info.is_multitrack = true;
  if (!known_packet_type(info.packet_type)) {
    return Status::fail(Errc::kUnsupported, "AudioPacketType unknown in multitrack");
  }
  if (b >> 4 > 2) return Status::fail(Errc::kUnsupported, "AvMultitrackType unknown");
  if (type != MultitrackType::kManyTracksManyCodecs && !c.u32(shared)) {
    return Status::fail(Errc::kInvalid, "audio FourCC truncated");
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

Result<AudioTagInfo> classify_audio(std::span<const uint8_t> body) noexcept {
  if (body.empty()) return Status::fail(Errc::kInvalid, "audio tag body is empty");
  AudioTagInfo info;
  info.sound_format = body[0] >> 4;
  return info.sound_format == kExHeader ? classify_enhanced(body, info)
                                        : classify_legacy(body, info);
}

}  // namespace srs::proto::flv
