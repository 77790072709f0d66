// amf::Value: one decoded AMF0/AMF3 value (a small variant-like class).
//
// Both AMF0 and AMF3 decode into this one model, so an AMF0 payload with an
// AVM+ switch (AMF0 spec 3.1, marker 0x11) yields the same tree as plain AMF0:
//   AMF3 integer        -> kNumber        AMF3 true/false   -> kBoolean
//   AMF3 XML / XMLDoc   -> kXmlDocument   AMF3 ByteArray    -> kByteArray
//   AMF3 dense array    -> kStrictArray   AMF3 array with associative part -> kEcmaArray
//   AMF3 anonymous obj  -> kObject        AMF3 object with a class name     -> kTypedObject
// An AMF0 long string (0x0C) decodes to kString; the encoder picks 0x0C by length.
// An AMF0 reference (0x07) is kept as kReference(index): resolving it by copy
// would let a few bytes expand into gigabytes, and no RTMP command needs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace srs::proto::amf {

enum class Type : uint8_t {
  kNumber,
  kBoolean,
  kString,
  kObject,
  kNull,
  kUndefined,
  kReference,
  kEcmaArray,
  kStrictArray,
  kDate,
  kXmlDocument,
  kTypedObject,
  kByteArray,
};

const char* type_name(Type type) noexcept;

struct Property;

class Value {
 public:
  Value() noexcept = default;  // undefined

  static Value number(double v);
  static Value boolean(bool v);
  static Value string(std::string v);
  static Value null();
  static Value undefined();
  static Value reference(uint16_t index);
  static Value object();
  static Value ecma_array();
  static Value strict_array();
  static Value date(double ms, int16_t tz = 0);
  static Value xml_document(std::string v);
  static Value typed_object(std::string class_name);
  static Value byte_array(std::string bytes);

  Type type() const noexcept { return type_; }
  bool is(Type t) const noexcept { return type_ == t; }
  bool is_number() const noexcept { return type_ == Type::kNumber; }
  bool is_string() const noexcept { return type_ == Type::kString; }
  bool is_boolean() const noexcept { return type_ == Type::kBoolean; }
  bool is_null() const noexcept { return type_ == Type::kNull; }
  bool is_undefined() const noexcept { return type_ == Type::kUndefined; }
  // Object, ECMA array or typed object: anything with named properties.
  bool has_properties() const noexcept;

  // Accessors return a neutral value (0, false, "") for another type.
  double as_number() const noexcept;              // number, date ms, reference index
  bool as_boolean() const noexcept;               // boolean; a number is true when non-zero
  const std::string& as_string() const noexcept;  // string, XML, byte array
  int16_t date_tz() const noexcept { return tz_; }
  const std::string& class_name() const noexcept { return text_; }  // typed object

  // Named properties, in wire order (object, ECMA array, typed object).
  const std::vector<Property>& properties() const noexcept { return props_; }
  std::vector<Property>& properties() noexcept { return props_; }
  // Replaces an existing key or appends; returns *this for chaining.
  Value& set(std::string_view key, Value v);
  // First property with this key, or nullptr (also for a non-object).
  const Value* get(std::string_view key) const noexcept;
  // The property as a string/number/boolean, or the fallback when missing or of another type.
  std::string get_string(std::string_view key, std::string_view fallback = {}) const;
  double get_number(std::string_view key, double fallback = 0) const noexcept;
  bool get_boolean(std::string_view key, bool fallback = false) const noexcept;

  // Elements of a strict array.
  const std::vector<Value>& items() const noexcept { return items_; }
  std::vector<Value>& items() noexcept { return items_; }
  Value& push(Value v);

  bool operator==(const Value& other) const noexcept;

 private:
  explicit Value(Type t) noexcept;  // out of line: Property is incomplete here

  Type type_ = Type::kUndefined;
  int16_t tz_ = 0;
  double number_ = 0;
  std::string text_;
  std::vector<Property> props_;
  std::vector<Value> items_;
};

struct Property {
  std::string name;
  Value value;
  bool operator==(const Property& other) const noexcept {
    return name == other.name && value == other.value;
  }
};

// A one-line, bounded, human-readable rendering for logs and test failures.
std::string to_debug_string(const Value& v, size_t max_chars = 512);

}  // namespace srs::proto::amf
