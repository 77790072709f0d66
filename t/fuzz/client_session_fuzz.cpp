// libFuzzer target: ClientSession on arbitrary server bytes after a valid
// handshake (a HandshakeServer answers the session's C0 C1). The first input
// byte picks the role (bit 0: publisher) and the piece size (the other bits,
// 0: all at once); the rest is the server's chunk stream. The seeds in
// corpus/client_session/ are the scripted server's replies from
// t/unit/proto/rtmp/client_session_test_util.hpp, so the fuzzer starts deep in the
// flows. The session may never crash, hang, use more bytes than it was given
// or hand out a message whose payload differs from its header's length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "proto/amf/value.hpp"
#include "proto/rtmp/client_session.hpp"

using namespace srs::proto::rtmp;

namespace {

ClientConfig config_for(bool publish) {
  ClientConfig c;
  c.role = publish ? ClientRole::kPublish : ClientRole::kPlay;
  c.tc_url = "rtmp://127.0.0.1/live";
  c.app = "live";
  c.stream = "cam1";
  c.handshake = DigestSchema::kNone;
  c.identity.sig = "SRS";
  c.identity.id = "fuzz";
  c.limits.max_message_size = 256 * 1024;
  c.limits.max_chunk_size = 64 * 1024;
  c.limits.max_chunk_streams = 8;
  c.limits.max_buffered_bytes = 512 * 1024;
  return c;
}

// What a caller does with an event: publishers send media once live.
void react(ClientSession& s, std::vector<uint8_t>* out) {
  if (s.event() == ClientEvent::kMessage &&
      s.message().payload.size() != s.message().header.length) {
    abort();
  }
  if (s.event() != ClientEvent::kLive || s.role() != ClientRole::kPublish) return;
  if (!s.send_metadata(srs::proto::amf::Value::ecma_array(), out).is_ok()) abort();
  const uint8_t frame[300] = {0x17, 0x01};
  if (!s.send_media(kTypeVideo, 40, frame, out).is_ok()) abort();
}

// Feeds one piece; false once the session failed.
bool feed(ClientSession& s, const uint8_t* p, size_t n, std::vector<uint8_t>* out) {
  for (int rounds = 0;; ++rounds) {
    if (rounds > 1000000) abort();  // no progress: a hang
    size_t used = 0;
    ClientResult r = s.feed(p, n, &used, out);
    if (used > n) abort();
    p += used;
    n -= used;
    if (r == ClientResult::kError) {
      if (s.error_text().empty()) abort();  // every error says what failed
      return false;
    }
    if (r == ClientResult::kNeedMore) {
      if (n != 0) abort();
      return true;
    }
    react(s, out);
    if (out->size() > (1u << 20)) out->clear();  // the socket's job: keep memory flat
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t piece = data[0] >> 1;
  std::vector<uint8_t> random(kHandshakeSize, 0x5A);
  ClientSession s(config_for((data[0] & 1) != 0), random);
  std::vector<uint8_t> out;
  if (!s.start(&out).is_ok()) abort();
  HandshakeServer server(random, 1);
  size_t used = 0;
  if (server.feed(out.data(), out.size(), &used) != HandshakeResult::kSendReady) abort();
  std::vector<uint8_t> s012(server.output().begin(), server.output().end());
  if (!feed(s, s012.data(), s012.size(), &out) || s.state() != ClientState::kConnecting) abort();
  size_t pos = 1;
  while (pos < size) {
    size_t n = piece == 0 ? size - pos : (size - pos < piece ? size - pos : piece);
    if (!feed(s, data + pos, n, &out)) return 0;
    pos += n;
  }
  return 0;
}
