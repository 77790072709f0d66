// End to end on golden files from real encoders: every tag classified, the
// sequence headers parsed, and the summary equal to what ffprobe reports.
#include "proto/flv/codec_summary.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "base/bytes.hpp"
#include "proto/codec/avc_config.hpp"
#include "proto/codec/nalu.hpp"
#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "t/unit/proto/flv/media_file.hpp"

using srs::proto::codec::AvcNaluType;
using srs::proto::codec::LengthPrefixedNalus;
using srs::proto::flv::classify_audio;
using srs::proto::flv::classify_video;
using srs::proto::flv::CodecSummary;
using srs::proto::flv::summarize_audio;
using srs::proto::flv::summarize_video;
using srs::proto::flv::TagType;
using Bytes = std::vector<uint8_t>;

namespace {

struct Expected {
  const char* file;
  const char* video_profile;
  const char* video_level;
  uint32_t width, height;
  const char* audio_codec;
  const char* audio_profile;
  uint32_t sample_rate;
  uint8_t channels;
  size_t keyframes;  // ffprobe -show_entries packet=flags: K_ on video packets
};

// ffprobe -v error -show_entries stream=codec_name,profile,level,width,height,sample_rate,channels
// on each file (level=30 is "3", level=31 "3.1", level=40 "4"):
const Expected kFiles[] = {
    {"h264_baseline_320x240_aac_44k_stereo.flv", "Constrained Baseline", "3", 320, 240, "AAC", "LC",
     44100, 2, 3},
    {"h264_main_1280x720_aac_48k_mono.flv", "Main", "3.1", 1280, 720, "AAC", "LC", 48000, 1, 1},
    {"h264_high_854x480_mp3_44k_stereo.flv", "High", "4", 854, 480, "MP3", "", 44100, 2, 1},
};

// Classifies every video tag, checks its NAL units against the frame type,
// and returns the number of coded keyframes.
size_t check_video_tags(const std::vector<srs::test::OwnedTag>& tags, unsigned length_size) {
  size_t keyframes = 0;
  for (const auto& t : tags) {
    if (t.type != TagType::kVideo) continue;
    auto info = classify_video(t.body);
    REQUIRE(info.is_ok());
    if (info->is_sequence_header || info->is_end_of_sequence) continue;
    CHECK(info->cts >= 0);  // B-frames: PTS >= DTS
    LengthPrefixedNalus it(std::span(t.body).subspan(info->payload_offset, info->payload_size),
                           length_size);
    bool idr = false;
    std::span<const uint8_t> nalu;
    while (it.next(nalu)) idr |= srs::proto::codec::avc_is_idr(nalu[0]);
    CHECK(it.status().is_ok());
    CHECK(idr == info->is_keyframe);
    keyframes += info->is_keyframe;
  }
  return keyframes;
}

}  // namespace

TEST_CASE("golden FLV files: every tag classified, summary equal to ffprobe") {
  for (const auto& e : kFiles) {
    CAPTURE(e.file);
    auto tags = srs::test::read_all_tags(srs::test::read_media(e.file));
    REQUIRE(tags.size() > 50);
    CodecSummary s;
    const srs::test::OwnedTag* video_seq = nullptr;
    const srs::test::OwnedTag* audio_first = nullptr;
    for (const auto& t : tags) {
      if (t.type == TagType::kAudio) {
        REQUIRE(classify_audio(t.body).is_ok());
        if (!audio_first) audio_first = &t;
      }
      if (t.type == TagType::kVideo && !video_seq) video_seq = &t;
    }
    REQUIRE(video_seq);
    REQUIRE(audio_first);
    REQUIRE(summarize_video(video_seq->body, s).is_ok());
    REQUIRE(summarize_audio(audio_first->body, s).is_ok());
    CHECK(std::string(s.video_codec) == "H264");
    CHECK(std::string(s.video_profile) == e.video_profile);
    CHECK(std::string(s.video_level) == e.video_level);
    CHECK(s.width == e.width);
    CHECK(s.height == e.height);
    CHECK(std::string(s.audio_codec) == e.audio_codec);
    CHECK(std::string(s.audio_profile) == e.audio_profile);
    CHECK(s.sample_rate == e.sample_rate);
    CHECK(s.channels == e.channels);
    auto record = std::span(video_seq->body).subspan(5);
    auto cfg = srs::proto::codec::parse_avc_config(record);
    REQUIRE(cfg.is_ok());
    CHECK(check_video_tags(tags, cfg->length_size) == e.keyframes);
  }
}

TEST_CASE("composition times of a B-frame stream equal ffprobe's pts - dts") {
  // ffprobe -show_entries packet=codec_type,pts,dts h264_main_1280x720_aac_48k_mono.flv:
  // the first three video packets are pts/dts 80/0, 200/40, 120/80.
  auto tags =
      srs::test::read_all_tags(srs::test::read_media("h264_main_1280x720_aac_48k_mono.flv"));
  std::vector<std::pair<uint32_t, int32_t>> frames;  // dts, cts
  for (const auto& t : tags) {
    if (t.type != TagType::kVideo) continue;
    auto info = classify_video(t.body);
    REQUIRE(info.is_ok());
    if (!info->is_sequence_header) frames.push_back({t.timestamp, info->cts});
  }
  REQUIRE(frames.size() >= 3);
  CHECK(frames[0] == std::pair<uint32_t, int32_t>{0, 80});
  CHECK(frames[1] == std::pair<uint32_t, int32_t>{40, 160});
  CHECK(frames[2] == std::pair<uint32_t, int32_t>{80, 40});
}

TEST_CASE("HEVC summary from an E-RTMP hvc1 SequenceStart carrying x265's hvcC") {
  Bytes mp4 = srs::test::read_media("hevc_main_854x480.mp4");
  const uint8_t tag[] = {'h', 'v', 'c', 'C'};
  auto it = std::search(mp4.begin(), mp4.end(), tag, tag + 4);
  REQUIRE(it != mp4.end());
  uint32_t box = srs::base::load_be32(&*(it - 4));
  Bytes body = {0x90, 'h', 'v', 'c', '1'};  // IsExHeader, key frame, SequenceStart
  body.insert(body.end(), it + 4, it - 4 + box);
  CodecSummary s;
  REQUIRE(summarize_video(body, s).is_ok());
  // ffprobe: hevc profile=Main level=90 width=854 height=480.
  CHECK(std::string(s.video_codec) == "H265");
  CHECK(std::string(s.video_profile) == "Main");
  CHECK(std::string(s.video_level) == "3");
  CHECK(s.width == 854);
  CHECK(s.height == 480);
  // The same record under the non-standard legacy CodecID 12.
  Bytes legacy = {0x1c, 0, 0, 0, 0};
  legacy.insert(legacy.end(), body.begin() + 5, body.end());
  CodecSummary l;
  REQUIRE(summarize_video(legacy, l).is_ok());
  CHECK(l.width == 854);
}

TEST_CASE("summary of Opus, AV1 and tags that are not sequence headers") {
  CodecSummary s;
  Bytes opus = {0x90, 'O', 'p', 'u',  's', 'O',  'p',  'u', 's', 'H', 'e', 'a',
                'd',  1,   2,   0x38, 1,   0x80, 0xbb, 0,   0,   0,   0,   0};
  REQUIRE(summarize_audio(opus, s).is_ok());
  CHECK(std::string(s.audio_codec) == "Opus");
  CHECK(s.sample_rate == 48000);
  CHECK(s.channels == 2);
  Bytes av1 = {0x90, 'a', 'v', '0', '1', 0x81, 0x08, 0x0c, 0x00};  // Main, seq_level_idx 8
  REQUIRE(summarize_video(av1, s).is_ok());
  CHECK(std::string(s.video_codec) == "AV1");
  CHECK(std::string(s.video_profile) == "Main");
  CHECK(std::string(s.video_level) == "4.0");
  CHECK_FALSE(summarize_audio(Bytes{0xaf, 1, 0x21}, s).is_ok());
  CHECK_FALSE(summarize_video(Bytes{0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41}, s).is_ok());
  CHECK_FALSE(summarize_video(Bytes{0x17, 0, 0, 0, 0, 1, 0x42}, s).is_ok());  // truncated record
}
