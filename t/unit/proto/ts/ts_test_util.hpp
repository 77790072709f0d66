// Test helpers for MPEG-TS: a tiny independent demuxer (packets, PES per
// PID) and FLV tag body builders, so the muxer's output is checked by code
// that does not share its logic.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace srs::test::ts {

struct TsPacket {
  uint16_t pid = 0;
  bool pusi = false;
  uint8_t afc = 0;  // adaptation_field_control
  uint8_t cc = 0;
  bool rai = false;
  bool has_pcr = false;
  uint64_t pcr_base = 0;
  std::vector<uint8_t> payload;
};

inline uint64_t ts_read_timestamp(const uint8_t* b) {
  return (uint64_t((b[0] >> 1) & 7) << 30) | (uint64_t(b[1]) << 22) | (uint64_t(b[2] >> 1) << 15) |
         (uint64_t(b[3]) << 7) | (b[4] >> 1);
}

inline std::vector<TsPacket> ts_packets(std::span<const uint8_t> data) {
  std::vector<TsPacket> out;
  for (size_t i = 0; i + 188 <= data.size(); i += 188) {
    const uint8_t* p = data.data() + i;
    TsPacket t;
    t.pid = uint16_t(((p[1] & 0x1f) << 8) | p[2]);
    t.pusi = p[1] & 0x40;
    t.afc = (p[3] >> 4) & 3;
    t.cc = p[3] & 15;
    size_t pos = 4;
    if (t.afc & 2) {
      uint8_t len = p[4];
      if (len) {
        t.rai = p[5] & 0x40;
        if (p[5] & 0x10) {
          t.has_pcr = true;
          t.pcr_base = (uint64_t(p[6]) << 25) | (uint64_t(p[7]) << 17) | (uint64_t(p[8]) << 9) |
                       (uint64_t(p[9]) << 1) | (p[10] >> 7);
        }
      }
      pos = 5 + len;
    }
    if (t.afc & 1) t.payload.assign(p + pos, p + 188);
    out.push_back(std::move(t));
  }
  return out;
}

struct Pes {
  uint16_t pid = 0;
  uint8_t stream_id = 0;
  uint16_t length = 0;  // PES_packet_length
  uint64_t pts = 0, dts = 0;
  bool has_dts = false;
  bool rai = false;
  bool pcr = false;
  std::vector<uint8_t> es;  // the elementary stream bytes after the header
};

// Reassembles the PES packets of the elementary-stream PIDs.
inline std::vector<Pes> ts_pes(std::span<const uint8_t> data) {
  std::vector<Pes> out;
  std::map<uint16_t, size_t> open;
  for (auto& t : ts_packets(data)) {
    if (t.pid != 0x100 && t.pid != 0x101) continue;
    if (t.pusi) {
      Pes p;
      p.pid = t.pid;
      const auto& b = t.payload;
      p.stream_id = b[3];
      p.length = uint16_t((b[4] << 8) | b[5]);
      p.pts = ts_read_timestamp(&b[9]);
      p.has_dts = (b[7] & 0xc0) == 0xc0;
      p.dts = p.has_dts ? ts_read_timestamp(&b[14]) : p.pts;
      p.rai = t.rai;
      p.pcr = t.has_pcr;
      p.es.assign(b.begin() + 9 + b[8], b.end());
      open[t.pid] = out.size();
      out.push_back(std::move(p));
      continue;
    }
    auto it = open.find(t.pid);
    if (it != open.end())
      out[it->second].es.insert(out[it->second].es.end(), t.payload.begin(), t.payload.end());
  }
  return out;
}

// FLV bodies (FLV v10.1 E.4.2.1, E.4.3.1).
inline std::vector<uint8_t> avc_body(bool key, uint8_t packet_type, int32_t cts,
                                     std::span<const uint8_t> data) {
  std::vector<uint8_t> b = {uint8_t(key ? 0x17 : 0x27), packet_type, uint8_t(cts >> 16),
                            uint8_t(cts >> 8), uint8_t(cts)};
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

// Length-prefixed (4 bytes) NAL units.
inline std::vector<uint8_t> nalus(std::initializer_list<std::vector<uint8_t>> list) {
  std::vector<uint8_t> out;
  for (const auto& n : list) {
    uint32_t s = uint32_t(n.size());
    out.insert(out.end(), {uint8_t(s >> 24), uint8_t(s >> 16), uint8_t(s >> 8), uint8_t(s)});
    out.insert(out.end(), n.begin(), n.end());
  }
  return out;
}

// A baseline 320x240 SPS and a PPS from x264 (the bytes do not matter to the
// muxer beyond being a parsable configuration record).
inline const std::vector<uint8_t> kSps = {0x67, 0x42, 0xc0, 0x1e, 0xd9,
                                          0x01, 0x41, 0xfb, 0x01, 0x10};
inline const std::vector<uint8_t> kPps = {0x68, 0xcb, 0x83, 0xcb, 0x20};

inline std::vector<uint8_t> avc_record() {
  std::vector<uint8_t> r = {1, kSps[1], kSps[2], kSps[3], 0xff, 0xe1, 0, uint8_t(kSps.size())};
  r.insert(r.end(), kSps.begin(), kSps.end());
  r.insert(r.end(), {1, 0, uint8_t(kPps.size())});
  r.insert(r.end(), kPps.begin(), kPps.end());
  return r;
}

inline std::vector<uint8_t> avc_sequence_header() {
  return avc_body(true, 0, 0, avc_record());
}
inline std::vector<uint8_t> avc_frame(bool key, int32_t cts = 0, size_t size = 100) {
  std::vector<uint8_t> slice(size, 0xab);
  slice[0] = key ? 0x65 : 0x41;
  return avc_body(key, 1, cts, nalus({slice}));
}

// AAC-LC 44.1 kHz stereo: AudioSpecificConfig 0x12 0x10 (14496-3 1.6.2.1).
inline std::vector<uint8_t> aac_sequence_header() {
  return {0xaf, 0x00, 0x12, 0x10};
}
inline std::vector<uint8_t> aac_frame(size_t size = 50, uint8_t fill = 0x21) {
  std::vector<uint8_t> b = {0xaf, 0x01};
  b.insert(b.end(), size, fill);
  return b;
}

}  // namespace srs::test::ts
