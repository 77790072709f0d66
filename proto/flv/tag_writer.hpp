// FLV framing for bodies held elsewhere (FLV v10.1 annex E.2, E.3, E.4.1).
//
// HTTP-FLV and DVR write each tag as three iovecs: the 11-byte tag header from
// here, the body straight from the shared ring, the 4-byte PreviousTagSize from
// here. Nothing copies the body.
#pragma once

#include <cstdint>

#include "base/status.hpp"
#include "proto/flv/tag.hpp"

namespace srs::proto::flv {

// 9-byte FLV header + PreviousTagSize0 (= 0): what starts every file/response.
inline constexpr size_t kFileStartSize = kFileHeaderSize + kPreviousTagSizeSize;

// Writes "FLV", version 1, TypeFlagsAudio/TypeFlagsVideo, DataOffset 9 and
// PreviousTagSize0.
void write_file_start(bool has_audio, bool has_video, uint8_t (&out)[kFileStartSize]) noexcept;

// The bytes that go around one tag body.
struct TagFraming {
  uint8_t header[kTagHeaderSize];               // before the body
  uint8_t previous_size[kPreviousTagSizeSize];  // after it: 11 + DataSize
};

// Frames a body of `data_size` bytes: the timestamp's low 24 bits go in
// Timestamp, the top 8 in TimestampExtended; StreamID is 0. kTooLarge when
// data_size does not fit UI24.
[[nodiscard]] base::Status make_tag_framing(TagType type, uint32_t timestamp, uint32_t data_size,
                                            TagFraming& out) noexcept;

}  // namespace srs::proto::flv
