// AAC AudioSpecificConfig parse (ISO/IEC 14496-3 1.6.2.1) and ADTS header build.
#include "proto/codec/aac_config.hpp"

#include "proto/codec/bit_reader.hpp"

namespace srs::proto::codec {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kCorrupt =
    Status::fail(Errc::kInvalid, "AAC AudioSpecificConfig truncated or corrupt");

// 14496-3 Table 1.18 (indices 13 and 14 are reserved).
constexpr uint32_t kSampleRates[13] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                       22050, 16000, 12000, 11025, 8000,  7350};
// Table 1.19 channelConfiguration -> channels (0: PCE; 8..10 reserved;
// 11..14 added by 14496-3:2009/Amd.4).
constexpr uint8_t kChannels[16] = {0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0};

constexpr uint32_t kAotSbr = 5, kAotPs = 29;

// 1.6.2.1 GetAudioObjectType(): 5 bits, 31 escapes to 32 + 6 bits.
bool read_object_type(BitReader& br, uint32_t& aot) noexcept {
  if (!br.read_bits(5, aot)) return false;
  if (aot != 31) return true;
  uint32_t ext;
  if (!br.read_bits(6, ext)) return false;
  aot = 32 + ext;
  return true;
}

// samplingFrequencyIndex, with 0xf escaping to a 24-bit samplingFrequency.
bool read_frequency(BitReader& br, uint32_t& index, uint32_t& rate) noexcept {
  if (!br.read_bits(4, index)) return false;
  if (index == 0xf) return br.read_bits(24, rate) && rate != 0;
  if (index >= 13) return false;
  rate = kSampleRates[index];
  return true;
}

// The object types whose config is GASpecificConfig (1.6.2.1 switch).
bool is_ga(uint32_t aot) noexcept {
  return (aot >= 1 && aot <= 4) || aot == 6 || aot == 7 || aot == 17 || (aot >= 19 && aot <= 23);
}

// 4.4.1.1 program_config_element(): counts the channels its elements carry
// (a channel pair element is two) and skips the rest, comment included.
bool read_pce(BitReader& br, size_t total_bits, uint8_t& channels) noexcept {
  uint32_t front, side, back, lfe, assoc, cc, v;
  if (!br.skip_bits(4 + 2 + 4)) return false;  // element_instance_tag, object_type, sf index
  if (!br.read_bits(4, front) || !br.read_bits(4, side) || !br.read_bits(4, back) ||
      !br.read_bits(2, lfe) || !br.read_bits(3, assoc) || !br.read_bits(4, cc)) {
    return false;
  }
  for (unsigned mixdown_bits : {4u, 4u, 3u}) {  // mono, stereo, matrix mixdown
    bool present;
    if (!br.read_flag(present) || (present && !br.skip_bits(mixdown_bits))) return false;
  }
  uint32_t count = lfe;
  for (uint32_t i = 0; i < front + side + back; ++i) {
    bool cpe;
    if (!br.read_flag(cpe) || !br.skip_bits(4)) return false;
    count += cpe ? 2 : 1;
  }
  if (!br.skip_bits(4 * (lfe + assoc) + 5 * cc)) return false;
  size_t used = total_bits - br.bits_remaining();
  if (!br.skip_bits((8 - used % 8) % 8) || !br.read_bits(8, v) || !br.skip_bits(8 * v))
    return false;
  channels = static_cast<uint8_t>(count);
  return true;
}

// 4.4.1 GASpecificConfig, up to where the backward-compatible extension may
// follow. False when it is truncated or corrupt.
bool read_ga_config(BitReader& br, uint32_t aot, size_t total_bits, AacConfig& cfg) noexcept {
  bool frame_length, depends_on_core, extension;
  if (!br.read_flag(frame_length) || !br.read_flag(depends_on_core)) return false;
  if (depends_on_core && !br.skip_bits(14)) return false;  // coreCoderDelay
  if (!br.read_flag(extension)) return false;
  if (cfg.channel_config == 0 && !read_pce(br, total_bits, cfg.channels)) return false;
  if ((aot == 6 || aot == 20) && !br.skip_bits(3)) return false;  // layerNr
  if (!extension) return true;
  if (aot == 22 && !br.skip_bits(5 + 11)) return false;  // numOfSubFrame, layer_length
  if ((aot == 17 || aot == 19 || aot == 20 || aot == 23) && !br.skip_bits(3)) return false;
  return br.skip_bits(1);  // extensionFlag3
}

// 1.6.5.2 backward-compatible explicit signalling after the core config.
void read_sync_extension(BitReader& br, AacConfig& cfg) noexcept {
  uint32_t sync, ext_aot, index, rate;
  bool flag;
  if (br.bits_remaining() < 16 || !br.read_bits(11, sync) || sync != 0x2b7) return;
  if (!read_object_type(br, ext_aot) || ext_aot != kAotSbr) return;
  if (!br.read_flag(flag) || !flag || !read_frequency(br, index, rate)) return;
  cfg.sbr = true;
  cfg.sample_rate = rate;
  if (br.bits_remaining() < 12 || !br.read_bits(11, sync) || sync != 0x548) return;
  if (br.read_flag(flag) && flag) cfg.ps = true;
}

}  // namespace

Result<AacConfig> parse_aac_config(std::span<const uint8_t> asc) noexcept {
  BitReader br(asc.data(), asc.size(), false);
  AacConfig cfg;
  uint32_t aot, index, rate, channel_config;
  if (!read_object_type(br, aot) || !read_frequency(br, index, rate) ||
      !br.read_bits(4, channel_config)) {
    return kCorrupt;
  }
  if (aot == 0) return Status::fail(Errc::kInvalid, "AAC audioObjectType 0 is not valid");
  cfg.object_type = static_cast<uint8_t>(aot);
  cfg.frequency_index = static_cast<uint8_t>(index);
  cfg.core_sample_rate = cfg.sample_rate = rate;
  cfg.channel_config = static_cast<uint8_t>(channel_config);
  if (aot == kAotSbr || aot == kAotPs) {
    cfg.sbr = true;
    cfg.ps = aot == kAotPs;
    uint32_t ext_index;
    if (!read_frequency(br, ext_index, cfg.sample_rate) || !read_object_type(br, aot)) {
      return kCorrupt;
    }
    if (aot == 22 && !br.skip_bits(4)) return kCorrupt;  // extensionChannelConfiguration
  }
  cfg.core_object_type = static_cast<uint8_t>(aot);
  cfg.channels = kChannels[channel_config];
  bool ga_ok = is_ga(aot) && read_ga_config(br, aot, asc.size() * 8, cfg);
  if (ga_ok && !cfg.sbr) read_sync_extension(br, cfg);
  if (cfg.ps && cfg.channels == 1) cfg.channels = 2;
  return cfg;
}

const char* aac_profile_name(const AacConfig& cfg) noexcept {
  if (cfg.ps) return "HEv2";
  if (cfg.sbr) return "HE";
  switch (cfg.core_object_type) {
    case 1:
      return "Main";
    case 2:
      return "LC";
    case 3:
      return "SSR";
    case 4:
      return "LTP";
    default:
      return "Unknown";
  }
}

// 14496-3 1.A.2.2.1 adts_fixed_header + adts_variable_header, protection_absent = 1.
Status build_adts_header(const AacConfig& cfg, size_t raw_size,
                         uint8_t (&out)[kAdtsHeaderSize]) noexcept {
  if (cfg.core_object_type < 1 || cfg.core_object_type > 4) {
    return Status::fail(Errc::kUnsupported, "ADTS carries only AAC object types 1..4");
  }
  if (cfg.frequency_index >= 13) {
    return Status::fail(Errc::kUnsupported, "ADTS cannot carry an explicit sampling rate");
  }
  if (cfg.channel_config < 1 || cfg.channel_config > 7) {
    return Status::fail(Errc::kUnsupported, "ADTS needs channel configuration 1..7");
  }
  size_t frame_length = raw_size + kAdtsHeaderSize;  // 13 bits, header included
  if (frame_length > 0x1fff) return Status::fail(Errc::kTooLarge, "AAC frame too large for ADTS");
  unsigned profile = cfg.core_object_type - 1u;
  out[0] = 0xff;  // syncword 0xfff
  out[1] = 0xf1;  // ID 0 (MPEG-4), layer 00, protection_absent 1
  out[2] =
      static_cast<uint8_t>((profile << 6) | (cfg.frequency_index << 2) | (cfg.channel_config >> 2));
  out[3] = static_cast<uint8_t>(((cfg.channel_config & 3) << 6) | (frame_length >> 11));
  out[4] = static_cast<uint8_t>(frame_length >> 3);
  out[5] = static_cast<uint8_t>(((frame_length & 7) << 5) | 0x1f);  // buffer fullness 0x7ff (VBR)
  out[6] = 0xfc;  // rest of buffer fullness; number_of_raw_data_blocks_in_frame 0
  return Status::ok();
}

}  // namespace srs::proto::codec
