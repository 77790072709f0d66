// The RTMP handshake, both ends (RTMP 1.0 section 5.2), simple and complex.
//
// HandshakeServer reads C0 C1, answers S0 S1 S2 in one piece, then reads C2.
// A C1 that carries a valid Flash Player digest (either schema, see
// handshake_digest.hpp) gets a complex answer: S1 signed in the same schema
// with the FMS key and S2 signed from C1's digest, which ffmpeg checks. Any
// other C1 gets the simple answer of section 5.2.3: S1 with a zero version,
// S2 = C1.
//
// HandshakeClient sends C0 C1 (complex by default, as Flash Player and
// librtmp do, so it also works against servers that insist), reads S0 S1 S2
// and answers C2: signed from S1's digest when S1 has one, else S1 echoed.
// It accepts any S1/S2 and reports whether their digests verified.
//
// No clock and no random source of their own: the caller passes the time
// field and 1536 random bytes. Both are resumable: feed() takes any split.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"
#include "proto/rtmp/handshake_digest.hpp"

namespace srs::proto::rtmp {

enum class [[nodiscard]] HandshakeResult : unsigned char{
    kNeedMore,   // every byte given was used; feed more
    kSendReady,  // output() holds bytes to send now, then feed the rest
    kDone,       // handshake complete; send output() if not empty; the rest
                 // of the input (after *consumed) is the chunk stream
    kError,      // error() says why; close the connection
};

class HandshakeServer {
 public:
  // `random`: 1536 bytes from the caller's generator (fewer are padded with
  // zeros); `time`: the S1 time field (section 5.2.3), e.g. ms since start.
  HandshakeServer(std::span<const uint8_t> random, uint32_t time) noexcept;

  HandshakeResult feed(const uint8_t* data, size_t len, size_t* consumed) noexcept;

  // S0 S1 S2 after kSendReady, until the next feed().
  std::span<const uint8_t> output() const noexcept { return {out_.data(), out_len_}; }
  base::Status error() const noexcept { return error_; }
  bool complex() const noexcept { return schema_ != DigestSchema::kNone; }
  DigestSchema schema() const noexcept { return schema_; }
  // A complex client's C2 verified against our S1 (not required to finish).
  bool c2_verified() const noexcept { return c2_verified_; }

 private:
  enum class State : unsigned char { kC0C1, kC2, kDone, kError };

  HandshakeResult on_c0c1() noexcept;
  HandshakeResult fail(base::Errc code, const char* what) noexcept;

  State state_ = State::kC0C1;
  std::array<uint8_t, kHandshakeSize> random_{};
  uint32_t time_ = 0;
  std::array<uint8_t, 1 + kHandshakeSize> in_{};  // C0 C1, then C2
  size_t in_len_ = 0;
  std::array<uint8_t, 1 + 2 * kHandshakeSize> out_{};  // S0 S1 S2
  size_t out_len_ = 0;
  DigestSchema schema_ = DigestSchema::kNone;
  std::array<uint8_t, kDigestSize> s1_digest_{};
  bool c2_verified_ = false;
  base::Status error_;
};

class HandshakeClient {
 public:
  // `random` and `time` as for the server. `schema` kNone sends a simple C1
  // (zero version, no digest).
  HandshakeClient(std::span<const uint8_t> random, uint32_t time,
                  DigestSchema schema = DigestSchema::kBase8) noexcept;

  // C0 C1 right after construction; C2 after kDone.
  std::span<const uint8_t> output() const noexcept { return {out_.data(), out_len_}; }

  // Reads S0 S1 S2; kDone when all arrived (output() is then C2).
  HandshakeResult feed(const uint8_t* data, size_t len, size_t* consumed) noexcept;

  base::Status error() const noexcept { return error_; }
  // S1 carried a valid FMS digest (schema says where).
  bool s1_verified() const noexcept { return s1_schema_ != DigestSchema::kNone; }
  DigestSchema s1_schema() const noexcept { return s1_schema_; }
  // S2 was signed from our C1 digest.
  bool s2_verified() const noexcept { return s2_verified_; }

 private:
  HandshakeResult on_s0s1s2() noexcept;

  bool done_ = false;
  bool failed_ = false;
  std::array<uint8_t, 1 + kHandshakeSize> out_{};  // C0 C1, then C2
  size_t out_len_ = 0;
  std::array<uint8_t, kHandshakeSize> random_{};
  DigestSchema schema_;
  std::array<uint8_t, kDigestSize> c1_digest_{};
  std::array<uint8_t, 1 + 2 * kHandshakeSize> in_{};  // S0 S1 S2
  size_t in_len_ = 0;
  DigestSchema s1_schema_ = DigestSchema::kNone;
  bool s2_verified_ = false;
  base::Status error_;
};

}  // namespace srs::proto::rtmp
