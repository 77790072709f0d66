// TagReader: an incremental FLV byte-stream reader (FLV v10.1 annex E.2-E.4.1).
//
// Feed it bytes as they arrive, split anywhere; it returns one event at a
// time (the file header, then each tag) with how many input bytes it used.
// A tag whose bytes arrive in one feed is returned as a span into that input
// (zero copy); a tag split across feeds is gathered in one internal buffer,
// reused from tag to tag and bounded by Options::max_data_size. Tag bodies stay
// valid until the next feed(). Errors are sticky and say what was wrong;
// offset() says where.
//
// Also reads a header-less run of tags (tag, PreviousTagSize, tag, ...), the
// layout of an RTMP aggregate message body, with Options::file_header = false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.hpp"
#include "proto/flv/tag.hpp"

namespace srs::proto::flv {

enum class ReadEvent : uint8_t {
  kNeedMore,    // every byte given was used; feed more
  kFileHeader,  // file_header() is set
  kTag,         // tag() is set
};

struct ReadResult {
  ReadEvent event = ReadEvent::kNeedMore;
  size_t consumed = 0;  // bytes of the input used; feed the rest again
};

class TagReader {
 public:
  struct Options {
    uint32_t max_data_size = 8u << 20;  // larger DataSize: kTooLarge
    bool file_header = true;            // false: the stream starts at a tag header
    bool strict_previous_size = false;  // true: a wrong PreviousTagSize is kInvalid
  };

  TagReader() noexcept : TagReader(Options{}) {}
  explicit TagReader(Options options) noexcept;

  [[nodiscard]] base::Result<ReadResult> feed(std::span<const uint8_t> in) noexcept;

  const FileHeader& file_header() const noexcept { return header_; }
  const Tag& tag() const noexcept { return tag_; }
  uint64_t offset() const noexcept { return offset_; }  // stream bytes consumed so far
  // PreviousTagSize values that did not match (counted when not strict).
  uint64_t previous_size_mismatches() const noexcept { return mismatches_; }

 private:
  enum class State : uint8_t { kFileHeader, kSkip, kPreviousSize, kTagHeader, kBody, kFailed };
  enum class Step : uint8_t { kContinue, kNeedMore, kEmitHeader, kEmitTag, kFailed };

  bool fill(std::span<const uint8_t> in, size_t& used, size_t need) noexcept;
  Step on_file_header(std::span<const uint8_t> in, size_t& used) noexcept;
  Step on_skip(std::span<const uint8_t> in, size_t& used) noexcept;
  Step on_previous_size(std::span<const uint8_t> in, size_t& used) noexcept;
  Step on_tag_header(std::span<const uint8_t> in, size_t& used) noexcept;
  Step on_body(std::span<const uint8_t> in, size_t& used) noexcept;
  Step fail(base::Status status) noexcept;

  Options options_;
  State state_;
  FileHeader header_;
  Tag tag_;
  base::Status error_;
  uint8_t scratch_[kTagHeaderSize];  // a header split across feeds
  size_t scratch_len_ = 0;
  uint32_t skip_left_ = 0;          // DataOffset beyond the 9-byte header
  uint32_t data_size_ = 0;          // of the tag being read
  uint32_t expected_previous_ = 0;  // PreviousTagSize due next
  std::vector<uint8_t> body_;       // a body split across feeds
  uint64_t offset_ = 0;
  uint64_t mismatches_ = 0;
};

}  // namespace srs::proto::flv
