// RtmpFraming as a player receives it: ring records framed into RTMP chunks
// (headers in scratch, payload iovecs into the ring) decode with
// proto::rtmp::ChunkReader into the same messages; the start pack goes out
// at timestamp 0; reset() makes the next message self-contained; the end of
// the stream is onStatus UnpublishNotify then Stop.
#include "worker/rtmp/rtmp_framing.hpp"

#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

#include "proto/rtmp/chunk_reader.hpp"
#include "proto/rtmp/command.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"
#include "t/unit/worker/ring_fixture.hpp"

using namespace srs;
using srs::proto::rtmp::ChunkReader;
using srs::proto::rtmp::ChunkWriter;
using srs::proto::rtmp::test::Received;
using srs::worker::MediaKind;
using srs::worker::RtmpFraming;
using srs::worker::StartPack;

namespace rtmp = srs::proto::rtmp;

namespace {

constexpr uint32_t kStreamId = 1;

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

std::vector<Received> decode(const std::vector<uint8_t>& bytes) {
  ChunkReader reader;
  auto all = rtmp::test::read_all(reader, bytes);
  REQUIRE_FALSE(all.error);
  return all.messages;
}

}  // namespace

TEST_CASE("rtmp framing: ring records decode into the same messages, csid by kind") {
  test::RingBlock ring;
  auto reader = ring.reader();
  std::vector<uint8_t> big = test::avc_frame(true, 0, 1000);  // 8 chunks of 128
  test::put(ring.writer, MediaKind::kMetadata, 0, test::metadata_body());
  test::put(ring.writer, MediaKind::kVideo, 0, test::avc_sequence_header());
  test::put(ring.writer, MediaKind::kAudio, 0, test::aac_sequence_header());
  test::put(ring.writer, MediaKind::kVideo, 40, big);
  test::put(ring.writer, MediaKind::kAudio, 46, test::aac_frame(20));
  test::put(ring.writer, MediaKind::kVideo, 80, test::avc_frame(false, 40, 300));
  test::put(ring.writer, MediaKind::kAudio, 0x01000000, test::aac_frame(30));  // extended ts
  auto views = test::read_all(reader);
  REQUIRE(views.size() == 7);

  ChunkWriter writer;
  RtmpFraming f(writer, kStreamId, "cid00001");
  std::vector<uint8_t> wire;
  for (const auto& v : views) {
    auto bytes = framed(f, v, v.timestamp + 1000);  // the player's corrected timestamp
    wire.insert(wire.end(), bytes.begin(), bytes.end());
  }
  auto got = decode(wire);
  REQUIRE(got.size() == views.size());
  const uint8_t types[] = {rtmp::kTypeDataAmf0, rtmp::kTypeVideo, rtmp::kTypeAudio,
                           rtmp::kTypeVideo,    rtmp::kTypeAudio, rtmp::kTypeVideo,
                           rtmp::kTypeAudio};
  for (size_t i = 0; i < views.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].header.type_id == types[i]);
    CHECK(got[i].header.timestamp == views[i].timestamp + 1000);
    CHECK(got[i].header.stream_id == kStreamId);
    CHECK(got[i].header.length == views[i].payload_len);
    CHECK(got[i].payload == test::bytes_of(views[i]));
    uint32_t csid = types[i] == rtmp::kTypeAudio   ? rtmp::kCsidAudio
                    : types[i] == rtmp::kTypeVideo ? rtmp::kCsidVideo
                                                   : rtmp::kCsidOverStream2;
    CHECK(got[i].csid == csid);
  }
  CHECK(got[3].payload == big);
}

TEST_CASE("rtmp framing: a record bigger than the chunk size is split into chunks") {
  test::RingBlock ring;
  auto reader = ring.reader();
  std::vector<uint8_t> big = test::avc_frame(true, 0, 5000);
  test::put(ring.writer, MediaKind::kVideo, 1234, big);
  auto views = test::read_all(reader);
  REQUIRE(views.size() == 1);

  for (uint32_t chunk : {128u, 4096u, 60000u}) {
    CAPTURE(chunk);
    ChunkWriter writer;
    std::vector<uint8_t> wire;
    REQUIRE(writer.append_control(rtmp::make_set_chunk_size(chunk), &wire).is_ok());
    writer.set_chunk_size(chunk);
    RtmpFraming f(writer, kStreamId, "cid");
    size_t iov_used = 0;
    auto bytes = framed(f, views[0], 1234, &iov_used);
    size_t chunks = (big.size() + chunk - 1) / chunk;
    CHECK(iov_used == 2 * chunks);  // a header and a payload piece per chunk
    CHECK(bytes.size() > big.size());
    wire.insert(wire.end(), bytes.begin(), bytes.end());
    auto got = decode(wire);
    REQUIRE(got.size() == 2);  // Set Chunk Size, then the video
    CHECK(got[1].header.type_id == rtmp::kTypeVideo);
    CHECK(got[1].header.timestamp == 1234);
    CHECK(got[1].payload == big);
  }
}

TEST_CASE("rtmp framing: the start pack is metadata, video and audio headers at timestamp 0") {
  ChunkWriter writer;
  RtmpFraming f(writer, kStreamId, "cid");
  StartPack pack;
  pack.metadata = test::metadata_body(3);
  pack.video = test::avc_sequence_header();
  pack.audio = test::aac_sequence_header();
  pack.metadata_ts = 500, pack.video_ts = 600, pack.audio_ts = 700;
  std::vector<uint8_t> out;
  f.queue_start(pack, out);
  auto got = decode(out);
  REQUIRE(got.size() == 3);
  CHECK(got[0].header.type_id == rtmp::kTypeDataAmf0);
  CHECK(got[0].payload == pack.metadata);
  CHECK(got[1].header.type_id == rtmp::kTypeVideo);
  CHECK(got[1].payload == pack.video);
  CHECK(got[2].header.type_id == rtmp::kTypeAudio);
  CHECK(got[2].payload == pack.audio);
  for (const auto& m : got) {
    CHECK(m.header.timestamp == 0);
    CHECK(m.header.stream_id == kStreamId);
  }

  // Nothing to send for an absent value (an audio-only stream).
  StartPack audio_only;
  audio_only.audio = test::aac_sequence_header();
  ChunkWriter w2;
  RtmpFraming f2(w2, kStreamId, "cid");
  out.clear();
  f2.queue_start(audio_only, out);
  got = decode(out);
  REQUIRE(got.size() == 1);
  CHECK(got[0].header.type_id == rtmp::kTypeAudio);
}

TEST_CASE("rtmp framing: after reset() the next message stands on its own (fmt 0)") {
  test::RingBlock ring;
  auto reader = ring.reader();
  test::put(ring.writer, MediaKind::kVideo, 0, test::avc_frame(true));
  test::put(ring.writer, MediaKind::kVideo, 40, test::avc_frame(false));
  test::put(ring.writer, MediaKind::kVideo, 80, test::avc_frame(false));
  auto views = test::read_all(reader);
  REQUIRE(views.size() == 3);

  ChunkWriter writer;
  RtmpFraming f(writer, kStreamId, "cid");
  (void)framed(f, views[0], 0);
  auto second = framed(f, views[1], 40);
  CHECK((second[0] >> 6) != 0);  // compressed against the first message
  f.reset();                     // the second was never sent (a skip)
  auto third = framed(f, views[2], 80);
  CHECK((third[0] >> 6) == 0);
  auto got = decode(third);  // a reader that never saw the others
  REQUIRE(got.size() == 1);
  CHECK(got[0].header.timestamp == 80);
  CHECK(got[0].header.type_id == rtmp::kTypeVideo);
  CHECK(got[0].payload == test::bytes_of(views[2]));
}

TEST_CASE("rtmp framing: the end of the stream is onStatus UnpublishNotify, then Play.Stop") {
  ChunkWriter writer;
  RtmpFraming f(writer, kStreamId, "cid00042");
  std::vector<uint8_t> out;
  f.queue_end(out);
  auto got = decode(out);
  REQUIRE(got.size() == 2);
  const char* codes[] = {"NetStream.Play.UnpublishNotify", "NetStream.Play.Stop"};
  for (size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(got[i].header.type_id == rtmp::kTypeCommandAmf0);
    CHECK(got[i].header.stream_id == kStreamId);
    CHECK(got[i].csid == rtmp::kCsidOverStream);
    auto cmd = rtmp::decode_command(got[i].payload.data(), got[i].payload.size(), false);
    REQUIRE(cmd.is_ok());
    const auto* status = std::get_if<rtmp::OnStatusCommand>(&*cmd);
    REQUIRE(status != nullptr);
    CHECK(status->code() == codes[i]);
    CHECK(status->level() == "status");
    CHECK(status->info.get_string("clientid") == "cid00042");
  }
}
