// libFuzzer target: HandshakeServer and HandshakeClient on arbitrary bytes,
// cut into pieces whose sizes come from the input's first byte. Neither may
// crash, hang, read out of bounds or consume more than it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "proto/rtmp/handshake.hpp"

using namespace srs::proto::rtmp;

namespace {

template <typename Handshake>
void drive(Handshake& hs, const uint8_t* data, size_t size, size_t piece) {
  size_t pos = 0;
  for (int rounds = 0; pos < size && rounds < 100000; ++rounds) {
    size_t n = piece == 0 ? size - pos : (size - pos < piece ? size - pos : piece);
    size_t used = 0;
    HandshakeResult r = hs.feed(data + pos, n, &used);
    if (used > n) abort();
    pos += used;
    if (r == HandshakeResult::kError || r == HandshakeResult::kDone) return;
    if (r == HandshakeResult::kNeedMore && used != n) abort();
    volatile size_t sink = hs.output().size();
    (void)sink;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t piece = data[0] == 0 ? 0 : data[0] * 13u;
  std::vector<uint8_t> random(kHandshakeSize, 0x5A);
  HandshakeServer server(random, 1);
  drive(server, data + 1, size - 1, piece);
  HandshakeClient client(random, 2, data[0] & 1 ? DigestSchema::kBase772 : DigestSchema::kBase8);
  drive(client, data + 1, size - 1, piece);
  return 0;
}
