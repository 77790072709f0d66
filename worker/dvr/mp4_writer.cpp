// MP4 files for the DVR through libavformat (see mp4_writer.hpp).
#include "worker/dvr/mp4_writer.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
}

#include <algorithm>
#include <cstring>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/codec_summary.hpp"
#include "proto/flv/video_tag.hpp"

namespace srs::worker {
namespace {

using proto::flv::AudioCodec;
using proto::flv::VideoCodec;

constexpr AVRational kMillisecond{1, 1000};
constexpr int kIoBufferBytes = 64 * 1024;

const char* name_of(VideoCodec c) {
  switch (c) {
    case VideoCodec::kAvc:
      return "H.264";
    case VideoCodec::kHevc:
      return "HEVC";
    case VideoCodec::kAv1:
      return "AV1";
    case VideoCodec::kVp9:
      return "VP9";
    case VideoCodec::kVp8:
      return "VP8";
    case VideoCodec::kLegacy:
      break;
  }
  return "a legacy FLV codec (H.263, Screen, VP6)";
}

const char* name_of(AudioCodec c) {
  switch (c) {
    case AudioCodec::kAac:
      return "AAC";
    case AudioCodec::kMp3:
      return "MP3";
    case AudioCodec::kOpus:
      return "Opus";
    case AudioCodec::kFlac:
      return "FLAC";
    case AudioCodec::kAc3:
      return "AC-3";
    case AudioCodec::kEac3:
      return "E-AC-3";
    case AudioCodec::kSpeex:
      return "Speex";
    default:
      break;
  }
  return "a legacy FLV codec (PCM, ADPCM, Nellymoser, G.711)";
}

// The codec configuration (avcC, hvcC, AudioSpecificConfig) as the muxer wants it.
bool set_extradata(AVCodecParameters* par, std::span<const uint8_t> config) {
  par->extradata = static_cast<uint8_t*>(av_mallocz(config.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (par->extradata == nullptr) return false;
  std::memcpy(par->extradata, config.data(), config.size());
  par->extradata_size = int(config.size());
  return true;
}

// The codec payload of a tag body that classify_*() accepted.
template <class Info>
std::span<const uint8_t> payload_of(std::span<const uint8_t> body, const Info& info) {
  return body.subspan(info.payload_offset, info.payload_size);
}

}  // namespace

bool Mp4Writer::on_video(uint32_t ts, std::span<const uint8_t> body) {
  has_video_ = true;
  auto info = proto::flv::classify_video(body);
  if (!info.is_ok()) return true;  // not a frame we can place: skipped
  if (info->codec != VideoCodec::kAvc && info->codec != VideoCodec::kHevc)
    return fail(std::string("MP4 recording takes H.264 or HEVC video, not ") +
                name_of(info->codec));
  if (info->is_sequence_header) {
    video_header_.assign(body.begin(), body.end());
    return true;
  }
  if (info->is_command || info->is_end_of_sequence || info->is_metadata || info->is_multitrack ||
      info->payload_size == 0)
    return true;
  int64_t at = clock_.unwrap(ts);
  if (!started_) {
    if (!info->is_keyframe || video_header_.empty()) return true;  // a file starts at a keyframe
    base_ = at;
    if (!start()) return false;
  }
  if (video_.index < 0) return true;  // a file without video (it came after the start)
  return write(video_, at - base_, info->cts, info->is_keyframe, payload_of(body, *info));
}

bool Mp4Writer::on_audio(uint32_t ts, std::span<const uint8_t> body) {
  auto info = proto::flv::classify_audio(body);
  if (!info.is_ok()) return true;
  if (info->codec != AudioCodec::kAac)
    return fail(std::string("MP4 recording takes AAC audio, not ") + name_of(info->codec));
  if (info->is_sequence_header) {
    audio_header_.assign(body.begin(), body.end());
    return true;
  }
  if (info->is_sequence_end || info->is_multitrack || info->payload_size == 0) return true;
  int64_t at = clock_.unwrap(ts);
  if (!started_) {
    if (has_video_ || audio_header_.empty()) return true;  // audio before the first keyframe
    base_ = at;                                            // an audio-only stream
    if (!start()) return false;
  }
  if (audio_.index < 0) return true;
  return write(audio_, at - base_, 0, true, payload_of(body, *info));
}

// The context, the tracks of the configurations known now, the header (ftyp
// and the empty moov), flushed to the buffer.
bool Mp4Writer::start() {
  static const bool quiet = (av_log_set_level(AV_LOG_ERROR), true);  // errors come back as codes
  (void)quiet;
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr);
  if (err < 0) return fail_av("avformat_alloc_output_context2(mp4)", err);
  format_.reset(raw);
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
  if (buffer == nullptr) return fail("av_malloc of the I/O buffer failed");
  io_.reset(avio_alloc_context(buffer, kIoBufferBytes, 1, this, nullptr, on_write, nullptr));
  if (!io_) {
    av_free(buffer);
    return fail("avio_alloc_context failed");
  }
  format_->pb = io_.get();
  format_->flags |= AVFMT_FLAG_CUSTOM_IO;
  packet_.reset(av_packet_alloc());
  if (!packet_) return fail("av_packet_alloc failed");
  if (!video_header_.empty() && !add_video_track()) return false;
  if (!audio_header_.empty() && !add_audio_track()) return false;
  av::Dictionary options;
  av_dict_set(&options.d, "movflags", kMovFlags, 0);
  av_dict_set_int(&options.d, "frag_duration", kFragmentMs * 1000, 0);  // microseconds
  err = avformat_write_header(format_.get(), &options.d);
  if (err < 0) return fail_av("avformat_write_header", err);
  if (const AVDictionaryEntry* e = av_dict_get(options.d, "", nullptr, AV_DICT_IGNORE_SUFFIX))
    return fail(std::string("the mp4 muxer does not know the option ") + e->key);
  avio_flush(io_.get());
  started_ = true;
  return true;
}

bool Mp4Writer::add_video_track() {
  auto info = proto::flv::classify_video(video_header_);
  AVCodecID id = info->codec == VideoCodec::kHevc ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264;
  AVStream* st = avformat_new_stream(format_.get(), nullptr);
  if (st == nullptr) return fail("avformat_new_stream(video) failed");
  st->time_base = kMillisecond;
  AVCodecParameters* par = st->codecpar;
  par->codec_type = AVMEDIA_TYPE_VIDEO;
  par->codec_id = id;
  if (id == AV_CODEC_ID_HEVC) par->codec_tag = MKTAG('h', 'v', 'c', '1');  // what browsers play
  proto::flv::CodecSummary summary;
  if (proto::flv::summarize_video(video_header_, summary).is_ok()) {
    par->width = int(summary.width);
    par->height = int(summary.height);
  }
  if (!set_extradata(par, payload_of(std::span<const uint8_t>(video_header_), *info)))
    return fail("av_mallocz of the video configuration failed");
  video_ = Track{st->index};
  file_video_header_ = video_header_;
  return true;
}

bool Mp4Writer::add_audio_track() {
  auto info = proto::flv::classify_audio(audio_header_);
  proto::flv::CodecSummary summary;
  if (!proto::flv::summarize_audio(audio_header_, summary).is_ok() || summary.sample_rate == 0)
    return fail("the AAC sequence header has no valid AudioSpecificConfig");
  AVStream* st = avformat_new_stream(format_.get(), nullptr);
  if (st == nullptr) return fail("avformat_new_stream(audio) failed");
  st->time_base = kMillisecond;
  AVCodecParameters* par = st->codecpar;
  par->codec_type = AVMEDIA_TYPE_AUDIO;
  par->codec_id = AV_CODEC_ID_AAC;
  par->sample_rate = int(summary.sample_rate);
  par->frame_size = 1024;
  av_channel_layout_default(&par->ch_layout, std::max(1, int(summary.channels)));
  if (!set_extradata(par, payload_of(std::span<const uint8_t>(audio_header_), *info)))
    return fail("av_mallocz of the audio configuration failed");
  audio_ = Track{st->index};
  file_audio_header_ = audio_header_;
  return true;
}

// One sample at file time `at` (ms, unwrapped and rebased).
bool Mp4Writer::write(Track& track, int64_t at, int32_t cts, bool key,
                      std::span<const uint8_t> payload) {
  int64_t dts = std::max<int64_t>(at, 0);  // audio a little before the first keyframe
  if (track.last_dts >= 0 && dts <= track.last_dts) dts = track.last_dts + 1;
  if (track.last_dts >= 0) track.last_step = dts - track.last_dts;
  track.last_dts = dts;
  AVPacket* p = packet_.get();
  p->data = const_cast<uint8_t*>(payload.data());  // read only: av_write_frame copies
  p->size = int(payload.size());
  p->stream_index = track.index;
  p->dts = dts;
  p->pts = std::max(dts + cts, dts);
  p->duration = track.last_step;  // the last sample of a fragment needs one
  p->flags = key ? AV_PKT_FLAG_KEY : 0;
  av_packet_rescale_ts(p, kMillisecond, format_->streams[track.index]->time_base);
  uint64_t before = file_bytes_;
  int err = av_write_frame(format_.get(), p);
  av_packet_unref(p);  // no buffer: the payload stays the caller's
  if (err < 0) return fail_av("av_write_frame", err);
  avio_flush(io_.get());
  flushed_ = file_bytes_ != before;  // a fragment was written
  duration_ms_ = std::max(duration_ms_, uint64_t(dts));
  return true;
}

// The last fragment and the mfra index.
bool Mp4Writer::finish_file() {
  if (!started_) return true;
  int err = av_write_trailer(format_.get());
  if (err < 0) return fail_av("av_write_trailer", err);
  avio_flush(io_.get());
  return true;
}

void Mp4Writer::begin_file() {
  end_file();
}

void Mp4Writer::end_file() {
  format_.reset();  // before the I/O context it writes through
  io_.reset();
  started_ = false;
  video_ = audio_ = Track{};
  file_video_header_.clear();
  file_audio_header_.clear();
  file_bytes_ = duration_ms_ = 0;
  flushed_ = false;
}

// A configuration the file's track does not hold, or a track the file lacks.
bool Mp4Writer::needs_new_file(const MediaRecord& r) const {
  if (!started_ || r.kind == MediaKind::kMetadata) return false;
  bool video = r.kind == MediaKind::kVideo;
  bool header = false;
  if (video) {
    auto info = proto::flv::classify_video(r.body);
    header = info.is_ok() && info->is_sequence_header;
  } else {
    auto info = proto::flv::classify_audio(r.body);
    header = info.is_ok() && info->is_sequence_header && info->codec == AudioCodec::kAac;
  }
  if (!header) return false;
  const std::vector<uint8_t>& current = video ? file_video_header_ : file_audio_header_;
  return !std::equal(r.body.begin(), r.body.end(), current.begin(), current.end());
}

uint64_t Mp4Writer::file_time(uint32_t ts) const {
  if (!started_) return 0;
  int64_t t = clock_.peek(ts) - base_;
  return t < 0 ? 0 : uint64_t(t);
}

bool Mp4Writer::fail(std::string what) {
  error_ = std::move(what);
  end_file();
  return false;
}

bool Mp4Writer::fail_av(const char* call, int err) {
  return fail(std::string(call) + " failed (" + av::error_text(err) + ")");
}

// The AVIOContext's output: appended to the sink's buffer.
int Mp4Writer::on_write(void* self, uint8_t* buf, int size) {
  auto* w = static_cast<Mp4Writer*>(self);
  w->out_->insert(w->out_->end(), buf, buf + size);
  w->file_bytes_ += uint64_t(size);
  return size;
}

}  // namespace srs::worker
