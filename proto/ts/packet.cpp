// Transport packet writing (ISO/IEC 13818-1 2.4.3.2 transport packet, 2.4.3.4
// adaptation field).
#include "proto/ts/packet.hpp"

#include <algorithm>
#include <cstring>

namespace srs::proto::ts {

uint8_t* grow(std::vector<uint8_t>& out, size_t n) noexcept {
  size_t at = out.size();
  out.resize(at + n);
  return out.data() + at;
}

void encode_pcr(uint64_t base_90k, uint16_t extension, uint8_t (&out)[6]) noexcept {
  uint64_t base = base_90k & kTimestampMask;
  out[0] = static_cast<uint8_t>(base >> 25);
  out[1] = static_cast<uint8_t>(base >> 17);
  out[2] = static_cast<uint8_t>(base >> 9);
  out[3] = static_cast<uint8_t>(base >> 1);
  out[4] = static_cast<uint8_t>(((base & 1) << 7) | 0x7e | ((extension >> 8) & 1));
  out[5] = static_cast<uint8_t>(extension);
}

uint64_t decode_pcr(const uint8_t (&in)[6]) noexcept {
  uint64_t base = (uint64_t{in[0]} << 25) | (uint64_t{in[1]} << 17) | (uint64_t{in[2]} << 9) |
                  (uint64_t{in[3]} << 1) | (in[4] >> 7);
  uint64_t ext = (uint64_t(in[4] & 1) << 8) | in[5];
  return base * 300 + ext;
}

namespace {

// 2.4.3.2: sync_byte, transport_error_indicator, payload_unit_start_indicator,
// transport_priority, PID, transport_scrambling_control,
// adaptation_field_control, continuity_counter.
void write_header(uint8_t* p, uint16_t pid, bool start, bool adaptation, bool payload,
                  uint8_t cc) noexcept {
  p[0] = kSyncByte;
  p[1] = static_cast<uint8_t>((start ? 0x40 : 0) | ((pid >> 8) & 0x1f));
  p[2] = static_cast<uint8_t>(pid);
  p[3] = static_cast<uint8_t>((adaptation ? 0x20 : 0) | (payload ? 0x10 : 0) | (cc & 0x0f));
}

// One packet of a PES: returns the payload bytes it took.
size_t write_one(const PacketizeOptions& opt, bool first, std::span<const uint8_t> rest, uint8_t cc,
                 uint8_t* p) noexcept {
  bool pcr = first && opt.write_pcr;
  bool rai = first && opt.random_access;
  // Adaptation field bytes after its length byte: flags, then the PCR.
  size_t af_body = (pcr || rai) ? 1 + (pcr ? 6 : 0) : 0;
  size_t af_total = af_body ? 1 + af_body : 0;
  size_t space = kPacketSize - 4 - af_total;
  size_t take = std::min(space, rest.size());
  size_t stuffing = space - take;
  if (stuffing && !af_total) {
    // An empty adaptation field is one length byte (0); more stuffing needs the flags byte too.
    af_body = stuffing >= 2 ? 1 : 0;
    af_total = 1 + af_body;
    stuffing -= af_total;
  }
  write_header(p, opt.pid, first, af_total != 0, true, cc);
  uint8_t* q = p + 4;
  if (af_total) {
    *q++ = static_cast<uint8_t>(af_body + stuffing);  // adaptation_field_length
    if (af_body) {
      // discontinuity(0) random_access(rai) es_priority(0) PCR_flag OPCR(0) splicing(0) private(0)
      // ext(0)
      *q++ = static_cast<uint8_t>((rai ? 0x40 : 0) | (pcr ? 0x10 : 0));
      if (pcr) {
        uint8_t enc[6];
        encode_pcr(opt.pcr_base, 0, enc);
        std::memcpy(q, enc, 6);
        q += 6;
      }
    }
    std::memset(q, 0xff, stuffing);
    q += stuffing;
  }
  std::memcpy(q, rest.data(), take);
  return take;
}

}  // namespace

void packetize(const PacketizeOptions& opt, std::span<const uint8_t> pes, uint8_t& cc,
               std::vector<uint8_t>& out) noexcept {
  size_t pos = 0;
  bool first = true;
  while (first || pos < pes.size()) {
    uint8_t* p = grow(out, kPacketSize);
    pos += write_one(opt, first, pes.subspan(pos), cc, p);
    cc = static_cast<uint8_t>((cc + 1) & 0x0f);
    first = false;
  }
}

void write_pcr_packet(uint16_t pid, uint64_t pcr_base, uint8_t cc,
                      std::vector<uint8_t>& out) noexcept {
  uint8_t* p = grow(out, kPacketSize);
  write_header(p, pid, false, true, false, static_cast<uint8_t>((cc - 1) & 0x0f));
  p[4] = 183;   // adaptation_field_length: the rest of the packet
  p[5] = 0x10;  // PCR_flag
  uint8_t enc[6];
  encode_pcr(pcr_base, 0, enc);
  std::memcpy(p + 6, enc, 6);
  std::memset(p + 12, 0xff, kPacketSize - 12);
}

}  // namespace srs::proto::ts
