// ChunkWriter: exact header bytes for each compression case, iovec layout
// over a payload split in two (a wrapped ring), and random round trips
// through ChunkReader with changing chunk sizes.
#include "proto/rtmp/chunk_writer.hpp"

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "proto/rtmp/chunk_reader.hpp"
#include "t/unit/proto/rtmp/rtmp_test_util.hpp"

using namespace srs::proto::rtmp;
using srs::proto::rtmp::test::read_all;
using srs::proto::rtmp::test::ReadAll;
using srs::proto::rtmp::test::Received;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes append(ChunkWriter& w, uint32_t csid, const MessageHeader& h, const Bytes& p) {
  Bytes out;
  REQUIRE(w.append(csid, h, p, &out).is_ok());
  return out;
}

Bytes join(const struct iovec* iov, size_t n) {
  Bytes out;
  for (size_t i = 0; i < n; ++i) {
    const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    out.insert(out.end(), p, p + iov[i].iov_len);
  }
  return out;
}

}  // namespace

TEST_CASE("fmt 0, then 1, 2 and 3 as the header allows (5.3.1.2)") {
  ChunkWriter w;
  Bytes first = append(w, 4, {1000, 2, kTypeAudio, 1}, {0xA0, 0xA1});
  CHECK(first == Bytes{0x04, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x02, 0x08, 1, 0, 0, 0, 0xA0, 0xA1});
  // Same shape, new timestamp: fmt 2 (the delta after fmt 0 is not reused).
  CHECK(append(w, 4, {1020, 2, kTypeAudio, 1}, {1, 2}) == Bytes{0x84, 0, 0, 20, 1, 2});
  // Same delta again: fmt 3.
  CHECK(append(w, 4, {1040, 2, kTypeAudio, 1}, {3, 4}) == Bytes{0xC4, 3, 4});
  // New length: fmt 1.
  CHECK(append(w, 4, {1050, 1, kTypeAudio, 1}, {5}) == Bytes{0x44, 0, 0, 10, 0, 0, 1, 8, 5});
  // Timestamp going back, or a new message stream: fmt 0.
  CHECK(append(w, 4, {1, 1, kTypeAudio, 1}, {6})[0] == 0x04);
  CHECK(append(w, 4, {2, 1, kTypeAudio, 2}, {7})[0] == 0x04);
  // forget() starts the csid over.
  w.forget(4);
  CHECK(append(w, 4, {3, 1, kTypeAudio, 2}, {8})[0] == 0x04);
}

TEST_CASE("csid forms and extended timestamps on every continuation chunk") {
  ChunkWriter w;
  Bytes p(300, 0x5A);
  Bytes out = append(w, 320, {0x01000000, 300, kTypeVideo, 1}, p);
  // 3-byte basic header, 11-byte message header with 0xFFFFFF, extended field.
  Bytes head(out.begin(), out.begin() + 18);
  CHECK(head == Bytes{0x01, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x2C, 0x09, 1, 0, 0, 0, 0x01,
                      0x00, 0x00, 0x00});
  Bytes cont(out.begin() + 18 + 128, out.begin() + 18 + 128 + 7);
  CHECK(cont == Bytes{0xC1, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00});
  CHECK(out.size() == 18 + 300 + 2 * 7);
  ChunkReader r;
  ReadAll got = read_all(r, out);
  REQUIRE(got.messages.size() == 1);
  CHECK(got.messages[0].header.timestamp == 0x01000000);
  CHECK(got.messages[0].csid == 320);
  CHECK(got.messages[0].payload == p);
}

TEST_CASE("write() fills iovecs around a payload split in two pieces, without copying it") {
  ChunkWriter w;
  w.set_chunk_size(100);
  Bytes ring(250);
  for (size_t i = 0; i < ring.size(); ++i) ring[i] = static_cast<uint8_t>(i);
  std::span<const uint8_t> a(ring.data() + 170, 80);  // end of the ring
  std::span<const uint8_t> b(ring.data(), 170);       // wrapped to the start
  MessageHeader h{5, 250, kTypeVideo, 1};
  REQUIRE(w.chunk_count(250) == 3);
  Bytes scratch(w.header_space(250));
  std::vector<struct iovec> iov(w.iovec_space(250));
  size_t header_used = 0;
  auto n =
      w.write(6, h, a, b, scratch.data(), scratch.size(), iov.data(), iov.size(), &header_used);
  REQUIRE(n.is_ok());
  CHECK(header_used == 12 + 1 + 1);  // fmt 0, then two 1-byte fmt-3 headers
  // header, a[0..80), b[0..20), header, b[20..120), header, b[120..170)
  REQUIRE(*n == 7);
  CHECK(iov[1].iov_base == a.data());
  CHECK(iov[1].iov_len == 80);
  CHECK(iov[2].iov_base == b.data());
  CHECK(iov[2].iov_len == 20);
  CHECK(iov[4].iov_base == b.data() + 20);
  CHECK(iov[6].iov_len == 50);
  for (size_t i : {size_t{0}, size_t{3}, size_t{5}}) {
    auto* p = static_cast<uint8_t*>(iov[i].iov_base);
    CHECK(p >= scratch.data());
    CHECK(p < scratch.data() + scratch.size());
  }
  Bytes wire = join(iov.data(), *n);
  ChunkReaderLimits lim;
  ChunkReader r(lim);
  // The reader needs to be told the chunk size, as a peer would be.
  ChunkWriter control;
  Bytes set;
  REQUIRE(control.append_control(make_set_chunk_size(100), &set).is_ok());
  set.insert(set.end(), wire.begin(), wire.end());
  ReadAll got = read_all(r, set);
  REQUIRE(got.messages.size() == 2);
  Bytes expect(a.begin(), a.end());
  expect.insert(expect.end(), b.begin(), b.end());
  CHECK(got.messages[1].payload == expect);
}

TEST_CASE("write() refuses a payload of the wrong size, a bad csid and too little scratch") {
  ChunkWriter w;
  Bytes p(10);
  Bytes scratch(w.header_space(10));
  std::vector<struct iovec> iov(w.iovec_space(10));
  CHECK_FALSE(
      w.write(6, {0, 11, 9, 1}, p, {}, scratch.data(), scratch.size(), iov.data(), iov.size())
          .is_ok());
  CHECK_FALSE(
      w.write(1, {0, 10, 9, 1}, p, {}, scratch.data(), scratch.size(), iov.data(), iov.size())
          .is_ok());
  CHECK_FALSE(
      w.write(70000, {0, 10, 9, 1}, p, {}, scratch.data(), scratch.size(), iov.data(), iov.size())
          .is_ok());
  CHECK_FALSE(w.write(6, {0, 10, 9, 1}, p, {}, scratch.data(), 5, iov.data(), iov.size()).is_ok());
  CHECK_FALSE(
      w.write(6, {0, 10, 9, 1}, p, {}, scratch.data(), scratch.size(), iov.data(), 1).is_ok());
}

TEST_CASE("control helpers produce messages the reader surfaces with the same values") {
  ChunkWriter w;
  Bytes out;
  REQUIRE(w.append_control(make_window_ack_size(2500000), &out).is_ok());
  REQUIRE(w.append_control(make_set_peer_bandwidth(2500000, LimitType::kDynamic), &out).is_ok());
  REQUIRE(w.append_control(make_ack(12345), &out).is_ok());
  REQUIRE(w.append_control(make_abort(9), &out).is_ok());
  REQUIRE(w.append_control(make_set_chunk_size(60000), &out).is_ok());
  REQUIRE(
      w.append_user_control(make_user_control(UserControlEvent::kStreamBegin, 1), &out).is_ok());
  REQUIRE(
      w.append_user_control(make_user_control(UserControlEvent::kSetBufferLength, 1, 3000), &out)
          .is_ok());
  REQUIRE(
      w.append_user_control(make_user_control(UserControlEvent::kPingRequest, 77), &out).is_ok());
  CHECK_FALSE(w.append_control({kTypeAudio, 1}, &out).is_ok());
  ChunkReader r;
  ReadAll got = read_all(r, out, 3);
  REQUIRE_FALSE(got.error);
  REQUIRE(got.messages.size() == 8);
  for (const Received& m : got.messages) {
    CHECK(m.csid == kCsidProtocolControl);
    CHECK(m.header.stream_id == 0);
  }
  CHECK(decode_control(kTypeWindowAckSize, got.messages[0].payload).value() ==
        make_window_ack_size(2500000));
  CHECK(decode_control(kTypeSetPeerBandwidth, got.messages[1].payload).value() ==
        make_set_peer_bandwidth(2500000, LimitType::kDynamic));
  CHECK(decode_control(kTypeAck, got.messages[2].payload).value() == make_ack(12345));
  CHECK(decode_control(kTypeAbort, got.messages[3].payload).value() == make_abort(9));
  CHECK(r.chunk_size() == 60000);
  CHECK(r.peer_window() == 2500000);
  CHECK(decode_user_control(got.messages[6].payload).value() ==
        make_user_control(UserControlEvent::kSetBufferLength, 1, 3000));
  CHECK(decode_user_control(got.messages[7].payload).value() ==
        make_user_control(UserControlEvent::kPingRequest, 77));
}

TEST_CASE("a 1 MB keyframe at chunk sizes 128 and 65536") {
  Bytes key(1024 * 1024);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 31 + (i >> 11));
  for (uint32_t cs : {128u, 65536u}) {
    CAPTURE(cs);
    ChunkWriter w;
    Bytes wire;
    REQUIRE(w.append_control(make_set_chunk_size(cs), &wire).is_ok());
    w.set_chunk_size(cs);
    REQUIRE(w.append(kCsidVideo, {40, uint32_t(key.size()), kTypeVideo, 1}, key, &wire).is_ok());
    CHECK(wire.size() == 16 + 12 + key.size() + (key.size() / cs - 1));
    ChunkReader r;
    ReadAll got = read_all(r, wire, 4000);
    REQUIRE(got.messages.size() == 2);
    CHECK(got.messages[1].payload == key);
  }
}

TEST_CASE("random round trips: random messages, csids, timestamps and chunk size changes") {
  std::mt19937 rng(20261124);
  auto R = [&rng] { return static_cast<uint32_t>(rng()); };
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    ChunkWriter w;
    Bytes wire;
    std::vector<Received> sent;
    uint32_t ts[4] = {R(), 0xFFFFFF00u, 0x00FFFFF0u, 0};
    const uint32_t csids[4] = {3, 6, 100, 5000};
    for (int i = 0; i < 60; ++i) {
      if (R() % 12 == 0) {
        uint32_t cs = 128 + R() % (65536 - 128 + 1);
        REQUIRE(w.append_control(make_set_chunk_size(cs), &wire).is_ok());
        sent.push_back({{0, 4, kTypeSetChunkSize, 0}, 2, {}});
        w.set_chunk_size(cs);
      }
      int k = static_cast<int>(R() % 4);
      // Mostly steady deltas (fmt 3), sometimes jumps past 2^24 or back.
      uint32_t step = R() % 5 == 0 ? R() : (R() % 3 == 0 ? 0x01000001u : 40u);
      ts[k] += step;
      uint32_t len = R() % 3 == 0 ? R() % 20000 : (i % 7 == 0 ? 0 : 33);
      Bytes p(len);
      for (auto& b : p) b = static_cast<uint8_t>(R());
      MessageHeader h{ts[k], len, uint8_t(k == 0 ? kTypeAudio : kTypeVideo),
                      uint32_t(1 + (R() % 8 == 0))};
      REQUIRE(w.append(csids[k], h, p, &wire).is_ok());
      sent.push_back({h, csids[k], p});
    }
    for (size_t piece : {size_t{1} + R() % 3000, wire.size()}) {
      ChunkReader r;
      ReadAll got = read_all(r, wire, piece);
      REQUIRE_FALSE(got.error);
      REQUIRE(got.messages.size() == sent.size());
      for (size_t i = 0; i < sent.size(); ++i) {
        CAPTURE(i);
        CHECK(got.messages[i].header == sent[i].header);
        CHECK(got.messages[i].csid == sent[i].csid);
        if (sent[i].header.type_id != kTypeSetChunkSize)
          CHECK(got.messages[i].payload == sent[i].payload);
      }
    }
  }
}

TEST_CASE("every 2-way split of a multi-message stream gives identical messages") {
  ChunkWriter w;
  w.set_chunk_size(50);
  Bytes wire;
  REQUIRE(w.append_control(make_set_chunk_size(50), &wire).is_ok());
  std::vector<Bytes> payloads;
  for (uint32_t i = 0; i < 6; ++i) {
    Bytes p(i * 37 + 1, static_cast<uint8_t>(i));
    uint32_t ts = i < 3 ? i * 40 : 0x01000000u + i * 40;  // extended from the 4th on
    REQUIRE(w.append(i % 2 ? kCsidVideo : 64, {ts, uint32_t(p.size()), kTypeVideo, 1}, p, &wire)
                .is_ok());
  }
  ChunkReader whole;
  ReadAll expect = read_all(whole, wire);
  REQUIRE(expect.messages.size() == 7);
  for (size_t a = 0; a <= wire.size(); ++a) {
    ChunkReader r;
    ReadAll got = test::read_split(r, wire, {a});
    CAPTURE(a);
    REQUIRE(got.messages == expect.messages);
  }
  ChunkReader bytewise;
  CHECK(read_all(bytewise, wire, 1).messages == expect.messages);
}

TEST_CASE("every message type id survives writer -> reader with its header intact") {
  ChunkWriter w;
  Bytes wire;
  std::vector<MessageHeader> sent;
  for (uint8_t type = 1; type <= 22; ++type) {
    if (type == kTypeSetChunkSize || type == kTypeAbort || type == kTypeWindowAckSize) continue;
    Bytes p(type == kTypeSetPeerBandwidth ? 5 : 6 + type * 10, type);
    MessageHeader h{uint32_t(type) * 100, uint32_t(p.size()), type, type < 7 ? 0u : 1u};
    REQUIRE(w.append(type < 7 ? kCsidProtocolControl : kCsidOverStream, h, p, &wire).is_ok());
    sent.push_back(h);
  }
  ChunkReader r;
  ReadAll got = read_all(r, wire, 7);
  REQUIRE_FALSE(got.error);
  REQUIRE(got.messages.size() == sent.size());
  for (size_t i = 0; i < sent.size(); ++i) CHECK(got.messages[i].header == sent[i]);
}
