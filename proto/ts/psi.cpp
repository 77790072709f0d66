// PAT (2.4.4.3) and PMT (2.4.4.8) sections, with the CRC32/MPEG-2 of Annex A.
#include "proto/ts/psi.hpp"

#include <cstring>

#include "base/bytes.hpp"
#include "proto/ts/crc32.hpp"
#include "proto/ts/packet.hpp"

namespace srs::proto::ts {
namespace {

constexpr uint16_t kProgramNumber = 1;
constexpr uint16_t kTransportStreamId = 1;

// Common long-form section header (2.4.4.3 / 2.4.4.8): table_id,
// section_syntax_indicator '1', '0', reserved '11', section_length (filled by
// finish), the 16-bit id, reserved '11' + version_number + current_next '1',
// section_number 0, last_section_number 0.
size_t start_section(uint8_t table_id, uint16_t id, uint8_t version, uint8_t* p) noexcept {
  p[0] = table_id;
  base::store_be16(p + 3, id);
  p[5] = static_cast<uint8_t>(0xC0 | ((version & 0x1f) << 1) | 0x01);
  p[6] = 0;
  p[7] = 0;
  return 8;
}

// Sets section_length (bytes after it, CRC included) and appends the CRC_32.
size_t finish_section(uint8_t* p, size_t size) noexcept {
  size_t length = size - 3 + 4;
  p[1] = static_cast<uint8_t>(0xB0 | ((length >> 8) & 0x0f));
  p[2] = static_cast<uint8_t>(length);
  base::store_be32(p + size, crc32_mpeg2({p, size}));
  return size + 4;
}

// reserved '111' + a 13-bit PID.
void put_pid(uint8_t* p, uint16_t pid) noexcept {
  base::store_be16(p, static_cast<uint16_t>(0xE000 | (pid & 0x1fff)));
}

void write_section_packet(uint16_t pid, std::span<const uint8_t> section, uint8_t& cc,
                          std::vector<uint8_t>& out) noexcept {
  uint8_t* p = grow(out, kPacketSize);
  p[0] = kSyncByte;
  p[1] = static_cast<uint8_t>(0x40 | ((pid >> 8) & 0x1f));
  p[2] = static_cast<uint8_t>(pid);
  p[3] = static_cast<uint8_t>(0x10 | (cc & 0x0f));
  p[4] = 0;  // pointer_field
  std::memcpy(p + 5, section.data(), section.size());
  std::memset(p + 5 + section.size(), 0xff, kPacketSize - 5 - section.size());
  cc = static_cast<uint8_t>((cc + 1) & 0x0f);
}

}  // namespace

uint16_t Program::pcr_pid() const noexcept {
  if (video != StreamType::kNone) return kPidVideo;
  if (audio != StreamType::kNone) return kPidAudio;
  return kPidNull;
}

size_t build_pat_section(uint16_t pmt_pid, std::span<uint8_t> out) noexcept {
  uint8_t* p = out.data();
  size_t n = start_section(0x00, kTransportStreamId, 0, p);
  base::store_be16(p + n, kProgramNumber);
  put_pid(p + n + 2, pmt_pid);
  return finish_section(p, n + 4);
}

size_t build_pmt_section(const Program& program, std::span<uint8_t> out) noexcept {
  uint8_t* p = out.data();
  size_t n = start_section(0x02, kProgramNumber, program.version, p);
  put_pid(p + n, program.pcr_pid());
  base::store_be16(p + n + 2, 0xF000);  // reserved '1111', program_info_length 0
  n += 4;
  auto add_stream = [&](StreamType type, uint16_t pid) {
    if (type == StreamType::kNone) return;
    p[n] = static_cast<uint8_t>(type);
    put_pid(p + n + 1, pid);
    base::store_be16(p + n + 3, 0xF000);  // reserved '1111', ES_info_length 0
    n += 5;
  };
  add_stream(program.video, kPidVideo);
  add_stream(program.audio, kPidAudio);
  return finish_section(p, n);
}

void write_pat(uint8_t& cc, std::vector<uint8_t>& out) noexcept {
  uint8_t section[64];
  size_t n = build_pat_section(kPidPmt, section);
  write_section_packet(kPidPat, {section, n}, cc, out);
}

void write_pmt(const Program& program, uint8_t& cc, std::vector<uint8_t>& out) noexcept {
  uint8_t section[64];
  size_t n = build_pmt_section(program, section);
  write_section_packet(kPidPmt, {section, n}, cc, out);
}

}  // namespace srs::proto::ts
