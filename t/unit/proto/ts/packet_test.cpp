// Transport packets: PCR encoding, adaptation field stuffing, PUSI, RAI and
// continuity counters (13818-1 2.4.3.2 - 2.4.3.5).
#include "proto/ts/packet.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "t/unit/proto/ts/ts_test_util.hpp"

using namespace srs::proto::ts;

TEST_CASE("PCR: 33-bit base, six reserved 1 bits, 9-bit extension") {
  uint8_t b[6];
  encode_pcr(0, 0, b);
  CHECK(std::vector<uint8_t>(b, b + 6) == std::vector<uint8_t>{0, 0, 0, 0, 0x7e, 0});
  encode_pcr(kTimestampMask, 299, b);
  CHECK(std::vector<uint8_t>(b, b + 6) == std::vector<uint8_t>{0xff, 0xff, 0xff, 0xff, 0xff, 0x2b});
  encode_pcr(90000, 5, b);
  CHECK(decode_pcr(b) == 90000u * 300 + 5);
}

TEST_CASE("packetize: sizes around the 184-byte payload, stuffing in the adaptation field") {
  for (size_t size : {1, 100, 182, 183, 184, 185, 368, 369, 1000}) {
    CAPTURE(size);
    std::vector<uint8_t> pes(size);
    for (size_t i = 0; i < size; ++i) pes[i] = uint8_t(i);
    std::vector<uint8_t> out;
    uint8_t cc = 14;
    packetize({kPidAudio, false, false, 0}, pes, cc, out);
    REQUIRE(out.size() % kPacketSize == 0);
    auto pkts = srs::test::ts::ts_packets(out);
    CHECK(pkts.size() == (size + 183) / 184);
    std::vector<uint8_t> back;
    for (size_t i = 0; i < pkts.size(); ++i) {
      CHECK(out[i * kPacketSize] == kSyncByte);
      CHECK(pkts[i].pid == kPidAudio);
      CHECK(pkts[i].pusi == (i == 0));
      CHECK(pkts[i].cc == (14 + i) % 16);
      back.insert(back.end(), pkts[i].payload.begin(), pkts[i].payload.end());
    }
    CHECK(back == pes);
    CHECK(cc == (14 + pkts.size()) % 16);
  }
}

TEST_CASE("packetize: 183 payload bytes need a one-byte empty adaptation field") {
  std::vector<uint8_t> pes(183, 0x55), out;
  uint8_t cc = 0;
  packetize({kPidVideo, false, false, 0}, pes, cc, out);
  REQUIRE(out.size() == kPacketSize);
  CHECK((out[3] >> 4) == 3);  // adaptation field + payload
  CHECK(out[4] == 0);         // adaptation_field_length 0
  CHECK(out[5] == 0x55);
}

TEST_CASE("packetize: PCR and random_access_indicator on the first packet only") {
  std::vector<uint8_t> pes(500, 1), out;
  uint8_t cc = 3;
  packetize({kPidVideo, true, true, 123456}, pes, cc, out);
  auto pkts = srs::test::ts::ts_packets(out);
  REQUIRE(pkts.size() == 3);
  CHECK(pkts[0].rai);
  CHECK(pkts[0].has_pcr);
  CHECK(pkts[0].pcr_base == 123456);
  CHECK(out[4] == 7);  // length: flags + 6 PCR bytes
  CHECK_FALSE(pkts[1].rai);
  CHECK_FALSE(pkts[1].has_pcr);
}

TEST_CASE("a PCR-only packet repeats the last continuity counter") {
  std::vector<uint8_t> out;
  write_pcr_packet(kPidVideo, 900, 5, out);
  auto pkts = srs::test::ts::ts_packets(out);
  REQUIRE(pkts.size() == 1);
  CHECK(pkts[0].afc == 2);
  CHECK(pkts[0].cc == 4);
  CHECK(pkts[0].has_pcr);
  CHECK(pkts[0].pcr_base == 900);
  CHECK(out[4] == 183);
}
