// Amf0Reader: decodes AMF0 values one at a time from a message payload.
//
// AMF 0 File Format Specification (Adobe, 2007), section 2. The reader never
// reads past `size`, never recurses deeper than kMaxDepth, and charges every
// decoded value against a budget (limits.hpp). Errors (all Errc::kInvalid
// unless noted) say "truncated", "unknown marker", "nesting too deep",
// "count exceeds remaining bytes", "reference to unknown index", or
// kTooLarge "decoded size over budget". After an error the reader is spent.
// An AVM+ marker (0x11, section 3.1) decodes the AMF3 value that follows into
// the same Value model, with fresh AMF3 reference tables for each switch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.hpp"
#include "proto/amf/limits.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::amf {

// AMF0 type markers, section 2.1.
enum Amf0Marker : uint8_t {
  kAmf0Number = 0x00,
  kAmf0Boolean = 0x01,
  kAmf0String = 0x02,
  kAmf0Object = 0x03,
  kAmf0MovieClip = 0x04,  // reserved, not supported
  kAmf0Null = 0x05,
  kAmf0Undefined = 0x06,
  kAmf0Reference = 0x07,
  kAmf0EcmaArray = 0x08,
  kAmf0ObjectEnd = 0x09,
  kAmf0StrictArray = 0x0A,
  kAmf0Date = 0x0B,
  kAmf0LongString = 0x0C,
  kAmf0Unsupported = 0x0D,
  kAmf0RecordSet = 0x0E,  // reserved, not supported
  kAmf0XmlDocument = 0x0F,
  kAmf0TypedObject = 0x10,
  kAmf0AvmPlus = 0x11,
};

class Amf0Reader {
 public:
  Amf0Reader(const uint8_t* data, size_t size, size_t budget = kDefaultBudget) noexcept
      : data_(data), size_(size), budget_(budget) {}

  // The next value. An error leaves offset() at the value's start.
  base::Result<Value> read() noexcept;
  // Skips the next value (decoding it, so errors are the same as read()).
  [[nodiscard]] base::Status skip() noexcept;

  size_t offset() const noexcept { return pos_; }
  size_t remaining() const noexcept { return size_ - pos_; }
  bool at_end() const noexcept { return pos_ >= size_; }

 private:
  base::Status read_value(Value& out, int depth) noexcept;
  base::Status read_marker_value(uint8_t marker, Value& out, int depth) noexcept;
  base::Status read_utf8(std::string& out, size_t length_bytes) noexcept;
  base::Status read_properties(Value& out, int depth) noexcept;
  base::Status read_strict_array(Value& out, int depth) noexcept;
  base::Status read_date(Value& out) noexcept;
  base::Status read_reference(Value& out) noexcept;
  base::Status read_avm_plus(Value& out, int depth) noexcept;
  base::Status charge(size_t bytes) noexcept;
  bool has(size_t n) const noexcept { return size_ - pos_ >= n; }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t budget_;
  // Complex values seen so far (objects, typed objects, ECMA and strict
  // arrays), the AMF0 reference table of section 2.9.
  uint32_t complex_count_ = 0;
};

}  // namespace srs::proto::amf
