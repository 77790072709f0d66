// Amf3Reader: AMF3 decoding, AMF 3 Specification sections 1.3 and 3.
#include "proto/amf/amf3_reader.hpp"

#include <algorithm>

#include "base/bytes.hpp"

namespace srs::proto::amf {

using base::Errc;
using base::Result;
using base::Status;

namespace {

constexpr Status kTruncated = Status::fail(Errc::kInvalid, "amf3: truncated");
constexpr Status kUnknownMarker = Status::fail(Errc::kInvalid, "amf3: unknown marker");
constexpr Status kTooDeep = Status::fail(Errc::kInvalid, "amf3: nesting too deep");
// The payload ends before a count's items could: that is a truncation too.
constexpr Status kCountTooLarge =
    Status::fail(Errc::kInvalid, "amf3: truncated (count exceeds remaining bytes)");
constexpr Status kBadReference = Status::fail(Errc::kInvalid, "amf3: reference to unknown index");
constexpr Status kOverBudget = Status::fail(Errc::kTooLarge, "amf3: decoded size over budget");
constexpr Status kCycle =
    Status::fail(Errc::kUnsupported, "amf3: reference to an object still being decoded");
constexpr Status kExternalizable = Status::fail(Errc::kUnsupported, "amf3: externalizable object");
constexpr Status kDictionary = Status::fail(Errc::kUnsupported, "amf3: dictionary");

}  // namespace

Result<Value> Amf3Reader::read() noexcept {
  Value out;
  size_t start = pos_;
  Status st = read_value(out, 0);
  if (!st.is_ok()) {
    pos_ = start;
    return st;
  }
  return out;
}

Status Amf3Reader::read_nested(Value& out, int depth) noexcept {
  return read_value(out, depth);
}

Status Amf3Reader::charge(size_t bytes) noexcept {
  if (bytes > budget_) return kOverBudget;
  budget_ -= bytes;
  produced_ += bytes;
  return Status::ok();
}

Status Amf3Reader::read_value(Value& out, int depth) noexcept {
  if (!has(1)) return kTruncated;
  if (Status st = charge(kNodeCost); !st.is_ok()) return st;
  uint8_t marker = data_[pos_++];
  uint32_t u29 = 0;
  double d = 0;
  std::string text;
  Status st;
  switch (marker) {
    case kAmf3Undefined:
      out = Value::undefined();
      return Status::ok();  // 3.2
    case kAmf3Null:
      out = Value::null();
      return Status::ok();  // 3.3
    case kAmf3False:
      out = Value::boolean(false);
      return Status::ok();  // 3.4
    case kAmf3True:
      out = Value::boolean(true);
      return Status::ok();  // 3.5
    case kAmf3Integer:      // 3.6: U29, sign-extended from 29 bits.
      if (st = read_u29(u29); !st.is_ok()) return st;
      out = Value::number((u29 & 0x10000000u) ? double(int32_t(u29) - 0x20000000) : double(u29));
      return Status::ok();
    case kAmf3Double:  // 3.7
      if (st = read_double(d); !st.is_ok()) return st;
      out = Value::number(d);
      return Status::ok();
    case kAmf3String:  // 3.8
      if (st = read_string(text); !st.is_ok()) return st;
      out = Value::string(std::move(text));
      return Status::ok();
    case kAmf3XmlDocument:  // 3.9
    case kAmf3Xml:
      return read_text(out, false, depth);  // 3.13
    case kAmf3ByteArray:
      return read_text(out, true, depth);  // 3.14
    case kAmf3Date:
      return read_date(out, depth);  // 3.10
    case kAmf3Array:
      return read_array(out, depth);  // 3.11
    case kAmf3Object:
      return read_object(out, depth);  // 3.12
    case kAmf3VectorInt:               // 3.15
    case kAmf3VectorUint:
    case kAmf3VectorDouble:
    case kAmf3VectorObject:
      return read_vector(marker, out, depth);
    case kAmf3Dictionary:
      return kDictionary;  // 3.16
    default:
      return kUnknownMarker;
  }
}

// 1.3.1: 1 to 4 bytes; 7 bits per byte with a continuation bit, 8 in the fourth.
Status Amf3Reader::read_u29(uint32_t& out) noexcept {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    if (!has(1)) return kTruncated;
    uint8_t b = data_[pos_++];
    if (i == 3) {
      out = (out << 8) | b;
      return Status::ok();
    }
    out = (out << 7) | (b & 0x7F);
    if ((b & 0x80) == 0) return Status::ok();
  }
  return Status::ok();
}

Status Amf3Reader::read_double(double& out) noexcept {
  if (!has(8)) return kTruncated;
  out = base::load_be_double(data_ + pos_);
  pos_ += 8;
  return Status::ok();
}

Status Amf3Reader::read_bytes(size_t length, std::string& out) noexcept {
  if (!has(length)) return kTruncated;
  if (Status st = charge(length); !st.is_ok()) return st;
  out.assign(reinterpret_cast<const char*>(data_ + pos_), length);
  pos_ += length;
  return Status::ok();
}

// 1.3.2 UTF-8-vr: U29S-ref (low bit 0, index) or U29S-value (length) + bytes.
// The empty string is never sent by reference and never enters the table.
Status Amf3Reader::read_string(std::string& out) noexcept {
  uint32_t header = 0;
  if (Status st = read_u29(header); !st.is_ok()) return st;
  if ((header & 1) == 0) {
    uint32_t index = header >> 1;
    if (index >= strings_.size()) return kBadReference;
    if (Status st = charge(strings_[index].size()); !st.is_ok()) return st;
    out = strings_[index];
    return Status::ok();
  }
  if (Status st = read_bytes(header >> 1, out); !st.is_ok()) return st;
  if (!out.empty()) strings_.push_back(out);
  return Status::ok();
}

namespace {

// Containers nested in `v`, itself included: 0 for a scalar.
int height_of(const Value& v) noexcept {
  int below = 0;
  for (const Property& p : v.properties()) below = std::max(below, height_of(p.value));
  for (const Value& item : v.items()) below = std::max(below, height_of(item));
  const bool container = below > 0 || !v.properties().empty() || !v.items().empty() ||
                         v.is(Type::kObject) || v.is(Type::kEcmaArray) ||
                         v.is(Type::kStrictArray) || v.is(Type::kTypedObject);
  return container ? below + 1 : 0;
}

}  // namespace

// The U29O-ref / U29x-value header shared by every object-table type (2.2).
// `was_ref` is set when `out` was filled from the object table. A reference
// copies the value it names, so that copy's nesting counts from `depth`: a
// reference cannot take the value deeper than a literal could go (whatever
// its marker: the table is shared, so a byte-array reference may name an array).
Status Amf3Reader::read_header(uint32_t& header, Value& out, bool& was_ref, int depth) noexcept {
  was_ref = false;
  if (Status st = read_u29(header); !st.is_ok()) return st;
  if (header & 1) return Status::ok();
  uint32_t index = header >> 1;
  if (index >= objects_.size()) return kBadReference;
  if (!objects_[index].complete) return kCycle;
  if (depth + objects_[index].height > kMaxDepth) return kTooDeep;
  if (Status st = charge(objects_[index].cost); !st.is_ok()) return st;
  out = objects_[index].value;
  was_ref = true;
  return Status::ok();
}

size_t Amf3Reader::reserve_slot() {
  objects_.emplace_back();
  return objects_.size() - 1;
}

// The table keeps its own copy, charged against the budget like the value
// itself (but not counted as produced, or nested copies would compound).
Status Amf3Reader::complete_slot(size_t index, const Value& value,
                                 size_t produced_before) noexcept {
  Slot& slot = objects_[index];
  slot.cost = produced_ - produced_before;
  slot.height = height_of(value);
  if (slot.cost > budget_) return kOverBudget;
  budget_ -= slot.cost;
  slot.value = value;
  slot.complete = true;
  return Status::ok();
}

// 3.9 / 3.13 / 3.14: U29X-value or U29B-value (length) + bytes.
Status Amf3Reader::read_text(Value& out, bool byte_array, int depth) noexcept {
  uint32_t header = 0;
  bool was_ref = false;
  if (Status st = read_header(header, out, was_ref, depth); !st.is_ok() || was_ref) return st;
  size_t before = produced_;
  size_t slot = reserve_slot();
  std::string bytes;
  if (Status st = read_bytes(header >> 1, bytes); !st.is_ok()) return st;
  out = byte_array ? Value::byte_array(std::move(bytes)) : Value::xml_document(std::move(bytes));
  return complete_slot(slot, out, before);
}

// 3.10: U29D-value (low bit 1, the rest unused) + double milliseconds, UTC.
Status Amf3Reader::read_date(Value& out, int depth) noexcept {
  uint32_t header = 0;
  bool was_ref = false;
  if (Status st = read_header(header, out, was_ref, depth); !st.is_ok() || was_ref) return st;
  size_t slot = reserve_slot();
  double ms = 0;
  if (Status st = read_double(ms); !st.is_ok()) return st;
  out = Value::date(ms);
  return complete_slot(slot, out, produced_);
}

// 3.11: U29A-value (dense count), associative (key, value)* up to the empty
// key, then the dense values. A purely dense array becomes a strict array;
// otherwise an ECMA array with the dense values under the keys "0", "1"...
Status Amf3Reader::read_array(Value& out, int depth) noexcept {
  uint32_t header = 0;
  bool was_ref = false;
  if (Status st = read_header(header, out, was_ref, depth); !st.is_ok() || was_ref) return st;
  if (depth >= kMaxDepth) return kTooDeep;
  uint32_t dense = header >> 1;
  size_t before = produced_;
  size_t slot = reserve_slot();
  Value assoc = Value::ecma_array();
  while (true) {
    std::string key;
    if (Status st = read_string(key); !st.is_ok()) return st;
    if (key.empty()) break;
    Value v;
    if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    assoc.properties().push_back(Property{std::move(key), std::move(v)});
  }
  if (dense > size_ - pos_) return kCountTooLarge;
  Value items = Value::strict_array();
  items.items().reserve(dense);
  for (uint32_t i = 0; i < dense; ++i) {
    Value v;
    if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    items.items().push_back(std::move(v));
  }
  if (assoc.properties().empty()) {
    out = std::move(items);
  } else {
    for (size_t i = 0; i < items.items().size(); ++i) {
      assoc.properties().push_back(Property{std::to_string(i), std::move(items.items()[i])});
    }
    out = std::move(assoc);
  }
  return complete_slot(slot, out, before);
}

// 3.12 traits: U29O-traits-ref (low bits 01), U29O-traits-ext (111, rejected)
// or inline U29O-traits (011): bit 3 dynamic, count of sealed members >> 4,
// then the class name and the sealed member names.
Status Amf3Reader::read_traits(uint32_t header, Traits& out) noexcept {
  if ((header & 2) == 0) {
    uint32_t index = header >> 2;
    if (index >= traits_.size()) return kBadReference;
    out = traits_[index];
    return Status::ok();
  }
  if (header & 4) return kExternalizable;
  out.dynamic = (header & 8) != 0;
  uint32_t sealed = header >> 4;
  if (Status st = read_string(out.class_name); !st.is_ok()) return st;
  if (sealed > size_ - pos_) return kCountTooLarge;  // each name takes a byte at least
  out.members.reserve(sealed);
  for (uint32_t i = 0; i < sealed; ++i) {
    std::string name;
    if (Status st = read_string(name); !st.is_ok()) return st;
    out.members.push_back(std::move(name));
  }
  traits_.push_back(out);
  return Status::ok();
}

// 3.12: traits, sealed member values in order, then (dynamic) (key, value)* to the empty key.
Status Amf3Reader::read_object(Value& out, int depth) noexcept {
  uint32_t header = 0;
  bool was_ref = false;
  if (Status st = read_header(header, out, was_ref, depth); !st.is_ok() || was_ref) return st;
  if (depth >= kMaxDepth) return kTooDeep;
  size_t before = produced_;
  size_t slot = reserve_slot();
  Traits traits;
  if (Status st = read_traits(header, traits); !st.is_ok()) return st;
  Value obj = traits.class_name.empty() ? Value::object() : Value::typed_object(traits.class_name);
  for (std::string& name : traits.members) {
    Value v;
    if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    obj.properties().push_back(Property{std::move(name), std::move(v)});
  }
  while (traits.dynamic) {
    std::string key;
    if (Status st = read_string(key); !st.is_ok()) return st;
    if (key.empty()) break;
    Value v;
    if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    obj.properties().push_back(Property{std::move(key), std::move(v)});
  }
  out = std::move(obj);
  return complete_slot(slot, out, before);
}

// 3.15: U29V-value (count), fixed-vector flag, then the items; decoded as a strict array.
Status Amf3Reader::read_vector(uint8_t marker, Value& out, int depth) noexcept {
  uint32_t header = 0;
  bool was_ref = false;
  if (Status st = read_header(header, out, was_ref, depth); !st.is_ok() || was_ref) return st;
  if (depth >= kMaxDepth) return kTooDeep;
  size_t before = produced_;
  size_t slot = reserve_slot();
  if (!has(1)) return kTruncated;
  ++pos_;  // fixed-vector flag: irrelevant to a reader
  if (marker == kAmf3VectorObject) {
    std::string type_name;  // object-type-name, unused
    if (Status st = read_string(type_name); !st.is_ok()) return st;
  }
  Value items = Value::strict_array();
  if (Status st = read_vector_items(marker, header >> 1, items, depth); !st.is_ok()) return st;
  out = std::move(items);
  return complete_slot(slot, out, before);
}

Status Amf3Reader::read_vector_items(uint8_t marker, uint32_t count, Value& out,
                                     int depth) noexcept {
  size_t width = marker == kAmf3VectorDouble ? 8 : marker == kAmf3VectorObject ? 1 : 4;
  if (count > (size_ - pos_) / width) return kCountTooLarge;
  out.items().reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Value v;
    if (marker == kAmf3VectorObject) {
      if (Status st = read_value(v, depth + 1); !st.is_ok()) return st;
    } else {
      if (Status st = charge(kNodeCost); !st.is_ok()) return st;
      uint32_t raw = base::load_be32(data_ + pos_);
      double d = marker == kAmf3VectorInt    ? double(int32_t(raw))
                 : marker == kAmf3VectorUint ? double(raw)
                                             : base::load_be_double(data_ + pos_);
      pos_ += width;
      v = Value::number(d);
    }
    out.items().push_back(std::move(v));
  }
  return Status::ok();
}

}  // namespace srs::proto::amf
