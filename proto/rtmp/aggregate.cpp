// Aggregate message iteration (RTMP 1.0 section 7.1.6; FLV tag layout from
// the FLV file format specification v10.1, annex E.4.1).
#include "proto/rtmp/aggregate.hpp"

#include "base/bytes.hpp"

namespace srs::proto::rtmp {

using base::Errc;
using base::Status;

namespace {

constexpr size_t kTagHeaderSize = 11;
constexpr size_t kBackPointerSize = 4;

}  // namespace

AggregateReader::AggregateReader(const Message& aggregate) noexcept
    : header_(aggregate.header), csid_(aggregate.csid), rest_(aggregate.payload) {}

AggregateResult AggregateReader::next(Message* out) noexcept {
  if (!error_.is_ok()) return AggregateResult::kError;
  if (rest_.empty()) return AggregateResult::kEnd;
  if (rest_.size() < kTagHeaderSize) {
    error_ = Status::fail(Errc::kInvalid, "aggregate sub-tag header truncated");
    return AggregateResult::kError;
  }
  const uint8_t* p = rest_.data();
  uint8_t type = p[0] & 0x1F;  // the top bits are FLV's reserved and filter bits
  uint32_t size = base::load_be24(p + 1);
  uint32_t ts = base::load_be24(p + 4) | (uint32_t{p[7]} << 24);
  if (type != kTypeAudio && type != kTypeVideo && type != kTypeDataAmf0) {
    error_ = Status::fail(Errc::kInvalid, "aggregate sub-tag is not audio, video or data");
    return AggregateResult::kError;
  }
  if (rest_.size() - kTagHeaderSize < size + size_t{kBackPointerSize}) {
    error_ = Status::fail(Errc::kInvalid, "aggregate sub-tag larger than the aggregate");
    return AggregateResult::kError;
  }
  if (first_) {
    base_ = ts;
    first_ = false;
  }
  out->header.timestamp = header_.timestamp + (ts - base_);  // modulo 2^32
  out->header.length = size;
  out->header.type_id = type;
  out->header.stream_id = header_.stream_id;
  out->csid = csid_;
  out->payload = rest_.subspan(kTagHeaderSize, size);
  rest_ = rest_.subspan(kTagHeaderSize + size + kBackPointerSize);
  return AggregateResult::kMessage;
}

}  // namespace srs::proto::rtmp
