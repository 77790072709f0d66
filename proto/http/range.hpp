// The Range request header for one representation of a known size
// (RFC 9110 14.1.2 byte ranges, 14.2 Range, 15.3.7 206, 15.5.17 416).
//
// One range is served (206); a header we do not use (another unit, a
// syntax error, several ranges) is ignored and the whole file is sent
// (200), which 14.2 allows ("a server MAY ignore the Range header field").
#pragma once

#include <cstdint>
#include <string_view>

namespace srs::proto::http {

enum class RangeKind : uint8_t {
  kNone,           // no usable range: answer 200 with the whole representation
  kSingle,         // answer 206 with [first, last]
  kUnsatisfiable,  // answer 416 with "Content-Range: bytes */size"
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const noexcept { return last - first + 1; }
};

RangeKind parse_range(std::string_view header, uint64_t size, ByteRange* out) noexcept;

}  // namespace srs::proto::http
