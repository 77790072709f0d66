// The muxer's output read back by an independent demuxer: Annex B with AUD
// and parameter sets, ADTS, audio grouping, PTS/DTS, PCR, continuity across
// segments and the PMT's tracks.
#include "proto/ts/muxer.hpp"

#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "proto/ts/packet.hpp"
#include "proto/ts/pes.hpp"
#include "t/unit/proto/ts/ts_test_util.hpp"

using namespace srs::proto::ts;
using namespace srs::test::ts;
using srs::base::Errc;

namespace {

std::vector<uint8_t> annexb(std::initializer_list<std::vector<uint8_t>> list) {
  std::vector<uint8_t> out;
  for (const auto& n : list) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

struct Fixture {
  Muxer mux;
  std::vector<uint8_t> out;
  Fixture(MuxerOptions o = {}) : mux(o) {}
  void video(uint32_t ts, const std::vector<uint8_t>& body) {
    REQUIRE(mux.write_video(ts, body, out).is_ok());
  }
  void audio(uint32_t ts, const std::vector<uint8_t>& body) {
    REQUIRE(mux.write_audio(ts, body, out).is_ok());
  }
};

}  // namespace

TEST_CASE("a keyframe becomes AUD + SPS + PPS + IDR in Annex B; an inter frame AUD + slice") {
  Fixture f;
  f.video(0, avc_sequence_header());
  CHECK(f.out.empty());  // configuration only
  f.mux.start_segment(f.out);
  f.video(40, avc_frame(true, 40, 20));
  f.video(80, avc_frame(false, 0, 10));
  auto pes = ts_pes(f.out);
  REQUIRE(pes.size() == 2);
  std::vector<uint8_t> idr(20, 0xab), slice(10, 0xab);
  idr[0] = 0x65;
  slice[0] = 0x41;
  CHECK(pes[0].es == annexb({{0x09, 0xf0}, kSps, kPps, idr}));
  CHECK(pes[1].es == annexb({{0x09, 0xf0}, slice}));
  CHECK(pes[0].stream_id == kStreamIdVideo);
  CHECK(pes[0].rai);
  CHECK_FALSE(pes[1].rai);
  CHECK(pes[0].dts == 40 * 90);
  CHECK(pes[0].pts == 80 * 90);  // PTS = DTS + CompositionTime
  CHECK(pes[0].has_dts);
  CHECK_FALSE(pes[1].has_dts);  // PTS == DTS: PTS only
}

TEST_CASE("in-band parameter sets are not repeated and the encoder's AUD is replaced") {
  Fixture f;
  f.video(0, avc_sequence_header());
  f.mux.start_segment(f.out);
  std::vector<uint8_t> idr = {0x65, 1, 2, 3};
  f.video(0, avc_body(true, 1, 0, nalus({{0x09, 0x10}, kSps, kPps, idr})));
  auto pes = ts_pes(f.out);
  REQUIRE(pes.size() == 1);
  CHECK(pes[0].es == annexb({{0x09, 0xf0}, kSps, kPps, idr}));
}

TEST_CASE("frames before the sequence header and unknown codecs are refused, writing nothing") {
  Fixture f;
  CHECK(f.mux.write_video(0, avc_frame(true), f.out).code() == Errc::kInvalid);
  CHECK(f.mux.write_audio(0, aac_frame(), f.out).code() == Errc::kInvalid);
  std::vector<uint8_t> vp6 = {0x14, 0, 0, 0};
  CHECK(f.mux.write_video(0, vp6, f.out).code() == Errc::kUnsupported);
  std::vector<uint8_t> speex = {0xb2, 0, 0};
  CHECK(f.mux.write_audio(0, speex, f.out).code() == Errc::kUnsupported);
  std::vector<uint8_t> truncated = {0xaf, 0x00, 0x12};
  CHECK_FALSE(f.mux.write_audio(0, truncated, f.out).is_ok());
  CHECK(f.out.empty());
}

TEST_CASE("AAC frames get ADTS headers and are grouped into one PES, bounded") {
  MuxerOptions o;
  o.audio_group_frames = 3;
  o.audio_group_ms = 1000;
  Fixture f(o);
  f.audio(0, aac_sequence_header());
  f.mux.start_segment(f.out);
  for (uint32_t i = 0; i < 4; ++i) f.audio(i * 23, aac_frame(50, uint8_t(i)));
  f.mux.flush(f.out);
  auto pes = ts_pes(f.out);
  REQUIRE(pes.size() == 2);
  CHECK(pes[0].stream_id == kStreamIdAudio);
  CHECK(pes[0].es.size() == 3 * 57);
  CHECK(pes[1].es.size() == 57);
  CHECK(pes[0].length == 3 * 57 + 8);  // audio PES always states its length
  CHECK(pes[1].pts == 69 * 90);
  // ADTS (14496-3 1.A.2.2): sync, MPEG-4, no CRC, LC, 44.1 kHz (4), 2 channels, 57 bytes.
  std::vector<uint8_t> adts(pes[0].es.begin(), pes[0].es.begin() + 7);
  CHECK(adts == std::vector<uint8_t>{0xff, 0xf1, 0x50, 0x80, 0x07, 0x3f, 0xfc});
  CHECK(pes[0].es[7] == 0);
  CHECK(pes[0].es[57 + 7] == 1);
}

TEST_CASE("audio groups end at the time bound, and before a later video frame") {
  Fixture f;
  f.video(0, avc_sequence_header());
  f.audio(0, aac_sequence_header());
  f.mux.start_segment(f.out);
  f.video(0, avc_frame(true));
  f.audio(10, aac_frame());
  f.audio(33, aac_frame());
  f.video(40, avc_frame(false));  // flushes the two audio frames first
  auto pes = ts_pes(f.out);
  REQUIRE(pes.size() == 3);
  CHECK(pes[1].pid == kPidAudio);
  CHECK(pes[1].es.size() == 2 * 57);
  CHECK(pes[2].pid == kPidVideo);
}

TEST_CASE("PAT and PMT start each segment; continuity counters continue across segments") {
  Fixture f;
  f.video(0, avc_sequence_header());
  f.audio(0, aac_sequence_header());
  std::vector<uint8_t> seg1, seg2;
  f.mux.start_segment(seg1);
  for (uint32_t t = 0; t < 1000; t += 40) {
    REQUIRE(f.mux.write_video(t, avc_frame(t == 0, 0, 3000), seg1).is_ok());
    REQUIRE(f.mux.write_audio(t + 5, aac_frame(), seg1).is_ok());
  }
  f.mux.flush(seg1);
  f.mux.start_segment(seg2);
  REQUIRE(f.mux.write_video(1000, avc_frame(true, 0, 3000), seg2).is_ok());
  auto a = ts_packets(seg1), b = ts_packets(seg2);
  REQUIRE(a.size() > 2);
  CHECK(a[0].pid == kPidPat);
  CHECK(a[1].pid == kPidPmt);
  CHECK(b[0].pid == kPidPat);
  CHECK(b[1].pid == kPidPmt);
  std::map<uint16_t, int> last;
  auto walk = [&](const std::vector<TsPacket>& pkts) {
    for (const auto& p : pkts) {
      if (!(p.afc & 1)) continue;
      if (last.count(p.pid)) REQUIRE(p.cc == (last[p.pid] + 1) % 16);
      last[p.pid] = p.cc;
    }
  };
  walk(a);
  walk(b);  // continues across the boundary
  CHECK(f.mux.next_cc(kPidVideo) == (last[kPidVideo] + 1) % 16);
  CHECK(f.mux.stats().psi_repeats >= 2);  // every 400 ms inside the segment
}

TEST_CASE("PCR: on every video PES, lead behind DTS, gaps filled, never backwards") {
  Fixture f;
  f.video(0, avc_sequence_header());
  f.mux.start_segment(f.out);
  f.video(1000, avc_frame(true));
  f.video(1040, avc_frame(false));
  f.video(1400, avc_frame(false));  // a 360 ms gap: fillers keep PCRs <= 100 ms apart
  std::vector<uint64_t> pcrs;
  for (const auto& p : ts_packets(f.out))
    if (p.has_pcr) pcrs.push_back(p.pcr_base);
  REQUIRE(pcrs.size() >= 5);
  CHECK(pcrs[0] == (1000 - 100) * 90);
  for (size_t i = 1; i < pcrs.size(); ++i) {
    CHECK(pcrs[i] >= pcrs[i - 1]);
    CHECK(pcrs[i] - pcrs[i - 1] <= 100 * 90);
  }
  CHECK(pcrs.back() == (1400 - 100) * 90);
  for (const auto& pes : ts_pes(f.out)) CHECK(pes.pcr);
}

TEST_CASE("without video the PCR rides on audio and the PMT has only audio") {
  Fixture f;
  f.audio(0, aac_sequence_header());
  f.mux.start_segment(f.out);
  for (uint32_t i = 0; i < 10; ++i) f.audio(i * 23, aac_frame());
  f.mux.flush(f.out);
  CHECK(f.mux.program().pcr_pid() == kPidAudio);
  CHECK(f.mux.program().video == StreamType::kNone);
  auto pes = ts_pes(f.out);
  REQUIRE(pes.size() >= 2);
  for (const auto& p : pes) {
    CHECK(p.pcr);
    CHECK(p.rai);
  }
  auto pkts = ts_packets(f.out);
  CHECK(pkts[1].payload.size() > 20);
  CHECK(pkts[1].payload[1 + 12] == 0x0f);  // the only stream: AAC
  CHECK(pkts[1].payload[1 + 17] != 0x1b);
}

TEST_CASE("a new track after the first PMT bumps its version and repeats PAT/PMT") {
  Fixture f;
  f.video(0, avc_sequence_header());
  f.mux.start_segment(f.out);
  f.video(0, avc_frame(true));
  CHECK(f.mux.program().version == 0);
  f.audio(10, aac_sequence_header());
  CHECK(f.mux.program().version == 1);
  size_t before = f.out.size();
  f.video(40, avc_frame(false));
  auto pkts = ts_packets({f.out.data() + before, f.out.size() - before});
  REQUIRE(pkts.size() >= 3);
  CHECK(pkts[0].pid == kPidPat);
  CHECK(pkts[1].pid == kPidPmt);
}

TEST_CASE("HEVC (E-RTMP hvc1 and legacy codec id 12) gets an HEVC AUD and its VPS/SPS/PPS") {
  // A minimal HEVCDecoderConfigurationRecord with one VPS, SPS and PPS.
  std::vector<uint8_t> vps = {0x40, 0x01, 0x0c}, sps = {0x42, 0x01, 0x01}, pps = {0x44, 0x01, 0xc1};
  std::vector<uint8_t> rec = {1,    0x01, 0x60, 0,    0,    0,    0x90, 0, 0, 0,    0, 0,
                              0x5d, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 3};
  for (auto* n : {&vps, &sps, &pps}) {
    rec.insert(rec.end(), {uint8_t(0x80 | ((*n)[0] >> 1)), 0, 1, 0, uint8_t(n->size())});
    rec.insert(rec.end(), n->begin(), n->end());
  }
  std::vector<uint8_t> idr = {0x26, 0x01, 0xaf, 0x00};  // IDR_W_RADL
  for (uint8_t first : {uint8_t(0x1c), uint8_t(0x90)}) {
    CAPTURE(first);
    Fixture f;
    std::vector<uint8_t> hdr, frame;
    if (first == 0x1c) {  // legacy: key frame, CodecID 12, AVCPacketType, CTS
      hdr = {0x1c, 0, 0, 0, 0};
      frame = {0x1c, 1, 0, 0, 0};
    } else {  // E-RTMP: IsExHeader | key, SequenceStart / CodedFramesX, FourCC hvc1
      hdr = {0x90, 'h', 'v', 'c', '1'};
      frame = {0x93, 'h', 'v', 'c', '1'};
    }
    hdr.insert(hdr.end(), rec.begin(), rec.end());
    auto n = nalus({idr});
    frame.insert(frame.end(), n.begin(), n.end());
    f.video(0, hdr);
    CHECK(f.mux.program().video == StreamType::kHevc);
    f.mux.start_segment(f.out);
    f.video(0, frame);
    auto pes = ts_pes(f.out);
    REQUIRE(pes.size() == 1);
    CHECK(pes[0].es == annexb({{0x46, 0x01, 0x50}, vps, sps, pps, idr}));
    CHECK(pes[0].rai);
  }
}

TEST_CASE("an empty NAL unit in a frame is skipped (found by the fuzzer: it was read past)") {
  Fixture f;
  f.video(0, avc_sequence_header());
  f.mux.start_segment(f.out);
  std::vector<uint8_t> idr = {0x65, 7};
  f.video(0, avc_body(true, 1, 0, nalus({{}, idr, {}})));
  auto pes = ts_pes(f.out);
  REQUIRE(pes.size() == 1);
  CHECK(pes[0].es == annexb({{0x09, 0xf0}, kSps, kPps, idr}));
}
