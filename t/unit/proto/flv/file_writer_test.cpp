// FileWriter: what a DVR file holds, read back with TagReader.
#include "proto/flv/file_writer.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "proto/flv/tag_reader.hpp"

using srs::proto::flv::FileWriter;
using srs::proto::flv::ReadEvent;
using srs::proto::flv::TagReader;
using srs::proto::flv::TagType;

namespace {

using Body = std::vector<uint8_t>;
const Body kAvcHeader{0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f};  // AVC, sequence header
const Body kKeyframe{0x17, 0x01, 0, 0, 0, 0xaa};                     // AVC NALU, key
const Body kInter{0x27, 0x01, 0, 0, 0, 0xbb};                        // AVC NALU, inter
const Body kAacHeader{0xaf, 0x00, 0x12, 0x10};                       // AAC, AudioSpecificConfig
const Body kAac{0xaf, 0x01, 0x21};                                   // AAC raw
const Body kMeta{0x02, 0x00, 0x0a, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'};

struct Seen {
  TagType type;
  uint32_t ts;
  Body body;
};

// Every tag of one complete FLV file; fails the test on a malformed one.
std::vector<Seen> read_file(const std::vector<uint8_t>& bytes, bool* header_ok) {
  TagReader reader(TagReader::Options{8u << 20, true, true});
  std::vector<Seen> tags;
  std::span<const uint8_t> in(bytes);
  *header_ok = false;
  while (!in.empty()) {
    auto r = reader.feed(in);
    REQUIRE(r.is_ok());
    in = in.subspan(r->consumed);
    if (r->event == ReadEvent::kFileHeader) *header_ok = reader.file_header().has_video;
    if (r->event == ReadEvent::kTag) {
      const auto& t = reader.tag();
      tags.push_back({t.type, t.timestamp, Body(t.body.begin(), t.body.end())});
    }
    if (r->event == ReadEvent::kNeedMore) break;
  }
  return tags;
}

}  // namespace

TEST_CASE("a file starts at the first keyframe, with metadata and sequence headers at 0") {
  std::vector<uint8_t> out;
  FileWriter w(&out);
  w.on_metadata(1000, kMeta);
  w.on_video(1000, kAvcHeader);
  w.on_audio(1000, kAacHeader);
  w.on_audio(1010, kAac);    // before the keyframe: dropped
  w.on_video(1020, kInter);  // before the keyframe: dropped
  CHECK(out.empty());
  CHECK_FALSE(w.started());
  w.on_video(1040, kKeyframe);
  w.on_audio(1050, kAac);
  w.on_video(1080, kInter);
  bool header_ok = false;
  std::vector<Seen> tags = read_file(out, &header_ok);
  CHECK(header_ok);
  REQUIRE(tags.size() == 6);
  CHECK((tags[0].type == TagType::kScript && tags[0].ts == 0 && tags[0].body == kMeta));
  CHECK((tags[1].type == TagType::kVideo && tags[1].ts == 0 && tags[1].body == kAvcHeader));
  CHECK((tags[2].type == TagType::kAudio && tags[2].ts == 0 && tags[2].body == kAacHeader));
  CHECK((tags[3].body == kKeyframe && tags[3].ts == 0));
  CHECK((tags[4].body == kAac && tags[4].ts == 10));
  CHECK((tags[5].body == kInter && tags[5].ts == 40));
  CHECK(w.duration_ms() == 40);
  CHECK(w.file_bytes() == out.size());
}

TEST_CASE("each file of a segmented recording repeats the headers and restarts at 0") {
  std::vector<uint8_t> out;
  FileWriter w(&out);
  w.on_metadata(0, kMeta);
  w.on_video(0, kAvcHeader);
  w.on_audio(0, kAacHeader);
  w.on_video(0, kKeyframe);
  w.on_video(2000, kInter);
  CHECK(w.rebase(4000) == 4000);
  CHECK(w.rebase(0) == 0);
  out.clear();  // the first file was written out
  w.begin_file();
  CHECK(FileWriter::is_keyframe(kKeyframe));
  CHECK_FALSE(FileWriter::is_keyframe(kInter));
  CHECK_FALSE(FileWriter::is_keyframe(kAvcHeader));
  w.on_video(4000, kKeyframe);
  w.on_audio(3990, kAac);  // a little before the cut: clamped to 0
  w.on_audio(4030, kAac);
  bool header_ok = false;
  std::vector<Seen> tags = read_file(out, &header_ok);
  CHECK(header_ok);
  REQUIRE(tags.size() == 6);
  CHECK(tags[0].body == kMeta);
  CHECK(tags[1].body == kAvcHeader);
  CHECK(tags[2].body == kAacHeader);
  CHECK((tags[3].body == kKeyframe && tags[3].ts == 0));
  CHECK(tags[4].ts == 0);
  CHECK(tags[5].ts == 30);
}

TEST_CASE("an audio-only stream starts at its first frame") {
  std::vector<uint8_t> out;
  FileWriter w(&out);
  w.on_audio(500, kAacHeader);
  w.on_audio(520, kAac);
  REQUIRE(out.size() > 13);
  CHECK(out[4] == 0x04);  // E.2 TypeFlagsAudio only
  bool header_ok = false;
  std::vector<Seen> tags = read_file(out, &header_ok);
  REQUIRE(tags.size() == 2);
  CHECK(tags[0].body == kAacHeader);
  CHECK(tags[1].ts == 0);
}

TEST_CASE("the metadata's duration number is located in each file, for the closing patch") {
  // onMetaData, ECMA array of 1: "duration" = 6.0 (AMF0 2.2, 2.10).
  const Body meta{0x02, 0x00, 0x0a, 'o', 'n',  'M',  'e', 't', 'a', 'D',  'a',  't', 'a', 0x08,
                  0,    0,    0,    1,   0x00, 0x08, 'd', 'u', 'r', 'a',  't',  'i', 'o', 'n',
                  0x00, 0x40, 0x18, 0,   0,    0,    0,   0,   0,   0x00, 0x00, 0x09};
  std::vector<uint8_t> out;
  FileWriter w(&out);
  w.on_metadata(0, meta);
  w.on_video(0, kKeyframe);
  REQUIRE(w.duration_field_offset() != 0);
  REQUIRE(w.duration_field_offset() + 8 <= out.size());
  CHECK(out[w.duration_field_offset()] == 0x40);
  CHECK(out[w.duration_field_offset() + 1] == 0x18);
  CHECK(w.duration_field_offset() == 13 + 11 + 29);
  out.clear();
  w.begin_file();
  CHECK(w.duration_field_offset() == 0);
  w.on_video(100, kKeyframe);
  CHECK(w.duration_field_offset() == 13 + 11 + 29);
  FileWriter plain(&out);
  plain.on_metadata(0, kMeta);
  plain.on_video(0, kKeyframe);
  CHECK(plain.duration_field_offset() == 0);
}
