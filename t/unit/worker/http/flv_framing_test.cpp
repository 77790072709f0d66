// FlvFraming as an HTTP-FLV player receives it: the response head and the
// 13-byte FLV file start once, the start pack as tags at timestamp 0, and
// ring records framed as tags (header and PreviousTagSize in scratch, the
// body from the ring) that proto::flv::TagReader decodes back into the same
// tags, including a record resumed after a partial send.
#include "worker/http/flv_framing.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/flv/tag_reader.hpp"
#include "t/unit/proto/flv/media_file.hpp"
#include "t/unit/worker/ring_fixture.hpp"

using namespace srs;
using srs::proto::flv::TagType;
using srs::test::OwnedTag;
using srs::worker::FlvFraming;
using srs::worker::MediaKind;
using srs::worker::StartPack;

namespace {

const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\n\r\n";

// The bytes frame() points its iovecs at, in order.
std::vector<uint8_t> framed(worker::Framing& f, const shm::RecordView& v, uint32_t ts,
                            size_t* iov_used = nullptr) {
  std::vector<uint8_t> scratch(f.header_space(v.payload_len));
  std::vector<iovec> iov(f.iovec_space(v.payload_len));
  base::Result<size_t> n = f.frame(v, ts, scratch.data(), scratch.size(), iov.data(), iov.size());
  REQUIRE(n.is_ok());
  if (iov_used) *iov_used = *n;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < *n; ++i) {
    const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    out.insert(out.end(), p, p + iov[i].iov_len);
  }
  return out;
}

struct Decoded {
  proto::flv::FileHeader header;
  bool has_header = false;
  std::vector<OwnedTag> tags;
};

// Every tag of `bytes`, PreviousTagSize checked; `file_header`: it starts with one.
Decoded decode(std::span<const uint8_t> bytes, bool file_header) {
  proto::flv::TagReader reader({.file_header = file_header, .strict_previous_size = true});
  Decoded d;
  while (!bytes.empty()) {
    auto r = reader.feed(bytes);
    REQUIRE(r.is_ok());
    bytes = bytes.subspan(r->consumed);
    if (r->event == proto::flv::ReadEvent::kFileHeader) {
      d.header = reader.file_header();
      d.has_header = true;
    }
    if (r->event == proto::flv::ReadEvent::kTag) {
      const auto& t = reader.tag();
      d.tags.push_back({t.type, t.timestamp, {t.body.begin(), t.body.end()}});
    }
  }
  return d;
}

StartPack full_pack() {
  StartPack pack;
  pack.metadata = test::metadata_body(9);
  pack.video = test::avc_sequence_header();
  pack.audio = test::aac_sequence_header();
  pack.metadata_ts = pack.video_ts = pack.audio_ts = 777;
  return pack;
}

}  // namespace

TEST_CASE("flv framing: the head and the FLV file start go out once, the start pack each time") {
  FlvFraming f(kHead);
  StartPack pack = full_pack();
  std::vector<uint8_t> out;
  f.queue_start(pack, out);
  REQUIRE(out.size() > kHead.size() + 13);
  CHECK(std::string(out.begin(), out.begin() + kHead.size()) == kHead);
  const uint8_t file_start[] = {'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0};
  CHECK(std::vector<uint8_t>(out.begin() + kHead.size(), out.begin() + kHead.size() + 13) ==
        std::vector<uint8_t>(std::begin(file_start), std::end(file_start)));
  Decoded d = decode(std::span(out).subspan(kHead.size()), true);
  CHECK(d.has_header);
  REQUIRE(d.tags.size() == 3);
  CHECK(d.tags[0] == OwnedTag{TagType::kScript, 0, pack.metadata});
  CHECK(d.tags[1] == OwnedTag{TagType::kVideo, 0, pack.video});
  CHECK(d.tags[2] == OwnedTag{TagType::kAudio, 0, pack.audio});

  // Again (after a keyframe jump, or a new ring): the tags only.
  std::vector<uint8_t> again;
  f.queue_start(pack, again);
  Decoded d2 = decode(again, false);
  CHECK_FALSE(d2.has_header);
  REQUIRE(d2.tags.size() == 3);
  CHECK(d2.tags == d.tags);
  CHECK(again.size() == out.size() - kHead.size() - 13);
}

TEST_CASE("flv framing: the file start's flags follow the sequence headers known") {
  struct Case {
    bool audio, video;
    uint8_t flags;
  } cases[] = {{true, true, 0x05}, {true, false, 0x04}, {false, true, 0x01}, {false, false, 0x05}};
  for (const Case& c : cases) {
    CAPTURE(c.flags);
    StartPack pack;
    if (c.audio) pack.audio = test::aac_sequence_header();
    if (c.video) pack.video = test::avc_sequence_header();
    FlvFraming f("");
    std::vector<uint8_t> out;
    f.queue_start(pack, out);
    REQUIRE(out.size() >= 13);
    CHECK(out[4] == c.flags);
    CHECK(decode(out, true).tags.size() == size_t(c.audio) + size_t(c.video));
  }
}

TEST_CASE("flv framing: ring records decode into the same tags") {
  test::RingBlock ring;
  auto reader = ring.reader();
  std::vector<uint8_t> big = test::avc_frame(true, 0, 12000);
  test::put(ring.writer, MediaKind::kMetadata, 0, test::metadata_body());
  test::put(ring.writer, MediaKind::kVideo, 10, big);
  test::put(ring.writer, MediaKind::kAudio, 33, test::aac_frame(100));
  test::put(ring.writer, MediaKind::kVideo, 50, test::avc_frame(false));
  test::put(ring.writer, MediaKind::kAudio, 0x01000010, test::aac_frame(7));  // TimestampExtended
  auto views = test::read_all(reader);
  REQUIRE(views.size() == 5);

  FlvFraming f(kHead);
  std::vector<uint8_t> wire;
  f.queue_start(StartPack{}, wire);
  wire.erase(wire.begin(), wire.begin() + kHead.size());
  for (const auto& v : views) {
    size_t iov_used = 0;
    auto bytes = framed(f, v, v.timestamp + 5, &iov_used);
    CHECK(iov_used == 3);
    CHECK(bytes.size() == 11 + v.size + 4);
    wire.insert(wire.end(), bytes.begin(), bytes.end());
  }
  Decoded d = decode(wire, true);
  REQUIRE(d.tags.size() == views.size());
  const TagType types[] = {TagType::kScript, TagType::kVideo, TagType::kAudio, TagType::kVideo,
                           TagType::kAudio};
  for (size_t i = 0; i < views.size(); ++i) {
    CAPTURE(i);
    CHECK(d.tags[i] == OwnedTag{types[i], views[i].timestamp + 5, test::bytes_of(views[i])});
  }
  CHECK(d.tags[1].body == big);
}

TEST_CASE("flv framing: a record partly sent continues without a second tag header") {
  test::RingBlock ring;
  auto reader = ring.reader();
  std::vector<uint8_t> body = test::avc_frame(true, 0, 3000);
  test::put(ring.writer, MediaKind::kVideo, 40, body);
  test::put(ring.writer, MediaKind::kAudio, 60, test::aac_frame(10));

  shm::RecordView views[4];
  shm::ReadResult r = reader.read(views, 4, 1u << 20);
  REQUIRE(r.count == 2);
  FlvFraming f("");
  auto whole = framed(f, views[0], 40);
  REQUIRE(whole.size() == 11 + body.size() + 4);

  // The socket took the tag header and 1000 bytes of the body.
  const uint32_t done = 1000;
  std::vector<uint8_t> wire(whole.begin(), whole.begin() + 11 + done);
  reader.advance_into(views[0], done);
  r = reader.read(views, 4, 1u << 20);
  REQUIRE(r.count == 2);
  REQUIRE(views[0].offset == done);
  size_t iov_used = 0;
  auto rest = framed(f, views[0], 40, &iov_used);
  CHECK(iov_used == 2);  // body remainder, PreviousTagSize
  wire.insert(wire.end(), rest.begin(), rest.end());
  CHECK(wire == whole);
  auto next = framed(f, views[1], 60);
  wire.insert(wire.end(), next.begin(), next.end());

  Decoded d = decode(wire, false);
  REQUIRE(d.tags.size() == 2);
  CHECK(d.tags[0] == OwnedTag{TagType::kVideo, 40, body});
  CHECK(d.tags[1] == OwnedTag{TagType::kAudio, 60, test::aac_frame(10)});
}

TEST_CASE("flv framing: too little scratch or iovec room is an error, not an overflow") {
  test::RingBlock ring;
  auto reader = ring.reader();
  test::put(ring.writer, MediaKind::kAudio, 0, test::aac_frame(10));
  auto views = test::read_all(reader);
  REQUIRE(views.size() == 1);
  FlvFraming f("");
  uint8_t scratch[15];
  iovec iov[3];
  CHECK_FALSE(f.frame(views[0], 0, scratch, 14, iov, 3).is_ok());
  CHECK_FALSE(f.frame(views[0], 0, scratch, 15, iov, 2).is_ok());
  CHECK(f.frame(views[0], 0, scratch, 15, iov, 3).is_ok());
}
