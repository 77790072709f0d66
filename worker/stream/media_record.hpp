// MediaRecord: one message of a live stream in the neutral form every source
// feeds a Publisher with, and every output (HLS, DVR) gets back from the
// ring: the kind, the timestamp and the FLV tag body (Adobe FLV 10.1 annex
// E.4: audio and video tag bodies; for metadata the AMF0 onMetaData value a
// player gets, without @setDataFrame). RTMP publishers convert with
// rtmp/rtmp_media.hpp; an edge puller, an ingest or a test does the same.
#pragma once

#include <cstdint>
#include <span>

namespace srs::worker {

enum class MediaKind : uint8_t { kAudio, kVideo, kMetadata };

struct MediaRecord {
  MediaKind kind = MediaKind::kVideo;
  uint32_t timestamp = 0;  // ms
  std::span<const uint8_t> body;
};

}  // namespace srs::worker
