// MediaSource: what a publisher sends, one FLV-style tag at a time, in
// timestamp order (FLV v10.1 E.4.1: type, timestamp, body). The synthetic
// generator and the FLV file loop both implement it; the publisher paces the
// frames by their timestamps and writes a latency stamp where stamp_offset says.
#pragma once

#include <cstdint>
#include <span>

#include "proto/flv/tag.hpp"

namespace srs::tools::srs_bench {

struct MediaFrame {
  proto::flv::TagType type = proto::flv::TagType::kVideo;
  uint32_t timestamp = 0;  // ms from the start of the stream
  bool keyframe = false;
  bool sequence_header = false;
  std::span<uint8_t> body;  // valid until the next take(); writable for the stamp
  int stamp_offset = -1;    // where write_stamp() goes in body, or -1
};

class MediaSource {
 public:
  virtual ~MediaSource() = default;
  // Timestamp (ms) of the frame the next take() returns.
  virtual uint32_t next_timestamp() const noexcept = 0;
  virtual MediaFrame take() noexcept = 0;
};

}  // namespace srs::tools::srs_bench
