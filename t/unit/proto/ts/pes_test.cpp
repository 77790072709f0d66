// PES header and PTS/DTS field encodings (13818-1 2.4.3.7).
#include "proto/ts/pes.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "proto/ts/packet.hpp"

using namespace srs::proto::ts;

TEST_CASE("PTS fields carry the prefix, 33 bits and marker bits") {
  uint8_t b[5];
  write_timestamp(0x2, 0, b);
  CHECK(std::vector<uint8_t>(b, b + 5) == std::vector<uint8_t>{0x21, 0x00, 0x01, 0x00, 0x01});
  write_timestamp(0x3, kTimestampMask, b);
  CHECK(std::vector<uint8_t>(b, b + 5) == std::vector<uint8_t>{0x3f, 0xff, 0xff, 0xff, 0xff});
  write_timestamp(0x1, 90000, b);  // 1 s
  CHECK(std::vector<uint8_t>(b, b + 5) == std::vector<uint8_t>{0x11, 0x00, 0x05, 0xbf, 0x21});
  for (uint64_t v :
       {uint64_t{1}, uint64_t{123456789}, kTimestampMask - 1, (uint64_t{1} << 32) + 5}) {
    write_timestamp(0x2, v, b);
    CHECK(read_timestamp(b) == v);
  }
  write_timestamp(0x2, kTimestampMask + 1 + 7, b);  // 33-bit wrap
  CHECK(read_timestamp(b) == 7);
}

TEST_CASE("a video PES header with PTS and DTS, and an audio one with PTS only") {
  uint8_t b[kPesHeaderMax];
  PesHeader v{kStreamIdVideo, 3600 + 3600, 3600, 1000, true};
  REQUIRE(write_pes_header(v, b) == 19);
  CHECK(std::vector<uint8_t>(b, b + 9) ==
        std::vector<uint8_t>{0, 0, 1, 0xe0, 0x03, 0xf5 /* 13 + 1000 */, 0x84, 0xc0, 10});
  CHECK((b[9] >> 4) == 0x3);
  CHECK((b[14] >> 4) == 0x1);
  CHECK(read_timestamp(b + 9) == 7200);
  CHECK(read_timestamp(b + 14) == 3600);

  PesHeader a{kStreamIdAudio, 90000, 90000, 200, false};
  REQUIRE(write_pes_header(a, b) == 14);
  CHECK(std::vector<uint8_t>(b, b + 9) ==
        std::vector<uint8_t>{0, 0, 1, 0xc0, 0, 208, 0x80, 0x80, 5});
}

TEST_CASE("PES_packet_length is 0 when a video PES outgrows 16 bits") {
  uint8_t b[kPesHeaderMax];
  PesHeader v{kStreamIdVideo, 0, 0, 70000, true};
  write_pes_header(v, b);
  CHECK(b[4] == 0);
  CHECK(b[5] == 0);
}
