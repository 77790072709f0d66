// Amf0Reader: AMF0 decoding, AMF 0 File Format Specification section 2.
#include "proto/amf/amf0_reader.hpp"

#include "base/bytes.hpp"
#include "proto/amf/amf3_reader.hpp"

namespace srs::proto::amf {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kTruncated = Status::fail(Errc::kInvalid, "amf0: truncated");
constexpr Status kUnknownMarker = Status::fail(Errc::kInvalid, "amf0: unknown marker");
constexpr Status kTooDeep = Status::fail(Errc::kInvalid, "amf0: nesting too deep");
// The payload ends before a count's items could: that is a truncation too.
constexpr Status kCountTooLarge =
    Status::fail(Errc::kInvalid, "amf0: truncated (count exceeds remaining bytes)");
constexpr Status kBadReference = Status::fail(Errc::kInvalid, "amf0: reference to unknown index");
constexpr Status kOverBudget = Status::fail(Errc::kTooLarge, "amf0: decoded size over budget");
constexpr Status kStrayEnd =
    Status::fail(Errc::kInvalid, "amf0: object-end marker outside an object");
constexpr Status kReserved =
    Status::fail(Errc::kUnsupported, "amf0: reserved marker (movieclip or recordset)");

}  // namespace

Result<Value> Amf0Reader::read() noexcept {
  size_t start = pos_;
  Value out;
  Status st = read_value(out, 0);
  if (!st.is_ok()) {
    pos_ = start;
    return st;
  }
  return out;
}

Status Amf0Reader::skip() noexcept {
  Value ignored;
  size_t start = pos_;
  Status st = read_value(ignored, 0);
  if (!st.is_ok()) pos_ = start;
  return st;
}

Status Amf0Reader::charge(size_t bytes) noexcept {
  if (bytes > budget_) return kOverBudget;
  budget_ -= bytes;
  return Status::ok();
}

Status Amf0Reader::read_value(Value& out, int depth) noexcept {
  if (!has(1)) return kTruncated;
  if (Status st = charge(kNodeCost); !st.is_ok()) return st;
  uint8_t marker = data_[pos_++];
  return read_marker_value(marker, out, depth);
}

Status Amf0Reader::read_marker_value(uint8_t marker, Value& out, int depth) noexcept {
  std::string text;
  Status st;
  switch (marker) {
    case kAmf0Number:  // 2.2: IEEE-754 double, big-endian.
      if (!has(8)) return kTruncated;
      out = Value::number(base::load_be_double(data_ + pos_));
      pos_ += 8;
      return Status::ok();
    case kAmf0Boolean:  // 2.3: one byte, non-zero is true.
      if (!has(1)) return kTruncated;
      out = Value::boolean(data_[pos_++] != 0);
      return Status::ok();
    case kAmf0String:       // 2.4: u16 length + UTF-8.
    case kAmf0LongString:   // 2.14: u32 length + UTF-8.
    case kAmf0XmlDocument:  // 2.17: u32 length + UTF-8.
      st = read_utf8(text, marker == kAmf0String ? 2 : 4);
      if (!st.is_ok()) return st;
      out = marker == kAmf0XmlDocument ? Value::xml_document(std::move(text))
                                       : Value::string(std::move(text));
      return Status::ok();
    case kAmf0Object:  // 2.5: properties up to the object-end marker.
      out = Value::object();
      return read_properties(out, depth);
    case kAmf0Null:
      out = Value::null();
      return Status::ok();  // 2.7
    case kAmf0Undefined:
      out = Value::undefined();
      return Status::ok();  // 2.8
    case kAmf0Unsupported:
      out = Value::undefined();
      return Status::ok();  // 2.15
    case kAmf0Reference:
      return read_reference(out);  // 2.9
    case kAmf0EcmaArray:           // 2.10: u32 count, then properties like an object.
      if (!has(4)) return kTruncated;
      // The count is advisory: onMetaData in the wild carries wrong counts, so
      // the properties end at the object-end marker, whatever the count says.
      pos_ += 4;
      out = Value::ecma_array();
      return read_properties(out, depth);
    case kAmf0ObjectEnd:
      return kStrayEnd;
    case kAmf0StrictArray:
      return read_strict_array(out, depth);  // 2.12
    case kAmf0Date:
      return read_date(out);  // 2.13
    case kAmf0TypedObject:    // 2.18: u16 class name, then properties.
      st = read_utf8(text, 2);
      if (!st.is_ok()) return st;
      out = Value::typed_object(std::move(text));
      return read_properties(out, depth);
    case kAmf0AvmPlus:
      return read_avm_plus(out, depth);  // 3.1
    case kAmf0MovieClip:
    case kAmf0RecordSet:
      return kReserved;
    default:
      return kUnknownMarker;
  }
}

Status Amf0Reader::read_utf8(std::string& out, size_t length_bytes) noexcept {
  if (!has(length_bytes)) return kTruncated;
  size_t length = length_bytes == 2 ? base::load_be16(data_ + pos_) : base::load_be32(data_ + pos_);
  if (length > size_ - pos_ - length_bytes) return kTruncated;  // never wraps: has(length_bytes)
  if (Status st = charge(length); !st.is_ok()) return st;
  pos_ += length_bytes;
  out.assign(reinterpret_cast<const char*>(data_ + pos_), length);
  pos_ += length;
  return Status::ok();
}

// 2.5 / 2.10 / 2.18: (UTF-8 key, value)* then 0x00 0x00 0x09.
Status Amf0Reader::read_properties(Value& out, int depth) noexcept {
  if (depth >= kMaxDepth) return kTooDeep;
  ++complex_count_;
  while (true) {
    if (!has(3)) return kTruncated;
    if (base::load_be24(data_ + pos_) == kAmf0ObjectEnd) {
      pos_ += 3;
      return Status::ok();
    }
    std::string key;
    if (Status st = read_utf8(key, 2); !st.is_ok()) return st;
    Value v;
    if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    out.properties().push_back(Property{std::move(key), std::move(v)});
  }
}

// 2.12: u32 count, then that many values.
Status Amf0Reader::read_strict_array(Value& out, int depth) noexcept {
  if (!has(4)) return kTruncated;
  uint32_t count = base::load_be32(data_ + pos_);
  pos_ += 4;
  if (depth >= kMaxDepth) return kTooDeep;
  // Every value takes at least one byte.
  if (count > remaining()) return kCountTooLarge;
  ++complex_count_;
  out = Value::strict_array();
  out.items().reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Value v;
    if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    out.items().push_back(std::move(v));
  }
  return Status::ok();
}

// 2.13: double milliseconds since the epoch (UTC), then s16 time zone (reserved, 0).
Status Amf0Reader::read_date(Value& out) noexcept {
  if (!has(10)) return kTruncated;
  double ms = base::load_be_double(data_ + pos_);
  auto tz = static_cast<int16_t>(base::load_be16(data_ + pos_ + 8));
  pos_ += 10;
  out = Value::date(ms, tz);
  return Status::ok();
}

// 2.9: u16 index into the complex values already seen in this payload.
Status Amf0Reader::read_reference(Value& out) noexcept {
  if (!has(2)) return kTruncated;
  uint16_t index = base::load_be16(data_ + pos_);
  pos_ += 2;
  if (index >= complex_count_) return kBadReference;
  out = Value::reference(index);
  return Status::ok();
}

// 3.1: switch to AMF3 for exactly one value, with fresh AMF3 reference tables.
Status Amf0Reader::read_avm_plus(Value& out, int depth) noexcept {
  Amf3Reader amf3(data_ + pos_, size_ - pos_, budget_);
  Status st = amf3.read_nested(out, depth);
  if (!st.is_ok()) return st;
  pos_ += amf3.offset();
  budget_ = amf3.budget_left();
  return Status::ok();
}

}  // namespace srs::proto::amf
