// Amf3Reader: decodes AMF3 values (AMF 3 Specification, Adobe, 2013) into amf::Value.
//
// Section 1.3.1 U29 integers; section 2.2 the three reference tables (strings,
// objects, traits), kept per reader; the empty string is never added to the
// string table nor read by reference (section 1.3.2). Externalizable objects
// (section 3.12) and dictionaries (3.16) are rejected with Errc::kUnsupported:
// decoding them needs the sender's class code. A reference to an object whose
// decoding has not finished (a cycle) is rejected too: Value is a tree.
// References are resolved by copy, each copy charged against the budget, so a
// few bytes of references cannot expand into gigabytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "proto/amf/limits.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::amf {

// AMF3 type markers, section 3.1.
enum Amf3Marker : uint8_t {
  kAmf3Undefined = 0x00,
  kAmf3Null = 0x01,
  kAmf3False = 0x02,
  kAmf3True = 0x03,
  kAmf3Integer = 0x04,
  kAmf3Double = 0x05,
  kAmf3String = 0x06,
  kAmf3XmlDocument = 0x07,
  kAmf3Date = 0x08,
  kAmf3Array = 0x09,
  kAmf3Object = 0x0A,
  kAmf3Xml = 0x0B,
  kAmf3ByteArray = 0x0C,
  kAmf3VectorInt = 0x0D,
  kAmf3VectorUint = 0x0E,
  kAmf3VectorDouble = 0x0F,
  kAmf3VectorObject = 0x10,
  kAmf3Dictionary = 0x11,
};

class Amf3Reader {
 public:
  Amf3Reader(const uint8_t* data, size_t size, size_t budget = kDefaultBudget) noexcept
      : data_(data), size_(size), budget_(budget) {}

  base::Result<Value> read() noexcept;
  // One value whose containers start at nesting `depth` (used by the AMF0
  // reader's AVM+ switch so the depth bound spans both encodings).
  [[nodiscard]] base::Status read_nested(Value& out, int depth) noexcept;

  size_t offset() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ >= size_; }
  size_t budget_left() const noexcept { return budget_; }

 private:
  struct Traits {
    std::string class_name;
    bool dynamic = false;
    std::vector<std::string> members;
  };
  struct Slot {
    Value value;
    size_t cost = 0;
    int height = 0;  // containers nested in value, itself included
    bool complete = false;
  };

  base::Status read_value(Value& out, int depth) noexcept;
  base::Status read_u29(uint32_t& out) noexcept;
  base::Status read_double(double& out) noexcept;
  base::Status read_string(std::string& out) noexcept;
  base::Status read_bytes(size_t length, std::string& out) noexcept;
  base::Status read_header(uint32_t& header, Value& out, bool& was_ref, int depth) noexcept;
  base::Status read_text(Value& out, bool byte_array, int depth) noexcept;
  base::Status read_date(Value& out, int depth) noexcept;
  base::Status read_array(Value& out, int depth) noexcept;
  base::Status read_object(Value& out, int depth) noexcept;
  base::Status read_traits(uint32_t header, Traits& out) noexcept;
  base::Status read_vector(uint8_t marker, Value& out, int depth) noexcept;
  base::Status read_vector_items(uint8_t marker, uint32_t count, Value& out, int depth) noexcept;
  size_t reserve_slot();
  base::Status complete_slot(size_t index, const Value& value, size_t produced_before) noexcept;
  base::Status charge(size_t bytes) noexcept;
  bool has(size_t n) const noexcept { return size_ - pos_ >= n; }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t budget_;
  size_t produced_ = 0;  // bytes charged for decoded values (not table copies)
  std::vector<std::string> strings_;
  std::vector<Slot> objects_;
  std::vector<Traits> traits_;
};

}  // namespace srs::proto::amf
