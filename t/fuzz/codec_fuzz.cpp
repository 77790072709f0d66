// libFuzzer target: the codec header parsers on arbitrary bytes. The first
// byte picks the parser; the rest is its input. Results that claim a size are
// checked against the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "proto/codec/aac_config.hpp"
#include "proto/codec/avc_config.hpp"
#include "proto/codec/avc_sps.hpp"
#include "proto/codec/hevc_config.hpp"
#include "proto/codec/hevc_sps.hpp"
#include "proto/codec/mp3_header.hpp"
#include "proto/codec/nalu.hpp"

using namespace srs::proto::codec;

namespace {

void avc(std::span<const uint8_t> in) {
  auto cfg = parse_avc_config(in);
  if (!cfg.is_ok()) return;
  for (size_t i = 0; i < cfg->sps_count; ++i) (void)parse_avc_sps(cfg->sps[i]);
  std::vector<uint8_t> out(in.size() + 64);
  auto n = build_avc_config(std::span(cfg->sps, cfg->sps_count),
                            std::span(cfg->pps, cfg->pps_count), out);
  if (n.is_ok() && cfg->sps_count > 0 && !parse_avc_config(std::span(out).first(*n)).is_ok())
    abort();
}

void hevc(std::span<const uint8_t> in) {
  auto cfg = parse_hevc_config(in);
  if (!cfg.is_ok()) return;
  for (size_t i = 0; i < cfg->sps_count; ++i) (void)parse_hevc_sps(cfg->sps[i]);
}

void aac(std::span<const uint8_t> in) {
  auto cfg = parse_aac_config(in);
  uint8_t adts[kAdtsHeaderSize];
  if (cfg.is_ok()) (void)build_adts_header(*cfg, in.size(), adts);
}

void annexb(std::span<const uint8_t> in, unsigned length_size) {
  auto need = annexb_size(in, length_size);
  if (!need.is_ok()) return;
  std::vector<uint8_t> out(*need);
  auto n = to_annexb(in, length_size, out);
  if (!n.is_ok() || *n != *need) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::span<const uint8_t> in(data + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      avc(in);
      break;
    case 1:
      (void)parse_avc_sps(in);
      break;
    case 2:
      hevc(in);
      break;
    case 3:
      (void)parse_hevc_sps(in);
      break;
    case 4:
      aac(in);
      break;
    case 5:
      (void)parse_mp3_header(in);
      break;
    case 6:
      annexb(in, 4);
      break;
    default:
      annexb(in, 1 + (data[0] >> 7));
      break;
  }
  return 0;
}
