// libFuzzer target: TagReader on an arbitrary byte stream fed in pieces whose
// size comes from the first input byte, with a small tag limit. Every tag body
// goes through the classifiers, and every sequence header through the codec
// parsers and the summary, as a server would on publish.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/flv/audio_tag.hpp"
#include "proto/flv/codec_summary.hpp"
#include "proto/flv/tag_reader.hpp"
#include "proto/flv/video_tag.hpp"

using namespace srs::proto::flv;

namespace {

void inspect(const Tag& tag) {
  CodecSummary summary;
  if (tag.type == TagType::kVideo) {
    auto info = classify_video(tag.body);
    if (info.is_ok() && info->payload_offset + info->payload_size > tag.body.size()) abort();
    (void)summarize_video(tag.body, summary);
  }
  if (tag.type == TagType::kAudio) {
    auto info = classify_audio(tag.body);
    if (info.is_ok() && info->payload_offset + info->payload_size > tag.body.size()) abort();
    (void)summarize_audio(tag.body, summary);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t piece = data[0] == 0 ? size : data[0];
  TagReader::Options options;
  options.max_data_size = 64 * 1024;
  options.file_header = (data[0] & 1) == 0;
  TagReader reader(options);
  size_t pos = 1;
  while (pos < size) {
    size_t n = size - pos < piece ? size - pos : piece;
    std::span<const uint8_t> in(data + pos, n);
    pos += n;
    for (int rounds = 0;; ++rounds) {
      if (rounds > 1000000) abort();  // no progress: a hang
      auto r = reader.feed(in);
      if (!r.is_ok()) return 0;
      if (r->consumed > in.size()) abort();
      in = in.subspan(r->consumed);
      if (r->event == ReadEvent::kTag) inspect(reader.tag());
      if (r->event == ReadEvent::kNeedMore) break;
    }
    if (!in.empty()) abort();  // kNeedMore must mean every byte was used
  }
  return 0;
}
