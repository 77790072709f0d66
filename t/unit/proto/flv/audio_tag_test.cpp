// Audio tag classification: legacy SoundFormats, AAC packet types, E-RTMP
// FourCC audio, ModEx, multichannel config, multitrack, unknown values.
#include "proto/flv/audio_tag.hpp"

#include <doctest/doctest.h>

#include <vector>

using srs::base::Errc;
using srs::proto::flv::AudioCodec;
using srs::proto::flv::classify_audio;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes fourcc(const char* s) {
  return Bytes(s, s + 4);
}
uint8_t ex(unsigned packet_type) {
  return static_cast<uint8_t>(0x90 | packet_type);
}

}  // namespace

TEST_CASE("legacy AAC: sequence header and raw frames") {
  auto seq = classify_audio(Bytes{0xaf, 0, 0x12, 0x10});
  REQUIRE(seq.is_ok());
  CHECK(seq->codec == AudioCodec::kAac);
  CHECK(seq->is_sequence_header);
  CHECK(seq->payload_offset == 2);
  CHECK(seq->payload_size == 2);
  CHECK(seq->sample_rate == 44100);
  CHECK(seq->sample_bits == 16);
  CHECK(seq->channels == 2);
  auto raw = classify_audio(Bytes{0xaf, 1, 0x21});
  REQUIRE(raw.is_ok());
  CHECK_FALSE(raw->is_sequence_header);
  CHECK(raw->payload_size == 1);
  CHECK(classify_audio(Bytes{0xaf}).status().code() == Errc::kInvalid);
  CHECK(classify_audio(Bytes{0xaf, 2}).status().code() == Errc::kUnsupported);
}

TEST_CASE("legacy SoundFormats, rates, sizes and types") {
  auto mp3 = classify_audio(Bytes{0x2e, 0xff, 0xfb});  // MP3 44 kHz 16-bit mono
  REQUIRE(mp3.is_ok());
  CHECK(mp3->codec == AudioCodec::kMp3);
  CHECK(mp3->channels == 1);
  CHECK(mp3->payload_offset == 1);
  auto mp3_8k = classify_audio(Bytes{0xe2, 0});
  REQUIRE(mp3_8k.is_ok());
  CHECK(mp3_8k->codec == AudioCodec::kMp3);
  CHECK(mp3_8k->sample_rate == 8000);
  auto alaw = classify_audio(Bytes{0x72, 0xd5});  // G.711 A-law 5.5 kHz 16-bit mono
  REQUIRE(alaw.is_ok());
  CHECK(alaw->codec == AudioCodec::kG711A);
  CHECK(alaw->sample_rate == 5512);
  CHECK(classify_audio(Bytes{0x82, 0}).value().codec == AudioCodec::kG711U);
  CHECK(classify_audio(Bytes{0xb6, 0}).value().codec == AudioCodec::kSpeex);
  CHECK(classify_audio(Bytes{0x42, 0}).value().sample_rate == 16000);
  CHECK(classify_audio(Bytes{0xc2, 0}).status().code() == Errc::kUnsupported);  // 12 reserved
  CHECK(classify_audio(Bytes{0xd2, 0}).status().code() == Errc::kUnsupported);  // 13 reserved
  CHECK(classify_audio(Bytes{}).status().code() == Errc::kInvalid);
}

TEST_CASE("E-RTMP ExAudioTagHeader: FourCCs and packet types") {
  auto opus =
      classify_audio(cat({{ex(0)}, fourcc("Opus"), {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd'}}));
  REQUIRE(opus.is_ok());
  CHECK(opus->enhanced);
  CHECK(opus->codec == AudioCodec::kOpus);
  CHECK(opus->is_sequence_header);
  CHECK(opus->payload_offset == 5);
  CHECK(opus->payload_size == 8);
  CHECK(classify_audio(cat({{ex(1)}, fourcc("mp4a"), {1}})).value().codec == AudioCodec::kAac);
  CHECK(classify_audio(cat({{ex(1)}, fourcc("fLaC"), {1}})).value().codec == AudioCodec::kFlac);
  CHECK(classify_audio(cat({{ex(1)}, fourcc(".mp3"), {1}})).value().codec == AudioCodec::kMp3);
  CHECK(classify_audio(cat({{ex(1)}, fourcc("ac-3"), {1}})).value().codec == AudioCodec::kAc3);
  CHECK(classify_audio(cat({{ex(1)}, fourcc("ec-3"), {1}})).value().codec == AudioCodec::kEac3);
  CHECK(classify_audio(cat({{ex(2)}, fourcc("Opus")})).value().is_sequence_end);
  auto mc = classify_audio(cat({{ex(4)}, fourcc("Opus"), {1, 2, 0, 0, 0, 3}}));
  REQUIRE(mc.is_ok());
  CHECK(mc->is_multichannel_config);
  CHECK(classify_audio(cat({{ex(1)}, fourcc("mp4b"), {1}})).status().code() == Errc::kUnsupported);
  CHECK(classify_audio(cat({{ex(3)}, fourcc("Opus")})).status().code() == Errc::kUnsupported);
  CHECK(classify_audio(cat({{ex(9)}, fourcc("Opus")})).status().code() == Errc::kUnsupported);
  CHECK(classify_audio(Bytes{ex(1), 'O', 'p'}).status().code() == Errc::kInvalid);
}

TEST_CASE("E-RTMP audio ModEx and multitrack") {
  auto nano = classify_audio(cat({{ex(7), 2, 0, 0, 100, 0x01}, fourcc("Opus"), {0xfc}}));
  REQUIRE(nano.is_ok());
  CHECK(nano->nano_offset == 100);
  CHECK(nano->payload_offset == 10);  // header, size, 3 data bytes, types, FourCC
  // ManyTracks of Opus CodedFrames: track 0 (1 byte) and track 1 (2 bytes).
  auto many = classify_audio(
      cat({{ex(5), 0x11}, fourcc("Opus"), {0, 0, 0, 1, 0xaa, 1, 0, 0, 2, 0xbb, 0xcc}}));
  REQUIRE(many.is_ok());
  CHECK(many->is_multitrack);
  CHECK(many->track_count == 2);
  CHECK(many->payload_offset == 10);
  CHECK(many->payload_size == 1);
  auto mixed = classify_audio(
      cat({{ex(5), 0x20}, fourcc("mp4a"), {3, 0, 0, 2, 0x12, 0x10}, fourcc("Opus"), {4, 0, 0, 0}}));
  REQUIRE(mixed.is_ok());
  CHECK(mixed->codec == AudioCodec::kAac);
  CHECK(mixed->track_id == 3);
  CHECK(mixed->is_sequence_header);
  CHECK(classify_audio(cat({{ex(5), 0x15}, fourcc("Opus")})).status().code() == Errc::kUnsupported);
  CHECK(classify_audio(cat({{ex(5), 0x11}, fourcc("Opus"), {0, 0, 0, 9, 1}})).status().code() ==
        Errc::kInvalid);
}

TEST_CASE("every truncation of an audio body fails cleanly or classifies inside the body") {
  const Bytes bodies[] = {cat({{ex(7), 2, 0, 0, 100, 0x05, 0x11},
                               fourcc("Opus"),
                               {0, 0, 0, 1, 0xaa, 1, 0, 0, 2, 0xbb, 0xcc}}),
                          Bytes{0xaf, 0, 0x12, 0x10}};
  for (const auto& body : bodies) {
    for (size_t len = 0; len <= body.size(); ++len) {
      CAPTURE(len);
      auto r = classify_audio(std::span(body).first(len));
      if (r.is_ok()) CHECK(r->payload_offset + r->payload_size <= len);
    }
  }
}
