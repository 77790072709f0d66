// Length-prefixed NAL units (the "AVCC"/"HVCC" form RTMP and FLV carry) and
// their conversion to Annex B byte streams (start codes) for MPEG-TS.
//
// ISO/IEC 14496-15 5.3.3 (AVC) and 8.3.3 (HEVC): each NAL unit in a sample is
// preceded by its size in lengthSizeMinusOne + 1 bytes (1, 2 or 4). ITU-T
// H.264 Annex B: a byte stream separates NAL units with 00 00 00 01.
//
// Two ways out, both without allocation: `to_annexb` into a caller buffer
// (size it with `annexb_size`), or `LengthPrefixedNalus` plus
// `kAnnexbStartCode` to build an iovec list that points into the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"

namespace srs::proto::codec {

inline constexpr uint8_t kAnnexbStartCode[4] = {0, 0, 0, 1};

// Walks the NAL units of one length-prefixed payload.
class LengthPrefixedNalus {
 public:
  // `length_size` must be 1, 2 or 4 (3 is not allowed by 14496-15 either);
  // anything else makes the first next() fail.
  LengthPrefixedNalus(std::span<const uint8_t> payload, unsigned length_size) noexcept
      : data_(payload), length_size_(length_size) {}

  // Sets `nalu` to the next NAL unit and returns true; false at the end or on
  // a malformed payload, and then status() says which.
  [[nodiscard]] bool next(std::span<const uint8_t>& nalu) noexcept;
  const base::Status& status() const noexcept { return status_; }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  unsigned length_size_;
  base::Status status_;
};

// The Annex B size of a length-prefixed payload (a 4-byte start code per NAL unit).
[[nodiscard]] base::Result<size_t> annexb_size(std::span<const uint8_t> payload,
                                               unsigned length_size) noexcept;

// Writes the payload as an Annex B byte stream into `out`; returns the bytes
// written. kTooLarge when `out` is too small; `out` may not alias `payload`.
[[nodiscard]] base::Result<size_t> to_annexb(std::span<const uint8_t> payload, unsigned length_size,
                                             std::span<uint8_t> out) noexcept;

}  // namespace srs::proto::codec
