// TagWriter framing: byte layout, and an ffmpeg file rebuilt byte for byte.
#include "proto/flv/tag_writer.hpp"

#include <doctest/doctest.h>

#include "base/bytes.hpp"
#include "t/unit/proto/flv/media_file.hpp"

using srs::base::Errc;
using srs::proto::flv::kFileStartSize;
using srs::proto::flv::make_tag_framing;
using srs::proto::flv::TagFraming;
using srs::proto::flv::TagType;
using srs::proto::flv::write_file_start;

TEST_CASE("write_file_start sets the audio and video flags") {
  uint8_t out[kFileStartSize];
  write_file_start(true, true, out);
  const uint8_t av[] = {'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0};
  CHECK(std::equal(out, out + kFileStartSize, av));
  write_file_start(true, false, out);
  CHECK(out[4] == 0x04);
  write_file_start(false, true, out);
  CHECK(out[4] == 0x01);
}

TEST_CASE("make_tag_framing writes the tag header and PreviousTagSize") {
  TagFraming f;
  REQUIRE(make_tag_framing(TagType::kVideo, 0x01234567, 0x00abcdef, f).is_ok());
  const uint8_t header[] = {9, 0xab, 0xcd, 0xef, 0x23, 0x45, 0x67, 0x01, 0, 0, 0};
  CHECK(std::equal(f.header, f.header + 11, header));
  CHECK(srs::base::load_be32(f.previous_size) == 0x00abcdef + 11);
  CHECK(make_tag_framing(TagType::kAudio, 0, 0x1000000, f).code() == Errc::kTooLarge);
}

TEST_CASE("an ffmpeg FLV rebuilt from its tag bodies is byte-identical") {
  for (const char* name :
       {"h264_baseline_320x240_aac_44k_stereo.flv", "aac_44k_mono_ts_past_2e24.flv",
        "h264_high_854x480_mp3_44k_stereo.flv"}) {
    CAPTURE(name);
    auto original = srs::test::read_media(name);
    auto tags = srs::test::read_all_tags(original);
    REQUIRE_FALSE(tags.empty());
    uint8_t start[kFileStartSize];
    bool has_video = original[4] & 1;
    write_file_start(true, has_video, start);
    std::vector<uint8_t> rebuilt(start, start + kFileStartSize);
    for (const auto& t : tags) {  // what a writev of header, body, back pointer sends
      TagFraming f;
      REQUIRE(
          make_tag_framing(t.type, t.timestamp, static_cast<uint32_t>(t.body.size()), f).is_ok());
      rebuilt.insert(rebuilt.end(), f.header, f.header + sizeof f.header);
      rebuilt.insert(rebuilt.end(), t.body.begin(), t.body.end());
      rebuilt.insert(rebuilt.end(), f.previous_size, f.previous_size + sizeof f.previous_size);
    }
    CHECK(rebuilt == original);
  }
}
