// The "complex" RTMP handshake of Flash Player 9+ and FMS: where the
// HMAC-SHA256 digest sits inside a 1536-byte C1/S1 block, how it is computed
// and checked, and how the C2/S2 answer to a digest is signed. Undocumented
// by Adobe; the layout is the one nginx-rtmp (ngx_rtmp_handshake.c), SRS and
// librtmp/ffmpeg agree on. RTMP 1.0 section 5.2 gives only the block sizes.
//
// A C1/S1 block: time(4) version(4) then two 764-byte halves. One half holds
// a 4-byte offset field and the digest somewhere after it:
//   base 8   ("schema 1", digest first):  offset field at 8..11,
//            digest at 12 + (sum of bytes 8..11) % 728
//   base 772 ("schema 0", key first):     offset field at 772..775,
//            digest at 776 + (sum of bytes 772..775) % 728
// The digest is HMAC-SHA256 over the other 1504 bytes, keyed with the first
// 30 bytes of kFpKey (client) or 36 bytes of kFmsKey (server).
#pragma once

#include <cstddef>
#include <cstdint>

namespace srs::proto::rtmp {

inline constexpr size_t kHandshakeSize = 1536;  // C1, S1, C2, S2 (section 5.2.3)
inline constexpr uint8_t kRtmpVersion = 3;      // C0, S0 (section 5.2.2)
inline constexpr size_t kDigestSize = 32;       // SHA-256

// "Genuine Adobe Flash Player 001" (30) + a 32-byte constant = 62 bytes.
inline constexpr size_t kFpKeyTextSize = 30;
inline constexpr size_t kFpKeySize = 62;
extern const uint8_t kFpKey[kFpKeySize];
// "Genuine Adobe Flash Media Server 001" (36) + the same constant = 68 bytes.
inline constexpr size_t kFmsKeyTextSize = 36;
inline constexpr size_t kFmsKeySize = 68;
extern const uint8_t kFmsKey[kFmsKeySize];

enum class DigestSchema : unsigned char { kNone, kBase772, kBase8 };

const char* digest_schema_name(DigestSchema schema) noexcept;

// Where the digest sits in `block` (1536 bytes) for that schema.
size_t digest_offset(const uint8_t* block, DigestSchema schema) noexcept;

// HMAC-SHA256 (OpenSSL). False only if OpenSSL fails.
bool hmac_sha256(const uint8_t* key, size_t key_len, const uint8_t* data, size_t len,
                 uint8_t out[kDigestSize]) noexcept;

// The digest of a block: HMAC over its 1504 bytes other than the digest.
bool block_digest(const uint8_t* block, DigestSchema schema, const uint8_t* key, size_t key_len,
                  uint8_t out[kDigestSize]) noexcept;

// The schema whose digest verifies with `key`, trying base 772 then base 8
// (nginx-rtmp's order); kNone when neither does.
DigestSchema find_digest(const uint8_t* block, const uint8_t* key, size_t key_len) noexcept;

// Writes the digest into `block` (its other bytes already final).
bool sign_block(uint8_t* block, DigestSchema schema, const uint8_t* key, size_t key_len) noexcept;

// The C2/S2 answer to a peer's digest: `block`'s first 1504 bytes (random)
// are kept, the last 32 become HMAC(block[0..1504], HMAC(peer_digest, key)),
// with the full 62-byte FP key for C2 and 68-byte FMS key for S2.
bool sign_response(const uint8_t* peer_digest, const uint8_t* key, size_t key_len,
                   uint8_t* block) noexcept;
bool verify_response(const uint8_t* our_digest, const uint8_t* key, size_t key_len,
                     const uint8_t* block) noexcept;

}  // namespace srs::proto::rtmp
