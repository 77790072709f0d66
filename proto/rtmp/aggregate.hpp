// Aggregate messages (type 22, RTMP 1.0 section 7.1.6): one message that
// carries several audio/video/data messages as FLV tags, each followed by its
// 4-byte back pointer (previous tag size):
//
//   type(1) size(3) timestamp(3) timestamp-ext(1) stream-id(3) data(size) back-pointer(4)
//
// The sub-messages' timestamps are re-based so the first one takes the
// aggregate's timestamp and the others keep their distance from it (SRS's
// behaviour); they take the aggregate's message stream id. Their payloads
// point into the aggregate's payload (no copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.hpp"
#include "proto/rtmp/message.hpp"

namespace srs::proto::rtmp {

enum class [[nodiscard]] AggregateResult : unsigned char{kMessage, kEnd, kError};

class AggregateReader {
 public:
  // `aggregate` must outlive the reader (its payload is pointed into).
  explicit AggregateReader(const Message& aggregate) noexcept;

  // The next sub-message into *out, kEnd after the last one, kError (see
  // error()) on a truncated tag or a type other than audio, video or data.
  AggregateResult next(Message* out) noexcept;
  base::Status error() const noexcept { return error_; }

 private:
  MessageHeader header_;
  uint32_t csid_;
  std::span<const uint8_t> rest_;
  bool first_ = true;
  uint32_t base_ = 0;  // timestamp of the first sub-tag
  base::Status error_;
};

}  // namespace srs::proto::rtmp
