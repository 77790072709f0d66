// PAT and PMT bytes against ffmpeg's (libavformat mpegtsenc with SRS's PIDs:
// -mpegts_pmt_start_pid 0x1001 -mpegts_start_pid 0x100 -mpegts_service_id 1
// -mpegts_transport_stream_id 1), CRC_32 included.
#include "proto/ts/psi.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/ts/crc32.hpp"
#include "proto/ts/packet.hpp"

using namespace srs::proto::ts;

namespace {
std::vector<uint8_t> hex(const char* s) {
  std::vector<uint8_t> out;
  for (; s[0] && s[1]; s += 2) out.push_back(uint8_t(std::stoi(std::string(s, 2), nullptr, 16)));
  return out;
}
}  // namespace

TEST_CASE("the PAT packet is ffmpeg's byte for byte, 0xFF filled") {
  std::vector<uint8_t> out;
  uint8_t cc = 0;
  write_pat(cc, out);
  REQUIRE(out.size() == kPacketSize);
  auto want = hex("474000100000b00d0001c100000001f0012e701905");
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + long(want.size())) == want);
  for (size_t i = want.size(); i < kPacketSize; ++i) REQUIRE(out[i] == 0xff);
  CHECK(cc == 1);
}

TEST_CASE("the PMT for H.264 + AAC is ffmpeg's byte for byte, PCR on the video PID") {
  std::vector<uint8_t> out;
  uint8_t cc = 0;
  Program p{StreamType::kH264, StreamType::kAacAdts, 0};
  write_pmt(p, cc, out);
  auto want = hex("475001100002b0170001c10000e100f0001be100f0000fe101f0002f44b99b");
  CHECK(std::vector<uint8_t>(out.begin(), out.begin() + long(want.size())) == want);
}

TEST_CASE("the PMT declares only the tracks that exist, with a valid CRC") {
  uint8_t sec[184];
  SUBCASE("audio only: PCR on the audio PID") {
    size_t n = build_pmt_section({StreamType::kNone, StreamType::kAacAdts, 0}, sec);
    CHECK(n == 12 + 5 + 4);
    CHECK(((sec[8] & 0x1f) << 8 | sec[9]) == kPidAudio);
    CHECK(sec[12] == 0x0f);
    CHECK(crc32_mpeg2({sec, n}) == 0);
  }
  SUBCASE("HEVC + MP3") {
    size_t n = build_pmt_section({StreamType::kHevc, StreamType::kMpeg1Audio, 3}, sec);
    CHECK(n == 12 + 10 + 4);
    CHECK(sec[12] == 0x24);
    CHECK(sec[17] == 0x03);
    CHECK(((sec[5] >> 1) & 0x1f) == 3);  // version_number
    CHECK(crc32_mpeg2({sec, n}) == 0);
  }
}
