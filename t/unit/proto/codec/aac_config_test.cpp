// AudioSpecificConfig and ADTS: ffmpeg's AAC-LC, HE-AAC and HE-AAC v2 built bit
// by bit, the escapes, and ADTS headers equal to ffmpeg's own.
#include "proto/codec/aac_config.hpp"

#include <doctest/doctest.h>

#include "t/unit/proto/codec/bit_writer.hpp"
#include "t/unit/proto/flv/media_file.hpp"

using srs::base::Errc;
using srs::proto::codec::aac_profile_name;
using srs::proto::codec::AacConfig;
using srs::proto::codec::build_adts_header;
using srs::proto::codec::kAdtsHeaderSize;
using srs::proto::codec::parse_aac_config;
using srs::proto::flv::TagType;
using srs::test::BitWriter;
using Bytes = std::vector<uint8_t>;

namespace {

std::vector<srs::test::OwnedTag> audio_tags(const char* name) {
  std::vector<srs::test::OwnedTag> out;
  for (auto& t : srs::test::read_all_tags(srs::test::read_media(name))) {
    if (t.type == TagType::kAudio) out.push_back(std::move(t));
  }
  return out;
}

AacConfig parse_ok(const Bytes& asc) {
  auto r = parse_aac_config(asc);
  REQUIRE(r.is_ok());
  return *r;
}

}  // namespace

TEST_CASE("AudioSpecificConfig from ffmpeg's AAC-LC encoder matches ffprobe") {
  // ffprobe -show_streams: aac LC 44100 Hz 2 channels; aac LC 48000 Hz 1 channel.
  auto stereo = audio_tags("h264_baseline_320x240_aac_44k_stereo.flv");
  REQUIRE(stereo.size() > 2);
  REQUIRE(stereo[0].body[1] == 0);  // AACPacketType 0: the sequence header
  auto cfg = parse_ok(Bytes(stereo[0].body.begin() + 2, stereo[0].body.end()));
  CHECK(cfg.object_type == 2);
  CHECK(cfg.sample_rate == 44100);
  CHECK(cfg.channels == 2);
  CHECK(std::string(aac_profile_name(cfg)) == "LC");
  auto mono = audio_tags("h264_main_1280x720_aac_48k_mono.flv");
  auto cfg48 = parse_ok(Bytes(mono[0].body.begin() + 2, mono[0].body.end()));
  CHECK(cfg48.sample_rate == 48000);
  CHECK(cfg48.channels == 1);
  CHECK(cfg48.frequency_index == 3);
}

TEST_CASE("ADTS headers built from the ASC equal the ones ffmpeg's adts muxer writes") {
  auto tags = audio_tags("h264_baseline_320x240_aac_44k_stereo.flv");
  auto cfg = parse_ok(Bytes(tags[0].body.begin() + 2, tags[0].body.end()));
  Bytes adts;
  for (size_t i = 1; i < tags.size(); ++i) {
    REQUIRE(tags[i].body[1] == 1);
    uint8_t header[kAdtsHeaderSize];
    REQUIRE(build_adts_header(cfg, tags[i].body.size() - 2, header).is_ok());
    adts.insert(adts.end(), header, header + kAdtsHeaderSize);
    adts.insert(adts.end(), tags[i].body.begin() + 2, tags[i].body.end());
  }
  CHECK(adts == srs::test::read_media("aac_lc_44k_stereo.adts"));
}

TEST_CASE("HE-AAC and HE-AAC v2, explicit and backward-compatible signalling") {
  SUBCASE("explicit SBR: AOT 5, core 24 kHz, output 48 kHz") {
    auto cfg = parse_ok(
        BitWriter().bits(5, 5).bits(6, 4).bits(2, 4).bits(3, 4).bits(2, 5).bits(0, 3).bytes());
    CHECK(cfg.object_type == 5);
    CHECK(cfg.core_object_type == 2);
    CHECK(cfg.core_sample_rate == 24000);
    CHECK(cfg.sample_rate == 48000);
    CHECK(cfg.channels == 2);
    CHECK(std::string(aac_profile_name(cfg)) == "HE");
    uint8_t h[kAdtsHeaderSize];
    REQUIRE(build_adts_header(cfg, 100, h).is_ok());
    CHECK(h[2] == ((1 << 6) | (6 << 2)));  // ADTS carries the LC core at 24 kHz
  }
  SUBCASE("explicit PS: AOT 29, mono core decodes to stereo") {
    auto cfg = parse_ok(
        BitWriter().bits(29, 5).bits(6, 4).bits(1, 4).bits(3, 4).bits(2, 5).bits(0, 3).bytes());
    CHECK(cfg.sbr);
    CHECK(cfg.ps);
    CHECK(cfg.channel_config == 1);
    CHECK(cfg.channels == 2);
    CHECK(std::string(aac_profile_name(cfg)) == "HEv2");
  }
  SUBCASE("backward-compatible sync extensions 0x2b7 and 0x548") {
    BitWriter w;
    w.bits(2, 5).bits(6, 4).bits(1, 4).bits(0, 3);  // AAC-LC 24 kHz mono, GASpecificConfig
    w.bits(0x2b7, 11).bits(5, 5).bit(1).bits(3, 4).bits(0x548, 11).bit(1).trailing();
    auto cfg = parse_ok(w.bytes());
    CHECK(cfg.object_type == 2);
    CHECK(cfg.sbr);
    CHECK(cfg.ps);
    CHECK(cfg.sample_rate == 48000);
    CHECK(cfg.channels == 2);
  }
}

TEST_CASE("AudioSpecificConfig escapes: audioObjectType 31 and samplingFrequencyIndex 15") {
  auto usac = parse_ok(BitWriter().bits(31, 5).bits(42 - 32, 6).bits(4, 4).bits(2, 4).bytes());
  CHECK(usac.object_type == 42);
  CHECK(usac.sample_rate == 44100);
  CHECK(usac.channels == 2);
  CHECK(std::string(aac_profile_name(usac)) == "Unknown");
  uint8_t h[kAdtsHeaderSize];
  CHECK(build_adts_header(usac, 10, h).code() == Errc::kUnsupported);

  auto explicit_rate =
      parse_ok(BitWriter().bits(2, 5).bits(15, 4).bits(44056, 24).bits(1, 4).bits(0, 3).bytes());
  CHECK(explicit_rate.sample_rate == 44056);
  CHECK(explicit_rate.frequency_index == 15);
  CHECK(build_adts_header(explicit_rate, 10, h).code() == Errc::kUnsupported);
}

TEST_CASE("channel configuration 0: channels counted from the program_config_element") {
  BitWriter w;
  w.bits(2, 5).bits(3, 4).bits(0, 4).bits(0, 3);  // AAC-LC 48 kHz, PCE follows GASpecificConfig
  w.bits(0, 4).bits(1, 2).bits(3, 4);             // element_instance_tag, object_type, sf index
  w.bits(2, 4).bits(0, 4).bits(1, 4).bits(1, 2).bits(0, 3).bits(0, 4);  // front 2, back 1, lfe 1
  w.bit(0).bit(0).bit(0);                                               // no mixdowns
  w.bit(0).bits(0, 4).bit(1).bits(1, 4);     // front: centre SCE, L/R CPE
  w.bit(1).bits(2, 4);                       // back: Ls/Rs CPE
  w.bits(0, 4);                              // LFE
  w.bits(0, 3).bits(2, 8).bits(0x6869, 16);  // byte_alignment (bit 69 -> 72), a 2-byte comment
  auto cfg = parse_ok(w.bytes());
  CHECK(cfg.channel_config == 0);
  CHECK(cfg.channels == 6);
  auto truncated = w.bytes();
  REQUIRE(!truncated.empty());
  truncated.pop_back();  // (resize(size() - 1) trips GCC 12's -Wstringop-overflow under ASan)
  CHECK(parse_ok(truncated).channels == 0);
}

TEST_CASE("malformed AudioSpecificConfigs and unrepresentable ADTS give clear errors") {
  CHECK(parse_aac_config(Bytes{}).status().code() == Errc::kInvalid);
  CHECK(parse_aac_config(Bytes{0x12}).status().code() == Errc::kInvalid);
  CHECK(parse_aac_config(BitWriter().bits(0, 5).bits(4, 4).bits(2, 4).bytes()).status().code() ==
        Errc::kInvalid);
  CHECK(parse_aac_config(BitWriter().bits(2, 5).bits(13, 4).bits(2, 4).bytes()).status().code() ==
        Errc::kInvalid);
  CHECK_FALSE(parse_aac_config(BitWriter().bits(5, 5).bits(6, 4).bits(2, 4).bytes())
                  .is_ok());  // SBR cut short
  auto lc = parse_ok(Bytes{0x12, 0x10});
  uint8_t h[kAdtsHeaderSize];
  CHECK(build_adts_header(lc, 8191 - 7, h).is_ok());
  CHECK(build_adts_header(lc, 8191 - 6, h).code() == Errc::kTooLarge);
  auto pce = parse_ok(Bytes{0x12, 0x00});  // channelConfiguration 0: a PCE would say
  CHECK(pce.channels == 0);
  CHECK(build_adts_header(pce, 10, h).code() == Errc::kUnsupported);
}
