// HandshakeServer and HandshakeClient against each other, byte by byte, and
// against real ffmpeg, rtmpdump and nginx-rtmp handshakes captured in
// t/data/captures/ (see chunk_capture.py there).
#include "proto/rtmp/handshake.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

using namespace srs::proto::rtmp;

namespace {

std::vector<uint8_t> random_bytes(uint8_t seed) {
  std::vector<uint8_t> r(kHandshakeSize);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : r) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return r;
}

struct Session {
  HandshakeServer server{random_bytes(1), 1000};
  HandshakeClient client;
  std::vector<uint8_t> leftover;  // chunk bytes the server saw after C2
  explicit Session(DigestSchema schema) : client(random_bytes(2), 2000, schema) {}
};

// Runs a full handshake, delivering every transfer in pieces of `piece` bytes.
void run(Session& s, size_t piece, const std::vector<uint8_t>& after_c2 = {}) {
  auto c0c1 = s.client.output();
  std::vector<uint8_t> to_server(c0c1.begin(), c0c1.end());
  std::vector<uint8_t> s012;
  size_t pos = 0;
  while (pos < to_server.size()) {
    size_t used = 0;
    size_t n = std::min(piece, to_server.size() - pos);
    HandshakeResult r = s.server.feed(to_server.data() + pos, n, &used);
    pos += used;
    REQUIRE(r != HandshakeResult::kError);
    if (r == HandshakeResult::kSendReady) {
      s012.assign(s.server.output().begin(), s.server.output().end());
    }
  }
  REQUIRE(s012.size() == 1 + 2 * kHandshakeSize);
  std::vector<uint8_t> c2;
  for (pos = 0; pos < s012.size();) {
    size_t used = 0;
    HandshakeResult r = s.client.feed(s012.data() + pos, std::min(piece, s012.size() - pos), &used);
    pos += used;
    REQUIRE(r != HandshakeResult::kError);
    if (r == HandshakeResult::kDone) c2.assign(s.client.output().begin(), s.client.output().end());
  }
  REQUIRE(c2.size() == kHandshakeSize);
  c2.insert(c2.end(), after_c2.begin(), after_c2.end());
  for (pos = 0; pos < c2.size();) {
    size_t used = 0;
    HandshakeResult r = s.server.feed(c2.data() + pos, std::min(piece, c2.size() - pos), &used);
    pos += used;
    if (r == HandshakeResult::kDone) {
      s.leftover.assign(c2.begin() + pos, c2.end());
      return;
    }
    REQUIRE(r == HandshakeResult::kNeedMore);
  }
  FAIL("server never finished");
}

}  // namespace

TEST_CASE("client and server complete a complex handshake in both schemas, any split") {
  for (DigestSchema schema : {DigestSchema::kBase8, DigestSchema::kBase772}) {
    for (size_t piece : {size_t{1}, size_t{7}, size_t{1536}, size_t{1537}, size_t{100000}}) {
      CAPTURE(digest_schema_name(schema));
      CAPTURE(piece);
      Session s(schema);
      run(s, piece, {0xAA, 0xBB});
      CHECK(s.server.complex());
      CHECK(s.server.schema() == schema);
      CHECK(s.client.s1_schema() == schema);
      CHECK(s.client.s2_verified());
      CHECK(s.server.c2_verified());
      CHECK(s.leftover == std::vector<uint8_t>{0xAA, 0xBB});
    }
  }
}

TEST_CASE("a simple C1 gets the simple handshake: S1 version zero, S2 echoes C1") {
  Session s(DigestSchema::kNone);
  auto c0c1 = s.client.output();
  std::vector<uint8_t> c1(c0c1.begin() + 1, c0c1.end());
  CHECK(std::memcmp(c1.data() + 4, "\0\0\0\0", 4) == 0);
  size_t used = 0;
  REQUIRE(s.server.feed(c0c1.data(), c0c1.size(), &used) == HandshakeResult::kSendReady);
  auto out = s.server.output();
  CHECK(out[0] == 3);
  CHECK(std::memcmp(out.data() + 5, "\0\0\0\0", 4) == 0);  // S1 version
  CHECK(out[1] == 0);                                      // S1 time 1000, big-endian
  CHECK(out[3] == 0x03);
  CHECK(out[4] == 0xE8);
  CHECK(std::memcmp(out.data() + 1 + kHandshakeSize, c1.data(), kHandshakeSize) == 0);
  CHECK_FALSE(s.server.complex());
}

TEST_CASE("a C1 with a version but a broken digest falls back to the simple handshake") {
  HandshakeClient client(random_bytes(3), 5, DigestSchema::kBase8);
  std::vector<uint8_t> c0c1(client.output().begin(), client.output().end());
  c0c1[1 + digest_offset(c0c1.data() + 1, DigestSchema::kBase8)] ^= 0xFF;
  HandshakeServer server(random_bytes(4), 6);
  size_t used = 0;
  REQUIRE(server.feed(c0c1.data(), c0c1.size(), &used) == HandshakeResult::kSendReady);
  CHECK_FALSE(server.complex());
  auto out = server.output();
  CHECK(std::memcmp(out.data() + 5, "\0\0\0\0", 4) == 0);
  CHECK(std::memcmp(out.data() + 1 + kHandshakeSize, c0c1.data() + 1, kHandshakeSize) == 0);
  // The client accepts it and echoes S1.
  std::vector<uint8_t> s012(out.begin(), out.end());
  REQUIRE(client.feed(s012.data(), s012.size(), &used) == HandshakeResult::kDone);
  CHECK_FALSE(client.s1_verified());
  CHECK_FALSE(client.s2_verified());
  CHECK(std::memcmp(client.output().data(), s012.data() + 1, kHandshakeSize) == 0);
}

TEST_CASE("C0 or S0 other than 3 is a clean error") {
  HandshakeServer server(random_bytes(1), 0);
  const uint8_t rtmpe[] = {6, 0, 0};
  size_t used = 0;
  CHECK(server.feed(rtmpe, sizeof rtmpe, &used) == HandshakeResult::kError);
  CHECK(server.error().code() == srs::base::Errc::kUnsupported);
  CHECK(server.feed(rtmpe, sizeof rtmpe, &used) == HandshakeResult::kError);
  HandshakeClient client(random_bytes(1), 0);
  const uint8_t http[] = {'H', 'T', 'T', 'P'};
  CHECK(client.feed(http, sizeof http, &used) == HandshakeResult::kError);
  CHECK_FALSE(client.error().is_ok());
}

TEST_CASE("golden: ffmpeg's C1 has a base-8 digest and nginx-rtmp's S1/S2 verify against it") {
  auto c2s = test::load_data("t/data/captures/chunk_ffmpeg_publish_c2s.bin");
  auto s2c = test::load_data("t/data/captures/chunk_ffmpeg_publish_s2c.bin");
  REQUIRE(c2s.size() > 2 * kHandshakeSize + 1);
  REQUIRE(s2c.size() > 2 * kHandshakeSize + 1);
  const uint8_t* c1 = c2s.data() + 1;
  const uint8_t* s1 = s2c.data() + 1;
  const uint8_t* s2 = s1 + kHandshakeSize;
  const uint8_t* c2 = c2s.data() + 1 + kHandshakeSize;
  REQUIRE(find_digest(c1, kFpKey, kFpKeyTextSize) == DigestSchema::kBase8);
  DigestSchema s1_schema = find_digest(s1, kFmsKey, kFmsKeyTextSize);
  REQUIRE(s1_schema != DigestSchema::kNone);
  // nginx signed S2 from ffmpeg's C1 digest with the 68-byte FMS key: this
  // checks the 32-byte key tail against an independent implementation.
  CHECK(verify_response(c1 + digest_offset(c1, DigestSchema::kBase8), kFmsKey, kFmsKeySize, s2));
  // A publishing ffmpeg echoes S1 as C2 (it signs C2 only when playing).
  CHECK(std::memcmp(c2, s1, kHandshakeSize) == 0);
  CHECK_FALSE(verify_response(s1 + digest_offset(s1, s1_schema), kFpKey, kFpKeySize, c2));

  // Our server answers ffmpeg's real C0 C1 with what ffmpeg checks.
  HandshakeServer server(random_bytes(9), 0);
  size_t used = 0;
  REQUIRE(server.feed(c2s.data(), c2s.size(), &used) == HandshakeResult::kSendReady);
  CHECK(used == 1 + kHandshakeSize);
  CHECK(server.schema() == DigestSchema::kBase8);
  auto out = server.output();
  CHECK(out[5] >= 3);  // ffmpeg validates S1 when its version byte is >= 3
  CHECK(find_digest(out.data() + 1, kFmsKey, kFmsKeyTextSize) == DigestSchema::kBase8);
  CHECK(verify_response(c1 + digest_offset(c1, DigestSchema::kBase8), kFmsKey, kFmsKeySize,
                        out.data() + 1 + kHandshakeSize));
}

TEST_CASE("golden: rtmpdump's simple C1 gets a simple answer; our client accepts nginx's echo") {
  auto c2s = test::load_data("t/data/captures/chunk_rtmpdump_play_c2s.bin");
  auto s2c = test::load_data("t/data/captures/chunk_rtmpdump_play_s2c.bin");
  REQUIRE(c2s.size() > 2 * kHandshakeSize + 1);
  HandshakeServer server(random_bytes(9), 0);
  size_t used = 0;
  REQUIRE(server.feed(c2s.data(), c2s.size(), &used) == HandshakeResult::kSendReady);
  CHECK_FALSE(server.complex());
  size_t pos = used;
  REQUIRE(server.feed(c2s.data() + pos, c2s.size() - pos, &used) == HandshakeResult::kDone);
  CHECK(used == kHandshakeSize);

  HandshakeClient client(random_bytes(5), 0, DigestSchema::kBase8);
  REQUIRE(client.feed(s2c.data(), s2c.size(), &used) == HandshakeResult::kDone);
  CHECK(used == 1 + 2 * kHandshakeSize);
  // nginx answers an old-style C1 by echoing it as S1 and S2: no digests.
  CHECK_FALSE(client.s1_verified());
  CHECK_FALSE(client.s2_verified());
  CHECK(std::memcmp(s2c.data() + 1, c2s.data() + 1, kHandshakeSize) == 0);
  CHECK(std::memcmp(client.output().data(), s2c.data() + 1, kHandshakeSize) == 0);  // C2 = S1
}

TEST_CASE("after kDone the handshake consumes nothing more: the rest is the chunk stream's") {
  Session s(DigestSchema::kBase8);
  run(s, 4096, {1, 2, 3});
  CHECK(s.leftover == std::vector<uint8_t>{1, 2, 3});
  const uint8_t more[] = {9, 9};
  size_t used = 7;
  CHECK(s.server.feed(more, sizeof more, &used) == HandshakeResult::kDone);
  CHECK(used == 0);
  CHECK(s.server.output().empty());
  CHECK(s.client.feed(more, sizeof more, &used) == HandshakeResult::kDone);
  CHECK(used == 0);
}
