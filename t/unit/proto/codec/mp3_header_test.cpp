// MPEG audio frame headers: every MP3 tag of an ffmpeg/LAME FLV, the MPEG-2 and
// 2.5 tables, layers I and II, reserved values.
#include "proto/codec/mp3_header.hpp"

#include <doctest/doctest.h>

#include "t/unit/proto/flv/media_file.hpp"

using srs::base::Errc;
using srs::proto::codec::MpegVersion;
using srs::proto::codec::parse_mp3_header;
using Bytes = std::vector<uint8_t>;

TEST_CASE("every MP3 tag of an ffmpeg FLV holds one frame whose header matches ffprobe") {
  // ffprobe -show_streams: mp3 44100 Hz 2 channels (libmp3lame -b:a 64k).
  size_t frames = 0;
  for (const auto& t :
       srs::test::read_all_tags(srs::test::read_media("h264_high_854x480_mp3_44k_stereo.flv"))) {
    if (t.type != srs::proto::flv::TagType::kAudio) continue;
    REQUIRE((t.body[0] >> 4) == 2);
    auto h = parse_mp3_header(std::span(t.body).subspan(1));
    REQUIRE(h.is_ok());
    CHECK(h->version == MpegVersion::kMpeg1);
    CHECK(h->layer == 3);
    CHECK(h->sample_rate == 44100);
    CHECK(h->channels == 2);
    CHECK(h->samples_per_frame == 1152);
    CHECK(h->frame_size == t.body.size() - 1);
    ++frames;
  }
  CHECK(frames == 40);  // ffprobe -count_packets
}

TEST_CASE("MPEG-2, MPEG-2.5 and layer I/II headers") {
  auto v2 = parse_mp3_header(Bytes{0xff, 0xf3, 0x84, 0xc0});
  REQUIRE(v2.is_ok());
  CHECK(v2->version == MpegVersion::kMpeg2);
  CHECK(v2->bitrate_kbps == 64);
  CHECK(v2->sample_rate == 24000);
  CHECK(v2->channels == 1);
  CHECK(v2->frame_size == 192);
  auto v25 = parse_mp3_header(Bytes{0xff, 0xe3, 0x80, 0x00});
  REQUIRE(v25.is_ok());
  CHECK(v25->version == MpegVersion::kMpeg25);
  CHECK(v25->sample_rate == 11025);
  CHECK(v25->frame_size == 417);
  auto l1 = parse_mp3_header(Bytes{0xff, 0xff, 0x10, 0x00});
  REQUIRE(l1.is_ok());
  CHECK(l1->layer == 1);
  CHECK(l1->frame_size == 32);
  auto l2 =
      parse_mp3_header(Bytes{0xff, 0xfc, 0x9a, 0x00});  // MPEG-1 L2 160 kbps 32 kHz, CRC, padding
  REQUIRE(l2.is_ok());
  CHECK(l2->layer == 2);
  CHECK(l2->crc);
  CHECK(l2->bitrate_kbps == 160);
  CHECK(l2->frame_size == 1152 / 8 * 160000 / 32000 + 1);
  auto free_format = parse_mp3_header(Bytes{0xff, 0xfb, 0x00, 0x00});
  REQUIRE(free_format.is_ok());
  CHECK(free_format->bitrate_kbps == 0);
  CHECK(free_format->frame_size == 0);
}

TEST_CASE("MP3 headers with no sync or reserved values are rejected") {
  CHECK(parse_mp3_header(Bytes{0xff, 0xfb, 0x90}).status().code() == Errc::kInvalid);
  CHECK(parse_mp3_header(Bytes{0xfe, 0xfb, 0x90, 0x00}).status().code() == Errc::kInvalid);
  CHECK(parse_mp3_header(Bytes{0xff, 0xeb, 0x90, 0x00}).status().code() ==
        Errc::kInvalid);  // version 01
  CHECK(parse_mp3_header(Bytes{0xff, 0xf9, 0x90, 0x00}).status().code() ==
        Errc::kInvalid);  // layer 00
  CHECK(parse_mp3_header(Bytes{0xff, 0xfb, 0xf0, 0x00}).status().code() ==
        Errc::kInvalid);  // bitrate 15
  CHECK(parse_mp3_header(Bytes{0xff, 0xfb, 0x9c, 0x00}).status().code() ==
        Errc::kInvalid);  // rate 3
}
