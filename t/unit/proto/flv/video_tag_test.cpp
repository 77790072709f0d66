// Video tag classification: legacy AVC/HEVC, E-RTMP FourCC, ModEx, commands,
// metadata, multitrack, and controlled failure on unknown values.
#include "proto/flv/video_tag.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "proto/flv/ex_header.hpp"

using srs::base::Errc;
using srs::proto::flv::classify_video;
using srs::proto::flv::VideoCodec;
using srs::proto::flv::VideoFrameType;
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
// IsExHeader | VideoFrameType << 4 | VideoPacketType.
uint8_t ex(unsigned frame_type, unsigned packet_type) {
  return static_cast<uint8_t>(0x80 | (frame_type << 4) | packet_type);
}

}  // namespace

TEST_CASE("legacy AVC: sequence header, NALUs with signed CTS, end of sequence") {
  auto seq = classify_video(Bytes{0x17, 0, 0, 0, 0, 1, 0x64});
  REQUIRE(seq.is_ok());
  CHECK(seq->codec == VideoCodec::kAvc);
  CHECK(seq->is_sequence_header);
  CHECK(seq->is_keyframe);
  CHECK(seq->payload_offset == 5);
  CHECK(seq->payload_size == 2);

  auto frame = classify_video(Bytes{0x27, 1, 0xff, 0xff, 0xf6, 0, 0, 0, 1, 0x41});
  REQUIRE(frame.is_ok());
  CHECK_FALSE(frame->is_keyframe);
  CHECK_FALSE(frame->is_sequence_header);
  CHECK(frame->cts == -10);  // SI24 0xfffff6
  auto positive = classify_video(Bytes{0x17, 1, 0x00, 0x00, 0x50});
  REQUIRE(positive.is_ok());
  CHECK(positive->cts == 80);
  CHECK(positive->is_keyframe);
  auto big = classify_video(Bytes{0x17, 1, 0x7f, 0xff, 0xff});
  REQUIRE(big.is_ok());
  CHECK(big->cts == 8388607);

  auto eos = classify_video(Bytes{0x17, 2, 0, 0, 0});
  REQUIRE(eos.is_ok());
  CHECK(eos->is_end_of_sequence);
  CHECK(eos->payload_size == 0);
}

TEST_CASE("legacy codec ids: HEVC 12, AV1 13, Flash codecs, command frames, unknown ids") {
  auto hevc = classify_video(Bytes{0x1c, 0, 0, 0, 0, 1});
  REQUIRE(hevc.is_ok());
  CHECK(hevc->codec == VideoCodec::kHevc);
  CHECK(hevc->is_sequence_header);
  auto vp6 = classify_video(Bytes{0x24, 0x00, 0x12});
  REQUIRE(vp6.is_ok());
  CHECK(vp6->codec == VideoCodec::kLegacy);
  CHECK(vp6->payload_offset == 1);
  auto command = classify_video(Bytes{0x57, 0x00});
  REQUIRE(command.is_ok());
  CHECK(command->is_command);
  CHECK(command->frame_type == VideoFrameType::kCommand);
  CHECK(classify_video(Bytes{0x18, 0, 0, 0, 0}).status().code() == Errc::kUnsupported);
  CHECK(classify_video(Bytes{0x17, 3, 0, 0, 0}).status().code() == Errc::kUnsupported);
  CHECK(classify_video(Bytes{0x07, 1, 0, 0, 0}).status().code() == Errc::kInvalid);  // frame type 0
  CHECK(classify_video(Bytes{0x17, 1, 0, 0}).status().code() == Errc::kInvalid);
  CHECK(classify_video(Bytes{}).status().code() == Errc::kInvalid);
}

TEST_CASE("E-RTMP ExVideoTagHeader: FourCC, packet types, CTS only for avc1/hvc1 CodedFrames") {
  auto start = classify_video(cat({{ex(1, 0)}, fourcc("hvc1"), {1, 2, 3}}));
  REQUIRE(start.is_ok());
  CHECK(start->enhanced);
  CHECK(start->codec == VideoCodec::kHevc);
  CHECK(start->is_sequence_header);
  CHECK(start->payload_offset == 5);
  CHECK(start->payload_size == 3);

  auto coded =
      classify_video(cat({{ex(2, 1)}, fourcc("hvc1"), {0xff, 0xff, 0xfe, 0, 0, 0, 2, 0x02, 0x01}}));
  REQUIRE(coded.is_ok());
  CHECK(coded->cts == -2);
  CHECK(coded->payload_offset == 8);
  CHECK_FALSE(coded->is_keyframe);

  auto x = classify_video(cat({{ex(1, 3)}, fourcc("avc1"), {0, 0, 0, 1, 0x65}}));
  REQUIRE(x.is_ok());
  CHECK(x->cts == 0);
  CHECK(x->payload_offset == 5);
  CHECK(x->is_keyframe);

  auto av1 = classify_video(cat({{ex(1, 1)}, fourcc("av01"), {0x12, 0x00}}));
  REQUIRE(av1.is_ok());
  CHECK(av1->codec == VideoCodec::kAv1);
  CHECK(av1->payload_offset == 5);  // no CompositionTime for av01
  CHECK(classify_video(cat({{ex(1, 0)}, fourcc("vp09")})).value().codec == VideoCodec::kVp9);
  CHECK(classify_video(cat({{ex(1, 0)}, fourcc("vp08")})).value().codec == VideoCodec::kVp8);
  CHECK(classify_video(cat({{ex(1, 5)}, fourcc("av01")})).value().is_sequence_header);
  CHECK(classify_video(cat({{ex(1, 2)}, fourcc("hvc1")})).value().is_end_of_sequence);
  auto meta = classify_video(cat({{ex(0, 4)}, fourcc("hvc1"), {0x02, 0, 9}}));
  REQUIRE(meta.is_ok());
  CHECK(meta->is_metadata);
}

TEST_CASE("E-RTMP unknown FourCC, packet type or multitrack type fail in a controlled way") {
  CHECK(classify_video(cat({{ex(1, 1)}, fourcc("vvc9"), {0, 0, 0}})).status().code() ==
        Errc::kUnsupported);
  CHECK(classify_video(cat({{ex(1, 9)}, fourcc("hvc1")})).status().code() == Errc::kUnsupported);
  CHECK(classify_video(cat({{ex(1, 6), 0x30}, fourcc("hvc1"), {0}})).status().code() ==
        Errc::kUnsupported);
  CHECK(classify_video(Bytes{ex(1, 1), 'h', 'v'}).status().code() == Errc::kInvalid);
  CHECK(classify_video(cat({{ex(1, 1)}, fourcc("hvc1"), {0xff}})).status().code() ==
        Errc::kInvalid);
  CHECK(classify_video(cat({{ex(6, 1)}, fourcc("hvc1"), {0, 0, 0}})).status().code() ==
        Errc::kInvalid);
}

TEST_CASE("E-RTMP ModEx: TimestampOffsetNano, the UI16 size escape, then the real packet type") {
  // ModEx(7), size 3 (UI8 2), data 0x0f423f = 999999 ns, modExType 0 | CodedFrames.
  auto nano =
      classify_video(cat({{ex(1, 7), 2, 0x0f, 0x42, 0x3f, 0x01}, fourcc("avc1"), {0, 0, 5, 0xaa}}));
  REQUIRE(nano.is_ok());
  CHECK(nano->nano_offset == 999999);
  CHECK(nano->packet_type == 1);
  CHECK(nano->cts == 5);
  CHECK(nano->payload_offset == 13);
  Bytes big = {ex(1, 7), 0xff, 0x01, 0x00};  // size 0x0100 + 1 = 257
  big.resize(big.size() + 257, 0xee);
  big.push_back(0x13);  // modExType 1 (reserved) | CodedFramesX
  auto escaped = classify_video(cat({big, fourcc("hvc1"), {9}}));
  REQUIRE(escaped.is_ok());
  CHECK(escaped->packet_type == 3);
  CHECK(escaped->payload_size == 1);
  CHECK(classify_video(Bytes{ex(1, 7), 5, 1, 2}).status().code() == Errc::kInvalid);
}

TEST_CASE("E-RTMP command frames carry a UI8 and no video") {
  auto cmd = classify_video(Bytes{ex(5, 1), 0x01});
  REQUIRE(cmd.is_ok());
  CHECK(cmd->is_command);
  CHECK(cmd->payload_size == 0);
  CHECK(classify_video(Bytes{ex(5, 1)}).status().code() == Errc::kInvalid);
}

TEST_CASE("E-RTMP multitrack: one track, many tracks, many codecs, all walked to the end") {
  auto one = classify_video(cat({{ex(1, 6), 0x01}, fourcc("avc1"), {7, 0, 0, 3, 0x65, 0x88}}));
  REQUIRE(one.is_ok());
  CHECK(one->is_multitrack);
  CHECK(one->track_id == 7);
  CHECK(one->track_count == 1);
  CHECK(one->cts == 3);
  CHECK(one->payload_offset == 10);  // 2 header + FourCC + trackId + CTS
  CHECK(one->payload_size == 2);

  // ManyTracks, SequenceStart: track 0 (2 bytes), track 1 (3 bytes).
  Bytes many = cat({{ex(1, 6), 0x10}, fourcc("hvc1"), {0, 0, 0, 2, 0xa, 0xb, 1, 0, 0, 3, 1, 2, 3}});
  auto m = classify_video(many);
  REQUIRE(m.is_ok());
  CHECK(m->track_count == 2);
  CHECK(m->is_sequence_header);
  CHECK(m->payload_offset == 10);
  CHECK(m->payload_size == 2);
  Bytes overrun = many;
  overrun[overrun.size() - 4] = 4;  // the second track claims one byte too many
  CHECK(classify_video(overrun).status().code() == Errc::kInvalid);

  // ManyTracksManyCodecs: each track has its FourCC.
  Bytes mixed = cat(
      {{ex(2, 6), 0x23}, fourcc("av01"), {0, 0, 0, 1, 0x30}, fourcc("avc1"), {1, 0, 0, 1, 0x41}});
  auto mm = classify_video(mixed);
  REQUIRE(mm.is_ok());
  CHECK(mm->codec == VideoCodec::kAv1);
  CHECK(mm->track_count == 2);
  CHECK(mm->payload_offset == 10);  // 2 header + FourCC + trackId + UI24 size
  CHECK(classify_video(cat({{ex(1, 6), 0x16}, fourcc("avc1")})).status().code() ==
        Errc::kUnsupported);
  CHECK(classify_video(cat({{ex(1, 6), 0x11}, fourcc("avc1")})).status().code() == Errc::kInvalid);
}

TEST_CASE("every truncation of a video body fails cleanly or classifies inside the body") {
  const Bytes bodies[] = {cat({{ex(1, 7), 2, 0x0f, 0x42, 0x3f, 0x06, 0x21},
                               fourcc("hvc1"),
                               {0, 0, 0, 4, 0, 0, 1, 0xaa}}),
                          cat({{ex(2, 6), 0x21},
                               fourcc("hvc1"),
                               {0, 0, 0, 4, 0, 0, 1, 0xaa},
                               fourcc("av01"),
                               {1, 0, 0, 1, 9}}),
                          Bytes{0x27, 1, 0xff, 0xff, 0xf6, 0, 0, 0, 1, 0x41}};
  for (const auto& body : bodies) {
    for (size_t len = 0; len <= body.size(); ++len) {
      CAPTURE(len);
      auto r = classify_video(std::span(body).first(len));
      if (r.is_ok()) CHECK(r->payload_offset + r->payload_size <= len);
    }
  }
}
