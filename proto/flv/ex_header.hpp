// Enhanced RTMP v2 (veovera) header parts that audio and video share: FourCC
// values, the ModEx loop and the multitrack walk ("Enhanced Audio" and
// "Enhanced Video" sections; "Multitrack Streaming via Enhanced RTMP").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"
#include "proto/codec/byte_cursor.hpp"

namespace srs::proto::flv {

constexpr uint32_t make_fourcc(char a, char b, char c, char d) noexcept {
  return (uint32_t(uint8_t(a)) << 24) | (uint32_t(uint8_t(b)) << 16) | (uint32_t(uint8_t(c)) << 8) |
         uint32_t(uint8_t(d));
}

// AvMultitrackType.
enum class MultitrackType : uint8_t { kOneTrack = 0, kManyTracks = 1, kManyTracksManyCodecs = 2 };

// The ModEx packet type is 7 for audio and video alike; TimestampOffsetNano
// (ModExType 0) carries a UI24 of nanoseconds in its first three data bytes.
inline constexpr uint8_t kPacketTypeModEx = 7;

// Reads ModEx entries while `packet_type` is ModEx: modExDataSize = UI8 + 1
// (UI16 + 1 when that is 256), modExData, then UB[4] modExType and UB[4] the
// next packet type. Leaves `packet_type` at the first non-ModEx type.
[[nodiscard]] base::Status read_mod_ex(codec::ByteCursor& c, uint8_t& packet_type,
                                       uint32_t& nano_offset) noexcept;

// The first track of a multitrack body and how many tracks there were.
struct FirstTrack {
  uint32_t fourcc = 0;
  uint8_t track_id = 0;
  uint32_t track_count = 0;
  size_t offset = 0;  // of the payload in the body the cursor walks
  std::span<const uint8_t> payload;
};

// Walks every track after the multitrack header to the end of the body:
// [FourCC if ManyTracksManyCodecs] trackId UI8 [sizeOfTrack UI24 unless
// OneTrack] payload. `shared_fourcc` is the header's FourCC for the other
// types. Every size is checked against the body; the first track is returned.
[[nodiscard]] base::Status walk_tracks(codec::ByteCursor& c, MultitrackType type,
                                       uint32_t shared_fourcc, FirstTrack& first) noexcept;

}  // namespace srs::proto::flv
