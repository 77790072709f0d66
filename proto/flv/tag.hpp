// FLV file and tag layout (FLV v10.1 annex E.2, E.3): the constants and plain
// values that TagReader produces and TagWriter frames. RTMP audio, video and
// data messages carry the same tag bodies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace srs::proto::flv {

// E.4.1 TagType (5 bits).
enum class TagType : uint8_t { kAudio = 8, kVideo = 9, kScript = 18 };

inline constexpr size_t kFileHeaderSize = 9;        // E.2 "FLV", version, flags, DataOffset
inline constexpr size_t kPreviousTagSizeSize = 4;   // E.3 UI32 PreviousTagSize
inline constexpr size_t kTagHeaderSize = 11;        // E.4.1 up to and including StreamID
inline constexpr uint32_t kMaxDataSize = 0xffffff;  // DataSize is UI24

// E.2 FLV header.
struct FileHeader {
  uint8_t version = 1;
  bool has_audio = false;  // TypeFlagsAudio, 0x04
  bool has_video = false;  // TypeFlagsVideo, 0x01
  uint32_t data_offset = kFileHeaderSize;
};

// E.4.1 FLVTAG.
struct Tag {
  TagType type = TagType::kScript;
  bool filter = false;     // Filter: the body is encrypted (E.4.1) and cannot be classified
  uint32_t timestamp = 0;  // ms: Timestamp | TimestampExtended << 24
  uint32_t stream_id = 0;  // always 0 in files
  std::span<const uint8_t> body;
};

}  // namespace srs::proto::flv
