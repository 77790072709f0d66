// FLV bodies to MPEG-TS: Annex B + AUD + parameter sets, ADTS, audio grouping,
// PES and PCR placement (see muxer.hpp for the rules and their sections).
#include "proto/ts/muxer.hpp"

#include <cstring>

#include "proto/codec/avc_config.hpp"
#include "proto/codec/hevc_config.hpp"
#include "proto/codec/mp3_header.hpp"
#include "proto/codec/nalu.hpp"
#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "proto/ts/packet.hpp"
#include "proto/ts/pes.hpp"

namespace srs::proto::ts {
namespace {

using base::Errc;
using base::Status;

// H.264 7.3.2.4 access_unit_delimiter: nal_unit_type 9, primary_pic_type 7 (any).
constexpr uint8_t kAvcAud[] = {0, 0, 0, 1, 0x09, 0xF0};
// H.265 7.3.2.5: nal_unit_type 35, layer 0, tid 1; pic_type 2 (any) + stop bit.
constexpr uint8_t kHevcAud[] = {0, 0, 0, 1, 0x46, 0x01, 0x50};
// Audio PES packets must state their length in 16 bits (2.4.3.7).
constexpr size_t kMaxAudioPayload = 0xffff - 8 - 8191;
constexpr uint64_t kMsTo90k = 90;
constexpr uint64_t kMaxPcrFill = 50;  // PCR-only packets per gap; a longer gap is a jump

void append(std::vector<uint8_t>& v, std::span<const uint8_t> bytes) {
  v.insert(v.end(), bytes.begin(), bytes.end());
}

bool is_parameter_set(bool hevc, uint8_t first) noexcept {
  if (hevc) {
    auto t = codec::hevc_nalu_type(first);
    return t == codec::HevcNaluType::kVps || t == codec::HevcNaluType::kSps ||
           t == codec::HevcNaluType::kPps;
  }
  auto t = codec::avc_nalu_type(first);
  return t == codec::AvcNaluType::kSps || t == codec::AvcNaluType::kPps;
}

bool is_aud(bool hevc, uint8_t first) noexcept {
  return hevc ? codec::hevc_nalu_type(first) == codec::HevcNaluType::kAud
              : codec::avc_nalu_type(first) == codec::AvcNaluType::kAud;
}

void append_nalus(std::vector<uint8_t>& out, const std::span<const uint8_t>* sets, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    append(out, codec::kAnnexbStartCode);
    append(out, sets[i]);
  }
}

}  // namespace

Muxer::Muxer(MuxerOptions options) noexcept : options_(options) {}

size_t Muxer::slot(uint16_t pid) noexcept {
  switch (pid) {
    case kPidPat:
      return 0;
    case kPidPmt:
      return 1;
    case kPidVideo:
      return 2;
    case kPidAudio:
      return 3;
    default:
      return 4;
  }
}

void Muxer::set_tracks(StreamType video, StreamType audio) noexcept {
  if (program_.video == video && program_.audio == audio) return;
  program_.video = video;
  program_.audio = audio;
  if (!psi_written_) return;
  // 2.4.4.9: version_number changes with the definition of the program.
  program_.version = static_cast<uint8_t>((program_.version + 1) & 0x1f);
  psi_dirty_ = true;
}

Status Muxer::on_video_config(VideoKind kind, std::span<const uint8_t> record) noexcept {
  std::vector<uint8_t> params;
  if (kind == VideoKind::kAvc) {
    auto cfg = codec::parse_avc_config(record);
    if (!cfg.is_ok()) return cfg.status();
    append_nalus(params, cfg->sps, cfg->sps_count);
    append_nalus(params, cfg->pps, cfg->pps_count);
    length_size_ = cfg->length_size;
  } else {
    auto cfg = codec::parse_hevc_config(record);
    if (!cfg.is_ok()) return cfg.status();
    append_nalus(params, cfg->vps, cfg->vps_count);
    append_nalus(params, cfg->sps, cfg->sps_count);
    append_nalus(params, cfg->pps, cfg->pps_count);
    length_size_ = cfg->length_size;
  }
  video_params_ = std::move(params);
  video_kind_ = kind;
  set_tracks(kind == VideoKind::kAvc ? StreamType::kH264 : StreamType::kHevc, program_.audio);
  return Status::ok();
}

Status Muxer::build_annexb(std::span<const uint8_t> payload, bool keyframe) noexcept {
  bool hevc = video_kind_ == VideoKind::kHevc;
  bool inband_params = false;
  codec::LengthPrefixedNalus scan(payload, length_size_);
  for (std::span<const uint8_t> nalu; scan.next(nalu);)
    inband_params |= !nalu.empty() && is_parameter_set(hevc, nalu[0]);
  if (!scan.status().is_ok()) return scan.status();

  video_buf_.resize(kPesHeaderMax);
  if (hevc)
    append(video_buf_, kHevcAud);
  else
    append(video_buf_, kAvcAud);
  // The sequence header is out of band in RTMP: a decoder joining at this
  // keyframe (every segment start) needs the parameter sets in band.
  if (keyframe && !inband_params) append(video_buf_, video_params_);
  codec::LengthPrefixedNalus walk(payload, length_size_);
  for (std::span<const uint8_t> nalu; walk.next(nalu);) {
    // Ours is the AUD first in the access unit; an empty NAL unit is no NAL unit.
    if (nalu.empty() || is_aud(hevc, nalu[0])) continue;
    append(video_buf_, codec::kAnnexbStartCode);
    append(video_buf_, nalu);
  }
  return Status::ok();
}

Status Muxer::write_video(uint32_t timestamp_ms, std::span<const uint8_t> body,
                          std::vector<uint8_t>& out) noexcept {
  auto info = flv::classify_video(body);
  if (!info.is_ok()) return info.status();
  if (info->is_command || info->is_metadata || info->is_end_of_sequence) return Status::ok();
  if (info->codec != flv::VideoCodec::kAvc && info->codec != flv::VideoCodec::kHevc)
    return Status::fail(Errc::kUnsupported, "ts: video codec not muxed (H.264 and HEVC only)");
  auto payload = body.subspan(info->payload_offset, info->payload_size);
  VideoKind kind = info->codec == flv::VideoCodec::kAvc ? VideoKind::kAvc : VideoKind::kHevc;
  if (info->is_sequence_header) return on_video_config(kind, payload);
  if (video_kind_ != kind || video_params_.empty())
    return Status::fail(Errc::kInvalid, "ts: video frame before its sequence header");
  if (payload.empty()) return Status::ok();
  Status st = build_annexb(payload, info->is_keyframe);
  if (!st.is_ok()) return st;

  uint64_t dts = timestamp_ms * kMsTo90k;
  if (audio_count_ && audio_dts_ <= dts) flush(out);  // keep PES starts in DTS order
  // FLV CompositionTime = PTS - DTS; 13818-1 2.4.3.7 wants PTS >= DTS.
  uint64_t pts = info->cts > 0 ? dts + uint64_t(info->cts) * kMsTo90k : dts;
  write_pes(kPidVideo, dts, pts, info->is_keyframe, video_buf_, out);
  ++stats_.video_frames;
  return Status::ok();
}

Status Muxer::write_audio(uint32_t timestamp_ms, std::span<const uint8_t> body,
                          std::vector<uint8_t>& out) noexcept {
  auto info = flv::classify_audio(body);
  if (!info.is_ok()) return info.status();
  auto payload = body.subspan(info->payload_offset, info->payload_size);
  uint64_t dts = timestamp_ms * kMsTo90k;
  if (info->codec == flv::AudioCodec::kMp3) {
    if (payload.empty()) return Status::ok();
    auto hdr = codec::parse_mp3_header(payload);
    if (!hdr.is_ok()) return hdr.status();
    bool mpeg1 = hdr->version == codec::MpegVersion::kMpeg1;
    set_tracks(program_.video, mpeg1 ? StreamType::kMpeg1Audio : StreamType::kMpeg2Audio);
    return add_audio_frame(dts, {}, payload, out);
  }
  if (info->codec != flv::AudioCodec::kAac)
    return Status::fail(Errc::kUnsupported, "ts: audio codec not muxed (AAC and MP3 only)");
  if (info->is_sequence_header) {
    auto cfg = codec::parse_aac_config(payload);
    if (!cfg.is_ok()) return cfg.status();
    uint8_t probe[codec::kAdtsHeaderSize];
    Status st = codec::build_adts_header(*cfg, 0, probe);  // representable in ADTS at all?
    if (!st.is_ok()) return st;
    aac_ = *cfg;
    have_aac_ = true;
    set_tracks(program_.video, StreamType::kAacAdts);
    return Status::ok();
  }
  if (info->is_sequence_end || payload.empty()) return Status::ok();
  if (!have_aac_)
    return Status::fail(Errc::kInvalid, "ts: AAC frame before its AudioSpecificConfig");
  // 14496-3 1.A.2.2: one ADTS header per raw_data_block.
  uint8_t adts[codec::kAdtsHeaderSize];
  Status st = codec::build_adts_header(aac_, payload.size(), adts);
  if (!st.is_ok()) return st;
  return add_audio_frame(dts, adts, payload, out);
}

Status Muxer::add_audio_frame(uint64_t dts, std::span<const uint8_t> head,
                              std::span<const uint8_t> frame, std::vector<uint8_t>& out) noexcept {
  size_t size = head.size() + frame.size();
  if (size > kMaxAudioPayload)
    return Status::fail(Errc::kTooLarge, "ts: audio frame too large for a PES");
  if (audio_count_) {
    bool late = dts < audio_dts_ || dts - audio_dts_ >= options_.audio_group_ms * kMsTo90k;
    bool full = audio_count_ >= options_.audio_group_frames ||
                audio_buf_.size() - kPesHeaderMax + size > kMaxAudioPayload;
    if (late || full) flush(out);
  }
  if (!audio_count_) {
    audio_buf_.resize(kPesHeaderMax);
    audio_dts_ = dts;
  }
  append(audio_buf_, head);
  append(audio_buf_, frame);
  ++audio_count_;
  ++stats_.audio_frames;
  return Status::ok();
}

void Muxer::flush(std::vector<uint8_t>& out) noexcept {
  if (!audio_count_) return;
  // Without video every audio frame is a random access point.
  bool rai = program_.video == StreamType::kNone;
  write_pes(kPidAudio, audio_dts_, audio_dts_, rai, audio_buf_, out);
  audio_count_ = 0;
}

void Muxer::start_segment(std::vector<uint8_t>& out, bool discontinuity) noexcept {
  if (discontinuity) have_pcr_ = false;
  write_psi(out);
  psi_written_ = true;
}

void Muxer::write_psi(std::vector<uint8_t>& out) noexcept {
  write_pat(cc_[slot(kPidPat)], out);
  write_pmt(program_, cc_[slot(kPidPmt)], out);
  psi_dirty_ = false;
  last_psi_ = ~uint64_t{0};  // set by the next PES's DTS
}

void Muxer::maybe_write_psi(uint64_t dts, std::vector<uint8_t>& out) noexcept {
  if (last_psi_ == ~uint64_t{0} || dts < last_psi_) last_psi_ = dts;
  uint64_t interval = uint64_t{options_.psi_interval_ms} * kMsTo90k;
  bool due = interval && dts - last_psi_ >= interval;
  if (!psi_dirty_ && !due) return;
  if (due && !psi_dirty_) ++stats_.psi_repeats;
  write_psi(out);
  last_psi_ = dts;
}

void Muxer::write_pcr_fill(uint16_t pid, uint64_t pcr, std::vector<uint8_t>& out) noexcept {
  uint64_t step = uint64_t{options_.pcr_interval_ms} * kMsTo90k;
  if (!have_pcr_ || step == 0 || pcr - last_pcr_ <= step) return;
  if (pcr - last_pcr_ > step * kMaxPcrFill) return;  // a timestamp jump, not a gap to fill
  for (uint64_t v = last_pcr_ + step; v < pcr; v += step) {
    write_pcr_packet(pid, v, cc_[slot(pid)], out);
    ++stats_.pcr_packets;
  }
}

void Muxer::write_pes(uint16_t pid, uint64_t dts, uint64_t pts, bool random_access,
                      std::vector<uint8_t>& buf, std::vector<uint8_t>& out) noexcept {
  maybe_write_psi(dts, out);
  PacketizeOptions opt;
  opt.pid = pid;
  opt.random_access = random_access;
  if (pid == program_.pcr_pid()) {
    uint64_t lead = uint64_t{options_.pcr_lead_ms} * kMsTo90k;
    uint64_t pcr = dts > lead ? dts - lead : 0;
    // Never backwards; a large step back is a new timeline (the segmenter
    // marks it with EXT-X-DISCONTINUITY).
    if (have_pcr_ && pcr < last_pcr_ && last_pcr_ - pcr < 90000) pcr = last_pcr_;
    write_pcr_fill(pid, pcr, out);
    opt.write_pcr = true;
    opt.pcr_base = pcr;
    have_pcr_ = true;
    last_pcr_ = pcr;
  }
  PesHeader h;
  h.stream_id = pid == kPidVideo ? kStreamIdVideo : kStreamIdAudio;
  h.pts = pts;
  h.dts = dts;
  h.payload_size = buf.size() - kPesHeaderMax;
  size_t hs = pes_header_size(h);
  uint8_t* start = buf.data() + kPesHeaderMax - hs;
  write_pes_header(h, start);
  packetize(opt, {start, hs + h.payload_size}, cc_[slot(pid)], out);
  ++stats_.pes_packets;
}

}  // namespace srs::proto::ts
