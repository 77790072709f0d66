// ChunkReader on hand-built chunk streams (RTMP 1.0 sections 5.3, 5.4): each
// header form, the extended-timestamp repeats, control messages, bounds,
// acknowledgement accounting, and that any split of the bytes gives the same
// messages.
#include "proto/rtmp/chunk_reader.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "base/bytes.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

using namespace srs::proto::rtmp;
using srs::proto::rtmp::test::read_all;
using srs::proto::rtmp::test::read_split;
using srs::proto::rtmp::test::ReadAll;
using Bytes = std::vector<uint8_t>;

namespace {

void put(Bytes& b, std::initializer_list<int> v) {
  for (int x : v) b.push_back(static_cast<uint8_t>(x));
}
void put24(Bytes& b, uint32_t v) {
  put(b, {int(v >> 16 & 255), int(v >> 8 & 255), int(v & 255)});
}
void put32(Bytes& b, uint32_t v) {
  put(b, {int(v >> 24), int(v >> 16 & 255), int(v >> 8 & 255), int(v & 255)});
}
void fill(Bytes& b, size_t n, uint8_t seed) {
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(seed + i));
}
// A one-byte-csid fmt-0 header.
void fmt0(Bytes& b, int csid, uint32_t ts, uint32_t len, int type, uint32_t msid) {
  put(b, {csid});
  put24(b, ts >= 0xFFFFFF ? 0xFFFFFF : ts);
  put24(b, len);
  put(b, {type, int(msid & 255), int(msid >> 8 & 255), int(msid >> 16 & 255), int(msid >> 24)});
  if (ts >= 0xFFFFFF) put32(b, ts);
}
Bytes payload(size_t n, uint8_t seed) {
  Bytes p;
  fill(p, n, seed);
  return p;
}

// Every split into two pieces, and one byte at a time, give `expect`.
void check_all_splits(const Bytes& stream, const ReadAll& expect,
                      const ChunkReaderLimits& lim = {}) {
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    ChunkReader r(lim);
    ReadAll got = read_split(r, stream, {cut});
    CAPTURE(cut);
    REQUIRE(got.error == expect.error);
    REQUIRE(got.messages == expect.messages);
  }
  ChunkReader r(lim);
  ReadAll bytewise = read_all(r, stream, 1);
  CHECK(bytewise.messages == expect.messages);
}

}  // namespace

TEST_CASE(
    "a fmt-0 chunk gives one message with an absolute timestamp and a little-endian stream id") {
  Bytes s;
  put(s, {0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x05, 0x14, 0x01, 0x00, 0x00, 0x00});
  put(s, {'h', 'e', 'l', 'l', 'o'});
  ChunkReader r;
  ReadAll got = read_all(r, s);
  REQUIRE(got.messages.size() == 1);
  const auto& m = got.messages[0];
  CHECK(m.csid == 3);
  CHECK(m.header == MessageHeader{0x102, 5, kTypeCommandAmf0, 1});
  CHECK(m.payload == Bytes{'h', 'e', 'l', 'l', 'o'});
}

TEST_CASE("messages longer than the chunk size continue in fmt-3 chunks") {
  Bytes s;
  Bytes p = payload(300, 1);
  fmt0(s, 6, 40, 300, kTypeVideo, 1);
  s.insert(s.end(), p.begin(), p.begin() + 128);
  put(s, {0xC6});
  s.insert(s.end(), p.begin() + 128, p.begin() + 256);
  put(s, {0xC6});
  s.insert(s.end(), p.begin() + 256, p.end());
  ReadAll expect;
  expect.messages.push_back({{40, 300, kTypeVideo, 1}, 6, p});
  ChunkReader r;
  CHECK(read_all(r, s).messages == expect.messages);
  check_all_splits(s, expect);
}

TEST_CASE("a message whole in one chunk is handed out where it lies, any other is reassembled") {
  Bytes s;
  fmt0(s, 6, 40, 100, kTypeVideo, 1);  // one chunk (100 <= 128)
  const size_t first_at = s.size();
  fill(s, 100, 7);
  fmt0(s, 4, 40, 300, kTypeAudio, 1);  // three chunks
  fill(s, 128, 9);
  put(s, {0xC4});
  fill(s, 128, 9 + 128);
  put(s, {0xC4});
  fill(s, 44, 9);
  ChunkReader r;
  size_t used = 0;
  REQUIRE(r.feed(s.data(), s.size(), &used) == ReadResult::kMessage);
  CHECK(r.message().payload.data() == s.data() + first_at);  // no copy
  CHECK(r.message().payload.size() == 100);
  const size_t rest = used;
  REQUIRE(r.feed(s.data() + rest, s.size() - rest, &used) == ReadResult::kMessage);
  const uint8_t* p = r.message().payload.data();
  CHECK((p < s.data() || p >= s.data() + s.size()));  // the reader's own buffer
  CHECK(r.message().payload.size() == 300);

  SUBCASE("a one-chunk message split across reads is copied, and reads the same") {
    ChunkReader split;
    ReadAll got = read_split(split, s, {first_at + 50});
    REQUIRE(got.messages.size() == 2);
    CHECK(got.messages[0].payload == payload(100, 7));
  }
}

TEST_CASE("fmt 1, 2 and 3 headers reuse the previous header and add deltas (5.3.1.2)") {
  Bytes s;
  fmt0(s, 4, 1000, 2, kTypeAudio, 1);
  put(s, {0xA0, 0xA1});
  put(s, {0x84});  // fmt 2, delta 20
  put24(s, 20);
  put(s, {0xB0, 0xB1});
  put(s, {0xC4});  // fmt 3: same delta again
  put(s, {0xC0, 0xC1});
  put(s, {0x44});  // fmt 1: delta 10, new length and type
  put24(s, 10);
  put24(s, 3);
  put(s, {kTypeVideo});
  put(s, {0xD0, 0xD1, 0xD2});
  ReadAll expect;
  expect.messages = {{{1000, 2, kTypeAudio, 1}, 4, {0xA0, 0xA1}},
                     {{1020, 2, kTypeAudio, 1}, 4, {0xB0, 0xB1}},
                     {{1040, 2, kTypeAudio, 1}, 4, {0xC0, 0xC1}},
                     {{1050, 3, kTypeVideo, 1}, 4, {0xD0, 0xD1, 0xD2}}};
  check_all_splits(s, expect);
}

TEST_CASE(
    "a fmt-3 message right after fmt 0 repeats the fmt-0 timestamp as its delta (5.3.1.2.4)") {
  Bytes s;
  fmt0(s, 4, 40, 1, kTypeAudio, 1);
  put(s, {1, 0xC4, 2});
  ChunkReader r;
  ReadAll got = read_all(r, s);
  REQUIRE(got.messages.size() == 2);
  CHECK(got.messages[1].header.timestamp == 80);
}

TEST_CASE("all three basic header forms: csid 2..63, 64..319 and 64..65599 (5.3.1.1)") {
  struct Case {
    uint32_t csid;
    Bytes basic;
  };
  for (const Case& c :
       {Case{2, {0x02}}, Case{63, {0x3F}}, Case{64, {0x00, 0x00}}, Case{319, {0x00, 0xFF}},
        Case{320, {0x01, 0x00, 0x01}}, Case{65599, {0x01, 0xFF, 0xFF}}}) {
    CAPTURE(c.csid);
    Bytes s = c.basic;
    put24(s, 7);
    put24(s, 1);
    put(s, {kTypeDataAmf0, 0, 0, 0, 0, 0x55});
    ChunkReader r;
    ReadAll got = read_all(r, s, 1);
    REQUIRE(got.messages.size() == 1);
    CHECK(got.messages[0].csid == c.csid);
    CHECK(got.messages[0].header.timestamp == 7);
  }
}

TEST_CASE("interleaved chunk streams reassemble independently") {
  Bytes s;
  Bytes a = payload(200, 10), v = payload(150, 90);
  fmt0(s, 6, 0, 150, kTypeVideo, 1);
  s.insert(s.end(), v.begin(), v.begin() + 128);
  fmt0(s, 4, 5, 200, kTypeAudio, 1);
  s.insert(s.end(), a.begin(), a.begin() + 128);
  put(s, {0xC6});
  s.insert(s.end(), v.begin() + 128, v.end());
  put(s, {0xC4});
  s.insert(s.end(), a.begin() + 128, a.end());
  ReadAll expect;
  expect.messages = {{{0, 150, kTypeVideo, 1}, 6, v}, {{5, 200, kTypeAudio, 1}, 4, a}};
  check_all_splits(s, expect);
}

TEST_CASE("extended timestamps, repeated on fmt-3 continuations or not (librtmp), read the same") {
  Bytes p = payload(130, 3);
  for (bool repeat : {true, false}) {
    CAPTURE(repeat);
    Bytes s;
    fmt0(s, 6, 0x01000000, 130, kTypeVideo, 1);
    s.insert(s.end(), p.begin(), p.begin() + 128);
    put(s, {0xC6});
    if (repeat) put32(s, 0x01000000);
    s.insert(s.end(), p.begin() + 128, p.end());
    // A second message on another csid right behind the 2-byte tail, so a
    // wrong peek would swallow its header.
    fmt0(s, 4, 0x01000005, 1, kTypeAudio, 1);
    put(s, {0x77});
    ReadAll expect;
    expect.messages = {{{0x01000000, 130, kTypeVideo, 1}, 6, p},
                       {{0x01000005, 1, kTypeAudio, 1}, 4, {0x77}}};
    check_all_splits(s, expect);
  }
}

TEST_CASE("an extended delta on fmt 2 is carried again by the fmt-3 message that repeats it") {
  Bytes s;
  fmt0(s, 4, 0, 1, kTypeAudio, 1);
  put(s, {1});
  put(s, {0x84, 0xFF, 0xFF, 0xFF});
  put32(s, 0x01000000);
  put(s, {2});
  put(s, {0xC4});
  put32(s, 0x01000000);
  put(s, {3});
  ChunkReader r;
  ReadAll got = read_all(r, s);
  REQUIRE(got.messages.size() == 3);
  CHECK(got.messages[1].header.timestamp == 0x01000000);
  CHECK(got.messages[2].header.timestamp == 0x02000000);
  CHECK(got.messages[2].payload == Bytes{3});
}

TEST_CASE("timestamps wrap at 2^32 through deltas") {
  Bytes s;
  fmt0(s, 4, 0xFFFFFFF0, 1, kTypeAudio, 1);
  put(s, {1});
  put(s, {0x84});
  put24(s, 0x20);
  put(s, {2});
  ChunkReader r;
  ReadAll got = read_all(r, s);
  REQUIRE(got.messages.size() == 2);
  CHECK(got.messages[0].header.timestamp == 0xFFFFFFF0);
  CHECK(got.messages[1].header.timestamp == 0x10);
}

TEST_CASE("zero-length messages are delivered") {
  Bytes s;
  fmt0(s, 5, 9, 0, kTypeDataAmf0, 1);
  fmt0(s, 5, 10, 1, kTypeDataAmf0, 1);
  put(s, {0x42});
  ReadAll expect;
  expect.messages = {{{9, 0, kTypeDataAmf0, 1}, 5, {}}, {{10, 1, kTypeDataAmf0, 1}, 5, {0x42}}};
  check_all_splits(s, expect);
}

TEST_CASE(
    "Set Chunk Size from the peer changes how the following chunks are cut, and is surfaced") {
  Bytes s;
  fmt0(s, 2, 0, 4, kTypeSetChunkSize, 0);
  put32(s, 4096);
  Bytes p = payload(3000, 7);
  fmt0(s, 6, 0, 3000, kTypeVideo, 1);
  s.insert(s.end(), p.begin(), p.end());
  ReadAll expect;
  expect.messages = {{{0, 4, kTypeSetChunkSize, 0}, 2, {0, 0, 0x10, 0}},
                     {{0, 3000, kTypeVideo, 1}, 6, p}};
  check_all_splits(s, expect);
  ChunkReader r;
  (void)read_all(r, s);
  CHECK(r.chunk_size() == 4096);
}

TEST_CASE("Abort drops the partial message of its csid (5.4.2)") {
  Bytes s;
  fmt0(s, 6, 0, 200, kTypeVideo, 1);
  fill(s, 128, 0);
  fmt0(s, 2, 0, 4, kTypeAbort, 0);
  put32(s, 6);
  fmt0(s, 6, 40, 2, kTypeVideo, 1);  // a fresh message is allowed again
  put(s, {9, 9});
  ChunkReader r;
  ReadAll got = read_all(r, s, 5);
  REQUIRE_FALSE(got.error);
  REQUIRE(got.messages.size() == 2);
  CHECK(got.messages[0].header.type_id == kTypeAbort);
  CHECK(got.messages[1].header == MessageHeader{40, 2, kTypeVideo, 1});
}

TEST_CASE(
    "bounds give clear errors: chunk size 0, above the maximum, oversized messages, too many "
    "csids") {
  {
    Bytes s;
    fmt0(s, 2, 0, 4, kTypeSetChunkSize, 0);
    put32(s, 0);
    ChunkReader r;
    ReadAll got = read_all(r, s);
    REQUIRE(got.error);
    CHECK(std::string(got.status.what()).find("chunk size 0") != std::string::npos);
  }
  {
    Bytes s;
    fmt0(s, 2, 0, 4, kTypeSetChunkSize, 0);
    put32(s, 0x7FFFFFFF);
    ChunkReader r;
    ReadAll got = read_all(r, s);
    REQUIRE(got.error);
    CHECK(got.status.code() == srs::base::Errc::kTooLarge);
  }
  {
    ChunkReaderLimits lim;
    lim.max_message_size = 1000;
    Bytes s;
    fmt0(s, 6, 0, 1001, kTypeVideo, 1);
    ChunkReader r(lim);
    ReadAll got = read_all(r, s);
    REQUIRE(got.error);
    CHECK(std::string(got.status.what()).find("larger than the configured maximum") !=
          std::string::npos);
  }
  {
    ChunkReaderLimits lim;
    lim.max_chunk_streams = 4;
    Bytes s;
    for (int csid = 3; csid < 8; ++csid) {
      fmt0(s, csid, 0, 1, kTypeAudio, 1);
      put(s, {1});
    }
    ChunkReader r(lim);
    ReadAll got = read_all(r, s);
    REQUIRE(got.error);
    CHECK(got.messages.size() == 4);
    CHECK(std::string(got.status.what()).find("more chunk streams") != std::string::npos);
    CHECK(r.current_csid() == 7);
  }
  {
    ChunkReaderLimits lim;
    lim.max_buffered_bytes = 1000;
    Bytes s;
    fmt0(s, 6, 0, 600, kTypeVideo, 1);
    fill(s, 128, 0);
    fmt0(s, 4, 0, 600, kTypeAudio, 1);
    fill(s, 1, 0);  // its buffer is taken at its first payload byte
    ChunkReader r(lim);
    ReadAll got = read_all(r, s);
    REQUIRE(got.error);
    CHECK(std::string(got.status.what()).find("per-connection bound") != std::string::npos);
  }
}

TEST_CASE("idle buffers are given back before the per-connection memory bound refuses") {
  ChunkReaderLimits lim;
  lim.max_buffered_bytes = 1000;
  lim.max_chunk_size = 1000;
  Bytes s;
  fmt0(s, 2, 0, 4, kTypeSetChunkSize, 0);
  put32(s, 1000);
  fmt0(s, 6, 0, 600, kTypeVideo, 1);
  fill(s, 600, 0);
  fmt0(s, 4, 0, 600, kTypeAudio, 1);
  fill(s, 600, 0);
  ChunkReader r(lim);
  ReadAll got = read_all(r, s);
  CHECK_FALSE(got.error);
  CHECK(got.messages.size() == 3);
}

TEST_CASE("malformed chunk streams are errors, not crashes") {
  SUBCASE("fmt 1 on a fresh csid other than 2") {
    Bytes s = {0x46};
    put24(s, 0);
    put24(s, 1);
    put(s, {8, 1});
    ChunkReader r;
    CHECK(read_all(r, s).error);
  }
  SUBCASE("fmt 3 on a fresh csid") {
    Bytes s = {0xC5, 1, 2, 3};
    ChunkReader r;
    CHECK(read_all(r, s).error);
  }
  SUBCASE("a new header in the middle of a message") {
    Bytes s;
    fmt0(s, 6, 0, 200, kTypeVideo, 1);
    fill(s, 128, 0);
    fmt0(s, 6, 0, 200, kTypeVideo, 1);
    ChunkReader r;
    ReadAll got = read_all(r, s);
    CHECK(got.error);
    size_t used = 1;
    const uint8_t more[] = {1};
    CHECK(r.feed(more, 1, &used) == ReadResult::kError);
    CHECK(used == 0);
  }
  SUBCASE("Set Chunk Size with the top bit set") {
    Bytes s;
    fmt0(s, 2, 0, 4, kTypeSetChunkSize, 0);
    put32(s, 0x80001000);
    ChunkReader r;
    CHECK(read_all(r, s).error);
  }
}

TEST_CASE("librtmp's fmt-1 first chunk on csid 2 is accepted") {
  Bytes s = {0x42};
  put24(s, 0);
  put24(s, 4);
  put(s, {kTypeWindowAckSize});
  put32(s, 2500000);
  ChunkReader r;
  ReadAll got = read_all(r, s);
  REQUIRE_FALSE(got.error);
  REQUIRE(got.messages.size() == 1);
  CHECK(got.messages[0].header == MessageHeader{0, 4, kTypeWindowAckSize, 0});
  CHECK(r.peer_window() == 2500000);
}

TEST_CASE("acknowledgements fall due per window of the peer, across the 2^32 wrap (5.4.3)") {
  Bytes s;
  fmt0(s, 2, 0, 4, kTypeWindowAckSize, 0);
  put32(s, 1000);
  Bytes media;
  fmt0(media, 6, 0, 100, kTypeVideo, 1);
  fill(media, 100, 0);  // 112 bytes per message
  ChunkReader r;
  r.set_bytes_received(0xFFFFFF00);
  CHECK_FALSE(r.ack_due());
  REQUIRE(read_all(r, s).messages.size() == 1);
  CHECK(r.peer_window() == 1000);
  uint32_t acks = 0;
  uint32_t last = 0;
  for (int i = 0; i < 100; ++i) {
    REQUIRE(read_all(r, media).messages.size() == 1);
    if (r.ack_due()) {
      last = r.take_ack();
      ++acks;
      CHECK_FALSE(r.ack_due());
    }
  }
  // 16 + 100 * 112 bytes after 0xFFFFFF00: the count wrapped past zero.
  CHECK(r.bytes_received() == static_cast<uint32_t>(0xFFFFFF00u + 16 + 11200));
  CHECK(r.bytes_received() < 0x3000);
  CHECK(acks == 11);  // one per 1000 bytes, checked after each 112-byte message
  CHECK(last == static_cast<uint32_t>(0xFFFFFF00u + 16 + 112 * 99));
}
