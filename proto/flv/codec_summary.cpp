// CodecSummary from the sticky sequence headers.
#include "proto/flv/codec_summary.hpp"

#include <cstring>

#include "base/bytes.hpp"
#include "proto/codec/aac_config.hpp"
#include "proto/codec/avc_config.hpp"
#include "proto/codec/avc_sps.hpp"
#include "proto/codec/hevc_config.hpp"
#include "proto/codec/hevc_sps.hpp"
#include "proto/codec/mp3_header.hpp"
#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"

namespace srs::proto::flv {

using base::Errc;
using base::Status;

namespace {

Status summarize_avc(std::span<const uint8_t> record, CodecSummary& out) noexcept {
  auto cfg = codec::parse_avc_config(record);
  if (!cfg.is_ok()) return cfg.status();
  if (cfg->sps_count == 0) return Status::fail(Errc::kInvalid, "AVC config has no SPS");
  auto sps = codec::parse_avc_sps(cfg->sps[0]);
  if (!sps.is_ok()) return sps.status();
  out.video_codec = "H264";
  out.video_profile = codec::avc_profile_name(sps->profile_idc, sps->constraint_flags);
  out.video_level = codec::avc_level_name(sps->level_idc, sps->profile_idc, sps->constraint_flags);
  out.width = sps->width;
  out.height = sps->height;
  return Status::ok();
}

Status summarize_hevc(std::span<const uint8_t> record, CodecSummary& out) noexcept {
  auto cfg = codec::parse_hevc_config(record);
  if (!cfg.is_ok()) return cfg.status();
  if (cfg->sps_count == 0) return Status::fail(Errc::kInvalid, "HEVC config has no SPS");
  auto sps = codec::parse_hevc_sps(cfg->sps[0]);
  if (!sps.is_ok()) return sps.status();
  out.video_codec = "H265";
  out.video_profile = codec::hevc_profile_name(sps->profile_idc, sps->profile_compatibility);
  out.video_level = codec::hevc_level_name(sps->level_idc);
  out.width = sps->width;
  out.height = sps->height;
  return Status::ok();
}

// AV1CodecConfigurationRecord (AV1 ISOBMFF binding 2.3.3): marker(1)
// version(7) = 0x81, seq_profile(3) seq_level_idx_0(5). The size needs the
// sequence header OBU, which is not parsed: width and height stay 0.
Status summarize_av1(std::span<const uint8_t> record, CodecSummary& out) noexcept {
  if (record.size() < 4 || record[0] != 0x81) {
    return Status::fail(Errc::kInvalid, "AV1 config record malformed");
  }
  static const char* const kProfiles[8] = {"Main",    "High",    "Professional", "Unknown",
                                           "Unknown", "Unknown", "Unknown",      "Unknown"};
  // AV1 spec A.3: seq_level_idx = (X - 2) * 4 + Y for level X.Y.
  static const char* const kLevels[24] = {"2.0", "2.1", "2.2", "2.3", "3.0", "3.1", "3.2", "3.3",
                                          "4.0", "4.1", "4.2", "4.3", "5.0", "5.1", "5.2", "5.3",
                                          "6.0", "6.1", "6.2", "6.3", "7.0", "7.1", "7.2", "7.3"};
  unsigned level = record[1] & 0x1f;
  out.video_codec = "AV1";
  out.video_profile = kProfiles[record[1] >> 5];
  out.video_level = level < 24 ? kLevels[level] : "Unknown";
  return Status::ok();
}

// RFC 7845 5.1 identification header: "OpusHead", version, channel count,
// pre-skip, input sample rate. Opus always decodes at 48 kHz.
Status summarize_opus(std::span<const uint8_t> head, CodecSummary& out) noexcept {
  if (head.size() < 19 || std::memcmp(head.data(), "OpusHead", 8) != 0) {
    return Status::fail(Errc::kInvalid, "Opus sequence header is not an OpusHead");
  }
  out.audio_codec = "Opus";
  out.sample_rate = 48000;
  out.channels = head[9];
  return Status::ok();
}

Status summarize_aac(std::span<const uint8_t> asc, CodecSummary& out) noexcept {
  auto cfg = codec::parse_aac_config(asc);
  if (!cfg.is_ok()) return cfg.status();
  out.audio_codec = "AAC";
  out.audio_profile = codec::aac_profile_name(*cfg);
  out.sample_rate = cfg->sample_rate;
  out.channels = cfg->channels;
  return Status::ok();
}

Status summarize_mp3(std::span<const uint8_t> frame, CodecSummary& out) noexcept {
  auto h = codec::parse_mp3_header(frame);
  if (!h.is_ok()) return h.status();
  out.audio_codec = "MP3";
  out.sample_rate = h->sample_rate;
  out.channels = h->channels;
  return Status::ok();
}

const char* audio_name(AudioCodec codec) noexcept {
  switch (codec) {
    case AudioCodec::kFlac:
      return "FLAC";
    case AudioCodec::kAc3:
      return "AC3";
    case AudioCodec::kEac3:
      return "EAC3";
    case AudioCodec::kSpeex:
      return "Speex";
    case AudioCodec::kG711A:
      return "PCMA";
    case AudioCodec::kG711U:
      return "PCMU";
    case AudioCodec::kPcm:
      return "PCM";
    case AudioCodec::kNellymoser:
      return "Nellymoser";
    case AudioCodec::kAdpcm:
      return "ADPCM";
    default:
      return "Unknown";
  }
}

}  // namespace

Status summarize_video(std::span<const uint8_t> body, CodecSummary& out) noexcept {
  auto info = classify_video(body);
  if (!info.is_ok()) return info.status();
  auto payload = body.subspan(info->payload_offset, info->payload_size);
  switch (info->codec) {
    case VideoCodec::kVp8:
      out.video_codec = "VP8";
      return Status::ok();
    case VideoCodec::kVp9:
      out.video_codec = "VP9";
      return Status::ok();
    case VideoCodec::kLegacy:
      return Status::fail(Errc::kUnsupported, "legacy video codec not summarized");
    default:
      break;
  }
  if (!info->is_sequence_header) {
    return Status::fail(Errc::kInvalid, "video tag is not a sequence header");
  }
  if (info->codec == VideoCodec::kAvc) return summarize_avc(payload, out);
  if (info->codec == VideoCodec::kHevc) return summarize_hevc(payload, out);
  return summarize_av1(payload, out);
}

Status summarize_audio(std::span<const uint8_t> body, CodecSummary& out) noexcept {
  auto info = classify_audio(body);
  if (!info.is_ok()) return info.status();
  auto payload = body.subspan(info->payload_offset, info->payload_size);
  switch (info->codec) {
    case AudioCodec::kMp3:
      return summarize_mp3(payload, out);
    case AudioCodec::kAac:
      if (!info->is_sequence_header) {
        return Status::fail(Errc::kInvalid, "AAC tag is not a sequence header");
      }
      return summarize_aac(payload, out);
    case AudioCodec::kOpus:
      if (!info->is_sequence_header) {
        return Status::fail(Errc::kInvalid, "Opus tag is not a sequence header");
      }
      return summarize_opus(payload, out);
    default:
      out.audio_codec = audio_name(info->codec);
      out.sample_rate = info->sample_rate;
      out.channels = info->channels;
      return Status::ok();
  }
}

}  // namespace srs::proto::flv
