// RTMP handshake state machines (RTMP 1.0 section 5.2, and the complex
// handshake described in handshake_digest.hpp).
#include "proto/rtmp/handshake.hpp"

#include <algorithm>
#include <cstring>

#include "base/bytes.hpp"

namespace srs::proto::rtmp {

using base::Errc;
using base::Status;

namespace {

// Version fields: nginx-rtmp's server version, and the Flash Player version
// SRS's client sends. ffmpeg checks S1's digest when S1[4] >= 3.
constexpr uint8_t kServerVersion[4] = {0x0D, 0x0E, 0x0A, 0x0D};
constexpr uint8_t kClientVersion[4] = {0x80, 0x00, 0x07, 0x02};

void copy_random(std::span<const uint8_t> random, uint8_t* out) noexcept {
  size_t n = std::min(random.size(), kHandshakeSize);
  if (n > 0) std::memcpy(out, random.data(), n);
  std::memset(out + n, 0, kHandshakeSize - n);
}

// Copies up to `want - *have` bytes into buf; true when buf is full.
bool gather(uint8_t* buf, size_t want, size_t* have, const uint8_t* data, size_t len,
            size_t* consumed) noexcept {
  size_t k = std::min(len, want - *have);
  if (k > 0) std::memcpy(buf + *have, data, k);
  *have += k;
  *consumed = k;
  return *have == want;
}

// A C1/S1 block (section 5.2.3): time(4), version(4) (zero: "zero" field of
// the simple handshake), random(1528).
void fill_block(uint8_t* block, uint32_t time, const uint8_t* version,
                const uint8_t* random) noexcept {
  base::store_be32(block, time);
  std::memcpy(block + 4, version, 4);
  std::memcpy(block + 8, random + 8, kHandshakeSize - 8);
}

}  // namespace

HandshakeServer::HandshakeServer(std::span<const uint8_t> random, uint32_t time) noexcept
    : time_(time) {
  copy_random(random, random_.data());
}

HandshakeResult HandshakeServer::feed(const uint8_t* data, size_t len, size_t* consumed) noexcept {
  *consumed = 0;
  out_len_ = 0;
  if (state_ == State::kError) return HandshakeResult::kError;
  if (state_ == State::kDone) return HandshakeResult::kDone;
  if (state_ == State::kC0C1) {
    // Section 5.2.5: the server waits for C0 (and C1) before it answers.
    if (in_len_ == 0 && len > 0 && data[0] != kRtmpVersion) {
      return fail(Errc::kUnsupported, "C0 version is not 3 (RTMP 1.0 5.2.2)");
    }
    if (!gather(in_.data(), in_.size(), &in_len_, data, len, consumed)) {
      return HandshakeResult::kNeedMore;
    }
    in_len_ = 0;
    return on_c0c1();
  }
  if (!gather(in_.data(), kHandshakeSize, &in_len_, data, len, consumed)) {
    return HandshakeResult::kNeedMore;
  }
  if (complex()) c2_verified_ = verify_response(s1_digest_.data(), kFpKey, kFpKeySize, in_.data());
  state_ = State::kDone;
  return HandshakeResult::kDone;
}

HandshakeResult HandshakeServer::on_c0c1() noexcept {
  const uint8_t* c1 = in_.data() + 1;
  uint8_t* s1 = out_.data() + 1;
  uint8_t* s2 = s1 + kHandshakeSize;
  out_[0] = kRtmpVersion;
  // nginx-rtmp: a zero version in C1 means the simple handshake.
  bool has_version = base::load_be32(c1 + 4) != 0;
  schema_ = has_version ? find_digest(c1, kFpKey, kFpKeyTextSize) : DigestSchema::kNone;
  if (schema_ == DigestSchema::kNone) {
    // Section 5.2.3: S1 = time, zero, random; S2 echoes C1.
    const uint8_t zero[4] = {};
    fill_block(s1, time_, zero, random_.data());
    std::memcpy(s2, c1, kHandshakeSize);
  } else {
    uint8_t c1_digest[kDigestSize];
    std::memcpy(c1_digest, c1 + digest_offset(c1, schema_), kDigestSize);
    fill_block(s1, time_, kServerVersion, random_.data());
    std::memcpy(s2, random_.data(), kHandshakeSize);
    if (!sign_block(s1, schema_, kFmsKey, kFmsKeyTextSize) ||
        !sign_response(c1_digest, kFmsKey, kFmsKeySize, s2)) {
      return fail(Errc::kSystem, "HMAC-SHA256 failed while signing S1/S2");
    }
    std::memcpy(s1_digest_.data(), s1 + digest_offset(s1, schema_), kDigestSize);
  }
  out_len_ = out_.size();
  state_ = State::kC2;
  return HandshakeResult::kSendReady;
}

HandshakeResult HandshakeServer::fail(Errc code, const char* what) noexcept {
  state_ = State::kError;
  error_ = Status::fail(code, what);
  return HandshakeResult::kError;
}

HandshakeClient::HandshakeClient(std::span<const uint8_t> random, uint32_t time,
                                 DigestSchema schema) noexcept
    : schema_(schema) {
  copy_random(random, random_.data());
  out_[0] = kRtmpVersion;
  uint8_t* c1 = out_.data() + 1;
  const uint8_t zero[4] = {};
  fill_block(c1, time, schema_ == DigestSchema::kNone ? zero : kClientVersion, random_.data());
  out_len_ = out_.size();
  if (schema_ == DigestSchema::kNone) return;
  if (!sign_block(c1, schema_, kFpKey, kFpKeyTextSize)) {
    failed_ = true;
    error_ = Status::fail(Errc::kSystem, "HMAC-SHA256 failed while signing C1");
    return;
  }
  std::memcpy(c1_digest_.data(), c1 + digest_offset(c1, schema_), kDigestSize);
}

HandshakeResult HandshakeClient::feed(const uint8_t* data, size_t len, size_t* consumed) noexcept {
  *consumed = 0;
  if (failed_) return HandshakeResult::kError;
  if (done_) return HandshakeResult::kDone;
  out_len_ = 0;
  if (in_len_ == 0 && len > 0 && data[0] != kRtmpVersion) {
    failed_ = true;
    error_ = Status::fail(Errc::kUnsupported, "S0 version is not 3 (RTMP 1.0 5.2.2)");
    return HandshakeResult::kError;
  }
  if (!gather(in_.data(), in_.size(), &in_len_, data, len, consumed)) {
    return HandshakeResult::kNeedMore;
  }
  return on_s0s1s2();
}

HandshakeResult HandshakeClient::on_s0s1s2() noexcept {
  const uint8_t* s1 = in_.data() + 1;
  const uint8_t* s2 = s1 + kHandshakeSize;
  uint8_t* c2 = out_.data();
  done_ = true;
  out_len_ = kHandshakeSize;
  s1_schema_ = find_digest(s1, kFmsKey, kFmsKeyTextSize);
  if (schema_ != DigestSchema::kNone) {
    s2_verified_ = verify_response(c1_digest_.data(), kFmsKey, kFmsKeySize, s2);
  }
  if (schema_ == DigestSchema::kNone || s1_schema_ == DigestSchema::kNone) {
    std::memcpy(c2, s1, kHandshakeSize);  // section 5.2.3: C2 echoes S1
    return HandshakeResult::kDone;
  }
  uint8_t s1_digest[kDigestSize];
  std::memcpy(s1_digest, s1 + digest_offset(s1, s1_schema_), kDigestSize);
  std::memcpy(c2, random_.data(), kHandshakeSize);
  if (!sign_response(s1_digest, kFpKey, kFpKeySize, c2)) {
    failed_ = true;
    error_ = Status::fail(Errc::kSystem, "HMAC-SHA256 failed while signing C2");
    return HandshakeResult::kError;
  }
  return HandshakeResult::kDone;
}

}  // namespace srs::proto::rtmp
