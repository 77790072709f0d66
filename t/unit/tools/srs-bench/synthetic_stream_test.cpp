// SyntheticStream: its frames, framed as FLV, read back through proto/flv as a
// valid AVC + AAC stream with sequence headers first, a keyframe every GOP,
// the bitrate asked for, and a latency stamp in every video frame.
#include "tools/srs-bench/synthetic_stream.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/tag_reader.hpp"
#include "proto/flv/tag_writer.hpp"
#include "proto/flv/video_tag.hpp"
#include "tools/srs-bench/latency_stamp.hpp"

namespace flv = srs::proto::flv;
using srs::tools::srs_bench::SyntheticConfig;
using srs::tools::srs_bench::SyntheticStream;

namespace {

// Frames up to `until_ms` as an FLV file.
std::vector<uint8_t> make_file(SyntheticStream& s, uint32_t until_ms) {
  std::vector<uint8_t> out(flv::kFileStartSize);
  uint8_t start[flv::kFileStartSize];
  flv::write_file_start(true, true, start);
  std::copy(std::begin(start), std::end(start), out.begin());
  while (s.next_timestamp() < until_ms) {
    auto f = s.take();
    if (f.stamp_offset >= 0)
      srs::tools::srs_bench::write_stamp(1000 + f.timestamp, f.body.data() + f.stamp_offset);
    flv::TagFraming framing;
    REQUIRE(
        flv::make_tag_framing(f.type, f.timestamp, static_cast<uint32_t>(f.body.size()), framing)
            .is_ok());
    out.insert(out.end(), std::begin(framing.header), std::end(framing.header));
    out.insert(out.end(), f.body.begin(), f.body.end());
    out.insert(out.end(), std::begin(framing.previous_size), std::end(framing.previous_size));
  }
  return out;
}

struct Seen {
  std::vector<flv::TagType> types;
  std::vector<uint32_t> key_ts;
  size_t video = 0, audio = 0, stamps = 0, seq_video = 0, seq_audio = 0;
  uint64_t media_bytes = 0;
  uint32_t last_ts = 0;
  bool ordered = true;
};

Seen read_back(const std::vector<uint8_t>& file) {
  flv::TagReader reader(flv::TagReader::Options{
      .max_data_size = 8u << 20, .file_header = true, .strict_previous_size = true});
  Seen seen;
  std::span<const uint8_t> rest(file);
  while (!rest.empty()) {
    auto r = reader.feed(rest);
    REQUIRE(r.is_ok());
    rest = rest.subspan(r->consumed);
    if (r->event != flv::ReadEvent::kTag) continue;
    const auto& tag = reader.tag();
    seen.types.push_back(tag.type);
    seen.ordered &= tag.timestamp >= seen.last_ts;
    seen.last_ts = tag.timestamp;
    seen.media_bytes += tag.body.size();
    if (tag.type == flv::TagType::kAudio) {
      auto info = flv::classify_audio(tag.body);
      REQUIRE(info.is_ok());
      CHECK(info->codec == flv::AudioCodec::kAac);
      info->is_sequence_header ? ++seen.seq_audio : ++seen.audio;
      continue;
    }
    auto info = flv::classify_video(tag.body);
    REQUIRE(info.is_ok());
    CHECK(info->codec == flv::VideoCodec::kAvc);
    if (info->is_sequence_header) {
      ++seen.seq_video;
      continue;
    }
    ++seen.video;
    if (info->is_keyframe) seen.key_ts.push_back(tag.timestamp);
    auto stamp = srs::tools::srs_bench::find_video_stamp(tag.body);
    if (stamp && *stamp == 1000 + tag.timestamp) ++seen.stamps;
  }
  return seen;
}

}  // namespace

TEST_CASE("synthetic stream: sequence headers first, then AVC and AAC in timestamp order") {
  SyntheticStream s(SyntheticConfig{});
  Seen seen = read_back(make_file(s, 10000));
  REQUIRE(seen.types.size() > 2);
  CHECK(seen.types[0] == flv::TagType::kVideo);
  CHECK(seen.types[1] == flv::TagType::kAudio);
  CHECK(seen.seq_video == 1);
  CHECK(seen.seq_audio == 1);
  CHECK(seen.ordered);
  CHECK(seen.video == 250);  // 25 fps for 10 s
  CHECK(seen.audio == 431);  // 44100 / 1024 per second
  CHECK(seen.stamps == seen.video);
}

TEST_CASE("synthetic stream: a keyframe every GOP, the first frame included") {
  SyntheticStream s(SyntheticConfig{.bitrate_bps = 500000, .gop_ms = 1000, .fps = 30});
  Seen seen = read_back(make_file(s, 5000));
  CHECK(seen.key_ts == std::vector<uint32_t>{0, 1000, 2000, 3000, 4000});
}

TEST_CASE("synthetic stream: the bitrate asked for, within 3%") {
  for (uint64_t bps : {uint64_t{300000}, uint64_t{1100000}, uint64_t{4000000}}) {
    SyntheticStream s(SyntheticConfig{.bitrate_bps = bps});
    Seen seen = read_back(make_file(s, 20000));  // whole GOPs
    double got = static_cast<double>(seen.media_bytes) * 8 / 20;
    CHECK(got == doctest::Approx(static_cast<double>(bps)).epsilon(0.03));
  }
}

TEST_CASE("synthetic stream: without audio, video only") {
  SyntheticStream s(SyntheticConfig{.bitrate_bps = 200000, .audio_bps = 0});
  Seen seen = read_back(make_file(s, 2000));
  CHECK(seen.audio == 0);
  CHECK(seen.video == 50);
}
