// TagReader: an incremental FLV byte-stream reader (FLV v10.1 annex E.2-E.4.1).
#include "proto/flv/tag_reader.hpp"

#include <algorithm>
#include <cstring>

#include "base/bytes.hpp"

namespace srs::proto::flv {

using base::Errc;
using base::Result;
using base::Status;

namespace {
// A DataOffset past this is not a header any writer produces.
constexpr uint32_t kMaxDataOffset = 1024;
}  // namespace

TagReader::TagReader(Options options) noexcept
    : options_(options), state_(options.file_header ? State::kFileHeader : State::kTagHeader) {}

Result<ReadResult> TagReader::feed(std::span<const uint8_t> in) noexcept {
  size_t used = 0;
  Step step = Step::kContinue;
  while (step == Step::kContinue) {
    switch (state_) {
      case State::kFileHeader:
        step = on_file_header(in, used);
        break;
      case State::kSkip:
        step = on_skip(in, used);
        break;
      case State::kPreviousSize:
        step = on_previous_size(in, used);
        break;
      case State::kTagHeader:
        step = on_tag_header(in, used);
        break;
      case State::kBody:
        step = on_body(in, used);
        break;
      case State::kFailed:
        step = Step::kFailed;
        break;
    }
  }
  offset_ += used;
  if (step == Step::kFailed) return error_;
  ReadEvent event = step == Step::kEmitHeader ? ReadEvent::kFileHeader
                    : step == Step::kEmitTag  ? ReadEvent::kTag
                                              : ReadEvent::kNeedMore;
  return ReadResult{event, used};
}

// Gathers `need` bytes in scratch_; true once they are all there.
bool TagReader::fill(std::span<const uint8_t> in, size_t& used, size_t need) noexcept {
  size_t n = std::min(need - scratch_len_, in.size() - used);
  std::memcpy(scratch_ + scratch_len_, in.data() + used, n);
  scratch_len_ += n;
  used += n;
  if (scratch_len_ < need) return false;
  scratch_len_ = 0;
  return true;
}

TagReader::Step TagReader::fail(Status status) noexcept {
  error_ = status;
  state_ = State::kFailed;
  return Step::kFailed;
}

// E.2: Signature "FLV", Version UI8, TypeFlags UI8, DataOffset UI32.
TagReader::Step TagReader::on_file_header(std::span<const uint8_t> in, size_t& used) noexcept {
  if (!fill(in, used, kFileHeaderSize)) return Step::kNeedMore;
  const uint8_t* h = scratch_;
  if (h[0] != 'F' || h[1] != 'L' || h[2] != 'V') {
    return fail(Status::fail(Errc::kInvalid, "FLV signature missing"));
  }
  if (h[3] != 1) return fail(Status::fail(Errc::kUnsupported, "FLV version is not 1"));
  header_.version = h[3];
  header_.has_audio = h[4] & 0x04;
  header_.has_video = h[4] & 0x01;
  header_.data_offset = base::load_be32(h + 5);
  if (header_.data_offset < kFileHeaderSize || header_.data_offset > kMaxDataOffset) {
    return fail(Status::fail(Errc::kInvalid, "FLV DataOffset is not between 9 and 1024"));
  }
  skip_left_ = header_.data_offset - static_cast<uint32_t>(kFileHeaderSize);
  expected_previous_ = 0;  // E.3 PreviousTagSize0 is always 0
  state_ = State::kSkip;
  return Step::kEmitHeader;
}

TagReader::Step TagReader::on_skip(std::span<const uint8_t> in, size_t& used) noexcept {
  size_t n = std::min<size_t>(skip_left_, in.size() - used);
  used += n;
  skip_left_ -= static_cast<uint32_t>(n);
  if (skip_left_ > 0) return Step::kNeedMore;
  state_ = State::kPreviousSize;
  return Step::kContinue;
}

// E.3: PreviousTagSize = 11 + DataSize of the tag before (0 before the first).
TagReader::Step TagReader::on_previous_size(std::span<const uint8_t> in, size_t& used) noexcept {
  if (!fill(in, used, kPreviousTagSizeSize)) return Step::kNeedMore;
  if (base::load_be32(scratch_) != expected_previous_) {
    if (options_.strict_previous_size) {
      return fail(
          Status::fail(Errc::kInvalid, "FLV PreviousTagSize does not match the tag before"));
    }
    ++mismatches_;
  }
  state_ = State::kTagHeader;
  return Step::kContinue;
}

// E.4.1: Reserved UB[2], Filter UB[1], TagType UB[5], DataSize UI24,
// Timestamp UI24, TimestampExtended UI8, StreamID UI24.
TagReader::Step TagReader::on_tag_header(std::span<const uint8_t> in, size_t& used) noexcept {
  if (!fill(in, used, kTagHeaderSize)) return Step::kNeedMore;
  const uint8_t* h = scratch_;
  uint8_t type = h[0] & 0x1f;
  if (type != 8 && type != 9 && type != 18) {
    return fail(Status::fail(Errc::kInvalid, "FLV TagType is not 8, 9 or 18"));
  }
  data_size_ = base::load_be24(h + 1);
  if (data_size_ > options_.max_data_size) {
    return fail(Status::fail(Errc::kTooLarge, "FLV tag DataSize over the configured limit"));
  }
  tag_.type = static_cast<TagType>(type);
  tag_.filter = h[0] & 0x20;
  tag_.timestamp = base::load_be24(h + 4) | (uint32_t{h[7]} << 24);
  tag_.stream_id = base::load_be24(h + 8);
  tag_.body = {};
  body_.clear();
  state_ = State::kBody;
  return Step::kContinue;
}

TagReader::Step TagReader::on_body(std::span<const uint8_t> in, size_t& used) noexcept {
  size_t avail = in.size() - used;
  if (body_.empty() && avail >= data_size_) {  // the whole body is here: zero copy
    tag_.body = in.subspan(used, data_size_);
    used += data_size_;
  } else {
    size_t n = std::min<size_t>(data_size_ - body_.size(), avail);
    if (body_.capacity() < data_size_) body_.reserve(data_size_);
    body_.insert(body_.end(), in.data() + used, in.data() + used + n);
    used += n;
    if (body_.size() < data_size_) return Step::kNeedMore;
    tag_.body = body_;
  }
  expected_previous_ = static_cast<uint32_t>(kTagHeaderSize) + data_size_;
  state_ = State::kPreviousSize;
  return Step::kEmitTag;
}

}  // namespace srs::proto::flv
