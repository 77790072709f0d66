// TagReader: golden ffmpeg files, every split position, limits and errors.
#include "proto/flv/tag_reader.hpp"

#include <doctest/doctest.h>

#include <random>

#include "t/unit/proto/flv/media_file.hpp"

using srs::base::Errc;
using srs::base::Status;
using srs::proto::flv::ReadEvent;
using srs::proto::flv::TagReader;
using srs::proto::flv::TagType;
using srs::test::OwnedTag;
using srs::test::read_all_tags;
using srs::test::read_media;
using srs::test::read_tags;

namespace {

size_t count(const std::vector<OwnedTag>& tags, TagType type) {
  size_t n = 0;
  for (const auto& t : tags) n += t.type == type;
  return n;
}

// A minimal FLV: header, PreviousTagSize0, then the given tags.
std::vector<uint8_t> make_flv(const std::vector<OwnedTag>& tags, uint8_t flags = 0x05) {
  std::vector<uint8_t> out = {'F', 'L', 'V', 1, flags, 0, 0, 0, 9, 0, 0, 0, 0};
  for (const auto& t : tags) {
    uint32_t n = static_cast<uint32_t>(t.body.size());
    uint8_t h[11] = {static_cast<uint8_t>(t.type),
                     uint8_t(n >> 16),
                     uint8_t(n >> 8),
                     uint8_t(n),
                     uint8_t(t.timestamp >> 16),
                     uint8_t(t.timestamp >> 8),
                     uint8_t(t.timestamp),
                     uint8_t(t.timestamp >> 24),
                     0,
                     0,
                     0};
    out.insert(out.end(), h, h + 11);
    out.insert(out.end(), t.body.begin(), t.body.end());
    uint32_t p = n + 11;
    uint8_t pts[4] = {uint8_t(p >> 24), uint8_t(p >> 16), uint8_t(p >> 8), uint8_t(p)};
    out.insert(out.end(), pts, pts + 4);
  }
  return out;
}

Status first_error(const std::vector<uint8_t>& bytes, TagReader::Options options = {}) {
  Status st;
  const size_t whole[] = {bytes.size()};
  (void)read_tags(bytes, whole, &st, options);
  return st;
}

}  // namespace

TEST_CASE("TagReader reads every tag of an ffmpeg FLV file") {
  auto bytes = read_media("h264_baseline_320x240_aac_44k_stereo.flv");
  REQUIRE(bytes.size() > 1000);
  TagReader::Options strict;
  strict.strict_previous_size = true;
  Status st;
  const size_t whole[] = {bytes.size()};
  auto tags = read_tags(bytes, whole, &st, strict);
  CHECK(st.is_ok());
  // ffprobe -count_packets: 25 video and 45 audio packets, plus one sequence
  // header each, ffmpeg's AVC end-of-sequence tag and the onMetaData script tag.
  CHECK(count(tags, TagType::kVideo) == 27);
  CHECK(count(tags, TagType::kAudio) == 46);
  CHECK(count(tags, TagType::kScript) == 1);
  CHECK(tags.front().type == TagType::kScript);
}

TEST_CASE("TagReader reports the file header flags") {
  auto bytes = read_media("aac_44k_mono_ts_past_2e24.flv");
  TagReader reader;
  auto r = reader.feed(bytes);
  REQUIRE(r.is_ok());
  CHECK(r->event == ReadEvent::kFileHeader);
  CHECK(r->consumed == 9);
  CHECK(reader.file_header().has_audio);
  CHECK_FALSE(reader.file_header().has_video);
  CHECK(reader.file_header().data_offset == 9);
}

TEST_CASE("TagReader gives the same tags at every split position") {
  auto bytes = read_media("aac_44k_mono_ts_past_2e24.flv");
  auto expected = read_all_tags(bytes);
  REQUIRE(expected.size() == 47);  // onMetaData, AAC sequence header, 45 frames
  size_t failures = 0;
  for (size_t split = 1; split < bytes.size(); ++split) {
    const size_t pieces[] = {split, bytes.size()};
    if (read_tags(bytes, pieces) != expected) ++failures;
  }
  CHECK(failures == 0);
}

TEST_CASE("TagReader gives the same tags fed one byte or random pieces at a time") {
  auto bytes = read_media("h264_main_1280x720_aac_48k_mono.flv");
  auto expected = read_all_tags(bytes);
  REQUIRE(expected.size() > 70);
  const size_t one[] = {1};
  CHECK(read_tags(bytes, one) == expected);
  std::mt19937 rng(42);
  std::vector<size_t> pieces(4000);
  for (auto& p : pieces) p = 1 + rng() % 700;
  CHECK(read_tags(bytes, pieces) == expected);
}

TEST_CASE("TagReader returns a whole tag in one feed as a span into the input") {
  auto bytes = make_flv({{TagType::kVideo, 40, {0x17, 1, 0, 0, 0, 9, 9}}});
  TagReader reader;
  auto r = reader.feed(bytes);
  REQUIRE(r.is_ok());
  REQUIRE(r->event == ReadEvent::kFileHeader);
  auto rest = std::span<const uint8_t>(bytes).subspan(r->consumed);
  r = reader.feed(rest);
  REQUIRE(r.is_ok());
  REQUIRE(r->event == ReadEvent::kTag);
  CHECK(reader.tag().body.data() == rest.data() + 4 + 11);
  CHECK(reader.tag().timestamp == 40);
  CHECK(r->consumed == rest.size() - 4);  // the trailing PreviousTagSize is read with the next tag
}

TEST_CASE("TagReader joins the timestamp extension byte past 2^24 ms") {
  // ffmpeg -output_ts_offset 16776.8: ffprobe's first and last packet pts.
  auto tags = read_all_tags(read_media("aac_44k_mono_ts_past_2e24.flv"));
  REQUIRE(tags.size() == 47);
  CHECK(tags[2].timestamp == 16776777u);
  CHECK(tags.back().timestamp == 16777798u);
  bool below = false, above = false;
  for (size_t i = 2; i < tags.size(); ++i) {
    CHECK(tags[i].timestamp >= tags[i - 1].timestamp);
    below |= tags[i].timestamp < (1u << 24);
    above |= tags[i].timestamp >= (1u << 24);
  }
  CHECK(below);
  CHECK(above);
  auto synthetic = read_all_tags(make_flv({{TagType::kAudio, 0xfe123456u, {0xaf, 1}}}));
  REQUIRE(synthetic.size() == 1);
  CHECK(synthetic[0].timestamp == 0xfe123456u);
}

TEST_CASE("TagReader handles empty bodies, DataOffset padding and header-less runs") {
  auto bytes = make_flv({{TagType::kScript, 0, {}}, {TagType::kAudio, 5, {0x2f}}});
  auto tags = read_all_tags(bytes);
  REQUIRE(tags.size() == 2);
  CHECK(tags[0].body.empty());
  CHECK(tags[1].body == std::vector<uint8_t>{0x2f});

  auto padded = bytes;
  padded[8] = 12;  // DataOffset 12: three bytes to skip before PreviousTagSize0
  padded.insert(padded.begin() + 9, {0xee, 0xee, 0xee});
  CHECK(read_all_tags(padded) == tags);

  // An RTMP aggregate body: tag header, body, back pointer, repeated.
  std::vector<uint8_t> run(bytes.begin() + 13, bytes.end());
  TagReader::Options no_header;
  no_header.file_header = false;
  no_header.strict_previous_size = true;
  Status st;
  const size_t whole[] = {run.size()};
  CHECK(read_tags(run, whole, &st, no_header) == tags);
  CHECK(st.is_ok());
}

TEST_CASE("TagReader rejects malformed streams with clear, sticky errors") {
  auto good = make_flv({{TagType::kVideo, 0, {0x17, 0, 0, 0, 0}}});
  SUBCASE("signature") {
    auto b = good;
    b[0] = 'X';
    CHECK(first_error(b).code() == Errc::kInvalid);
  }
  SUBCASE("version") {
    auto b = good;
    b[3] = 2;
    CHECK(first_error(b).code() == Errc::kUnsupported);
  }
  SUBCASE("DataOffset below 9 or absurd") {
    auto b = good;
    b[8] = 8;
    CHECK(first_error(b).code() == Errc::kInvalid);
    b[8] = 9;
    b[6] = 0x10;  // 1 MB of header
    CHECK(first_error(b).code() == Errc::kInvalid);
  }
  SUBCASE("tag type") {
    auto b = good;
    b[13] = 7;
    Status st = first_error(b);
    CHECK(st.code() == Errc::kInvalid);
    CHECK(std::string(st.what()).find("TagType") != std::string::npos);
  }
  SUBCASE("data size over the limit") {
    TagReader::Options small;
    small.max_data_size = 4;
    CHECK(first_error(good, small).code() == Errc::kTooLarge);
  }
  SUBCASE("PreviousTagSize mismatch: counted, or an error when strict") {
    auto b = make_flv({{TagType::kAudio, 0, {0xaf, 1}}, {TagType::kAudio, 1, {0xaf, 1}}});
    b[13 + 11 + 2 + 3] = 99;  // the first tag's back pointer
    TagReader::Options strict;
    strict.strict_previous_size = true;
    CHECK(first_error(b, strict).code() == Errc::kInvalid);
    CHECK(first_error(b).is_ok());
    TagReader lenient;
    (void)lenient.feed(b);
    while (true) {
      auto r = lenient.feed(std::span<const uint8_t>(b).subspan(lenient.offset()));
      REQUIRE(r.is_ok());
      if (r->event == ReadEvent::kNeedMore) break;
    }
    CHECK(lenient.previous_size_mismatches() == 1);
  }
  SUBCASE("errors are sticky and offset() says where") {
    auto b = good;
    b[13] = 0x1f;
    TagReader reader;
    auto r = reader.feed(b);
    REQUIRE(r.is_ok());
    r = reader.feed(std::span<const uint8_t>(b).subspan(r->consumed));
    CHECK_FALSE(r.is_ok());
    CHECK(reader.offset() == 9 + 4 + 11);
    CHECK_FALSE(reader.feed(b).is_ok());
  }
}
