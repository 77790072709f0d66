// libFuzzer target: the HLS Segmenter (and through it the MPEG-TS Muxer and
// the FLV/codec parsers) fed arbitrary audio/video messages. Input: a list of
// records {kind u8 (bit 0: video, bit 1: unpublish first), timestamp delta
// u16 BE (ms, signed), size u16 BE, body}. Checks what a caller relies on:
// file operations in a valid order, whole 0x47-synced 188-byte packets, a
// target duration that never changes, media sequence numbers that only grow.
// The same input is also parsed as playlist text (parse_playlist), and every
// playlist written must parse back to the segmenter's numbers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "proto/hls/segmenter.hpp"

using namespace srs::proto::hls;

namespace {

struct Checker {
  bool open = false;
  size_t bytes = 0;  // of the open segment
  uint64_t last_seq = 0;
  bool any = false;
  std::string target;

  void op(const FileOp& op, const Segmenter& seg) {
    switch (op.kind) {
      case FileOpKind::kOpen:
        if (open) abort();
        if (any && op.sequence <= last_seq) abort();
        open = true, any = true, last_seq = op.sequence, bytes = 0;
        break;
      case FileOpKind::kAppend:
        if (!open || op.bytes.size() % 188) abort();
        for (size_t i = 0; i < op.bytes.size(); i += 188)
          if (op.bytes[i] != 0x47) abort();
        bytes += op.bytes.size();
        break;
      case FileOpKind::kClose:
        if (!open || op.sequence != last_seq || bytes < 2 * 188) abort();
        open = false;
        break;
      case FileOpKind::kWritePlaylist: {
        std::string text(op.bytes.begin(), op.bytes.end());
        auto at = text.find("#EXT-X-TARGETDURATION:");
        if (at == std::string::npos) abort();
        std::string td = text.substr(at, text.find('\n', at) - at);
        if (!target.empty() && td != target) abort();
        target = td;
        if (text != seg.playlist_text()) abort();
        break;
      }
      case FileOpKind::kDelete:
        break;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SegmenterConfig cfg;
  cfg.app = "live";
  cfg.stream = "fuzz";
  cfg.fragment_ms = 1000;
  cfg.window_ms = 3000;
  Segmenter seg(cfg);
  Output out;
  Checker check;
  uint32_t ts = 0;
  uint64_t now = 0;
  size_t pos = 0;
  while (pos + 5 <= size) {
    uint8_t kind = data[pos];
    auto delta = static_cast<int16_t>(srs::base::load_be16(data + pos + 1));
    size_t n = srs::base::load_be16(data + pos + 3);
    pos += 5;
    if (n > size - pos) n = size - pos;
    std::span<const uint8_t> body(data + pos, n);
    pos += n;
    ts = static_cast<uint32_t>(int64_t{ts} + delta);
    now += 10;
    if (kind & 2) {
      seg.on_unpublish(now, false, out);
      for (const auto& op : out.ops) check.op(op, seg);
    }
    if (kind & 1)
      seg.on_video(ts, body, now, out);
    else
      seg.on_audio(ts, body, now, out);
    for (const auto& op : out.ops) check.op(op, seg);
  }
  seg.on_unpublish(now, true, out);
  for (const auto& op : out.ops) check.op(op, seg);
  if (check.open) abort();
  if (!seg.state().segments.empty()) {
    auto back = parse_playlist(seg.playlist_text(), seg.playlist_path());
    if (!back.is_ok() || back->next_sequence != seg.state().next_sequence ||
        back->segments.size() != seg.state().segments.size())
      abort();
  }
  (void)parse_playlist({reinterpret_cast<const char*>(data), size}, "live/fuzz.m3u8");
  seg.dispose(out);
  return 0;
}
