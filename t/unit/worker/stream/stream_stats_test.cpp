// StreamStats as the API sees them: the publisher's writer fed real sequence
// headers (golden files from real encoders) and the names read back through
// the words in shared memory; the bitrate over its ~10 s window.
#include "worker/stream/stream_stats.hpp"

#include <doctest/doctest.h>

#include <string>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/video_tag.hpp"
#include "shm/registry.hpp"
#include "t/unit/proto/flv/media_file.hpp"

using namespace srs;
using srs::worker::StreamStatsWriter;

namespace {

shm::StreamInfo info_of(const shm::StreamStats& st) {
  shm::StreamInfo i;
  i.video_codec = st.video_codec.load();
  i.video_profile = st.video_profile.load();
  i.video_level = st.video_level.load();
  i.video_width = st.video_width.load();
  i.video_height = st.video_height.load();
  i.audio_codec = st.audio_codec.load();
  i.audio_profile = st.audio_profile.load();
  i.audio_sample_rate = st.audio_sample_rate.load();
  i.audio_channels = st.audio_channels.load();
  return i;
}

// Feeds every audio and video tag of a golden file, as the publisher does.
shm::StreamInfo feed_file(const char* name) {
  shm::StreamStats st;
  StreamStatsWriter w(&st);
  for (const auto& t : test::read_all_tags(test::read_media(name))) {
    if (t.type == proto::flv::TagType::kVideo) {
      auto v = proto::flv::classify_video(t.body);
      if (v.is_ok()) w.on_video(t.body, v->is_sequence_header);
    } else if (t.type == proto::flv::TagType::kAudio) {
      auto a = proto::flv::classify_audio(t.body);
      if (a.is_ok()) w.on_audio(t.body, a->is_sequence_header);
    }
  }
  return info_of(st);
}

std::string str(const char* s) {
  return s ? s : "(null)";
}

}  // namespace

TEST_CASE("every name a summary can carry survives the trip through its word") {
  for (const char* name :
       {"H264", "H265", "AV1", "VP9", "VP8", "AAC", "MP3", "Opus", "High", "Constrained Baseline",
        "High 4:4:4 Predictive", "Main 10", "LC", "HEv2", "1b", "3.1", "6.2", "7.3"}) {
    CAPTURE(name);
    const uint32_t word = worker::stats_name_word(name);
    CHECK(word > 1);
    CHECK(std::string(worker::stats_word_name(word)) == name);
  }
  CHECK(worker::stats_name_word(nullptr) == 0);
  CHECK(worker::stats_name_word("") == 0);
  CHECK(std::string(worker::stats_word_name(0)).empty());
  CHECK(std::string(worker::stats_word_name(worker::stats_name_word("Brand New Codec"))) ==
        "Unknown");
  CHECK(std::string(worker::stats_word_name(100000)) == "Unknown");
}

TEST_CASE("H.264 Main 3.1 1280x720 and AAC LC 48 kHz mono, as ffprobe reports them") {
  const auto s = worker::stream_codecs(feed_file("h264_main_1280x720_aac_48k_mono.flv"));
  CHECK(str(s.video_codec) == "H264");
  CHECK(str(s.video_profile) == "Main");
  CHECK(str(s.video_level) == "3.1");
  CHECK(s.width == 1280);
  CHECK(s.height == 720);
  CHECK(str(s.audio_codec) == "AAC");
  CHECK(str(s.audio_profile) == "LC");
  CHECK(s.sample_rate == 48000);
  CHECK(s.channels == 1);
}

TEST_CASE("MP3 has no sequence header: its first frame names it") {
  const auto s = worker::stream_codecs(feed_file("h264_high_854x480_mp3_44k_stereo.flv"));
  CHECK(str(s.video_profile) == "High");
  CHECK(s.width == 854);
  CHECK(str(s.audio_codec) == "MP3");
  CHECK(s.sample_rate == 44100);
  CHECK(s.channels == 2);
}

TEST_CASE("no codec yet: null names, which the API shows as null") {
  shm::StreamInfo none;
  const auto s = worker::stream_codecs(none);
  CHECK(s.video_codec == nullptr);
  CHECK(s.audio_codec == nullptr);
}

TEST_CASE("counters at each flush; the bitrate every 5 s over the last 5 to 10 s") {
  shm::StreamStats st;
  StreamStatsWriter w(&st);
  w.on_flush(0, 0, 0, 1000);
  CHECK(st.bitrate_kbps.load() == 0);
  w.on_flush(500000, 100, 40, 5999);  // not a step yet
  CHECK(st.bitrate_kbps.load() == 0);
  CHECK(st.bytes_in.load() == 500000);
  CHECK(st.messages.load() == 100);
  CHECK(st.video_frames.load() == 40);
  w.on_flush(625000, 120, 50, 6000);  // 625000 bytes in 5 s: 1000 kbps
  CHECK(st.bitrate_kbps.load() == 1000);
  w.on_flush(1250000, 240, 100, 11000);  // since t=1000: 1250000 bytes in 10 s
  CHECK(st.bitrate_kbps.load() == 1000);
  w.on_flush(1250000 + 250000, 300, 125, 16000);  // since t=6000: 875000 bytes in 10 s
  CHECK(st.bitrate_kbps.load() == 700);
}

TEST_CASE("an unbound writer does nothing") {
  StreamStatsWriter w;
  w.on_flush(1, 1, 1, 1);
  w.on_video({}, true);
  w.on_audio({}, true);
}
