// libFuzzer target: ChunkReader on an arbitrary chunk stream (no handshake),
// fed in pieces whose size comes from the first input byte, with small
// limits so the bounds are reached. Every message is also run through the
// decoder that applies to its type (control, user control, aggregate).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/rtmp/aggregate.hpp"
#include "proto/rtmp/chunk_reader.hpp"

using namespace srs::proto::rtmp;

namespace {

void inspect(const Message& m) {
  if (m.payload.size() != m.header.length) abort();
  if (is_protocol_control(m.header.type_id)) {
    (void)decode_control(m.header.type_id, m.payload);
  }
  if (m.header.type_id == kTypeUserControl) (void)decode_user_control(m.payload);
  if (m.header.type_id != kTypeAggregate) return;
  AggregateReader agg(m);
  Message sub;
  for (int i = 0; i < 100000 && agg.next(&sub) == AggregateResult::kMessage; ++i) {
    if (sub.payload.data() < m.payload.data() ||
        sub.payload.data() + sub.payload.size() > m.payload.data() + m.payload.size()) {
      abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t piece = data[0] == 0 ? size : data[0];
  ChunkReaderLimits limits;
  limits.max_message_size = 256 * 1024;
  limits.max_chunk_size = 64 * 1024;
  limits.max_chunk_streams = 8;
  limits.max_buffered_bytes = 512 * 1024;
  ChunkReader reader(limits);
  size_t pos = 1;
  while (pos < size) {
    size_t n = size - pos < piece ? size - pos : piece;
    const uint8_t* p = data + pos;
    for (int rounds = 0; n > 0; ++rounds) {
      if (rounds > 1000000) abort();  // no progress: a hang
      size_t used = 0;
      ReadResult r = reader.feed(p, n, &used);
      if (used > n) abort();
      p += used;
      n -= used;
      pos += used;
      if (r == ReadResult::kError) return 0;
      if (r == ReadResult::kNeedMore) {
        if (n != 0) abort();
        break;
      }
      inspect(reader.message());
      if (reader.ack_due()) (void)reader.take_ack();
    }
  }
  return 0;
}
