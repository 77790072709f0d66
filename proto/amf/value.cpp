// amf::Value: constructors, property helpers and a debug rendering.
#include "proto/amf/value.hpp"

#include <cmath>
#include <cstdio>

namespace srs::proto::amf {

const char* type_name(Type type) noexcept {
  switch (type) {
    case Type::kNumber:
      return "number";
    case Type::kBoolean:
      return "boolean";
    case Type::kString:
      return "string";
    case Type::kObject:
      return "object";
    case Type::kNull:
      return "null";
    case Type::kUndefined:
      return "undefined";
    case Type::kReference:
      return "reference";
    case Type::kEcmaArray:
      return "ecma-array";
    case Type::kStrictArray:
      return "strict-array";
    case Type::kDate:
      return "date";
    case Type::kXmlDocument:
      return "xml-document";
    case Type::kTypedObject:
      return "typed-object";
    case Type::kByteArray:
      return "byte-array";
  }
  return "unknown";
}

Value::Value(Type t) noexcept : type_(t) {}

Value Value::number(double v) {
  Value out(Type::kNumber);
  out.number_ = v;
  return out;
}
Value Value::boolean(bool v) {
  Value out(Type::kBoolean);
  out.number_ = v ? 1 : 0;
  return out;
}
Value Value::string(std::string v) {
  Value out(Type::kString);
  out.text_ = std::move(v);
  return out;
}
Value Value::null() {
  return Value(Type::kNull);
}
Value Value::undefined() {
  return Value(Type::kUndefined);
}
Value Value::reference(uint16_t index) {
  Value out(Type::kReference);
  out.number_ = index;
  return out;
}
Value Value::object() {
  return Value(Type::kObject);
}
Value Value::ecma_array() {
  return Value(Type::kEcmaArray);
}
Value Value::strict_array() {
  return Value(Type::kStrictArray);
}
Value Value::date(double ms, int16_t tz) {
  Value out(Type::kDate);
  out.number_ = ms;
  out.tz_ = tz;
  return out;
}
Value Value::xml_document(std::string v) {
  Value out(Type::kXmlDocument);
  out.text_ = std::move(v);
  return out;
}
Value Value::typed_object(std::string class_name) {
  Value out(Type::kTypedObject);
  out.text_ = std::move(class_name);
  return out;
}
Value Value::byte_array(std::string bytes) {
  Value out(Type::kByteArray);
  out.text_ = std::move(bytes);
  return out;
}

bool Value::has_properties() const noexcept {
  return type_ == Type::kObject || type_ == Type::kEcmaArray || type_ == Type::kTypedObject;
}

double Value::as_number() const noexcept {
  switch (type_) {
    case Type::kNumber:
    case Type::kDate:
    case Type::kReference:
      return number_;
    case Type::kBoolean:
      return number_;
    default:
      return 0;
  }
}

bool Value::as_boolean() const noexcept {
  if (type_ == Type::kBoolean || type_ == Type::kNumber) return number_ != 0;
  return false;
}

const std::string& Value::as_string() const noexcept {
  static const std::string kEmpty;
  if (type_ == Type::kString || type_ == Type::kXmlDocument || type_ == Type::kByteArray) {
    return text_;
  }
  return kEmpty;
}

Value& Value::set(std::string_view key, Value v) {
  for (Property& p : props_) {
    if (p.name == key) {
      p.value = std::move(v);
      return *this;
    }
  }
  props_.push_back(Property{std::string(key), std::move(v)});
  return *this;
}

const Value* Value::get(std::string_view key) const noexcept {
  if (!has_properties()) return nullptr;
  for (const Property& p : props_) {
    if (p.name == key) return &p.value;
  }
  return nullptr;
}

std::string Value::get_string(std::string_view key, std::string_view fallback) const {
  const Value* v = get(key);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return v->text_;
}

double Value::get_number(std::string_view key, double fallback) const noexcept {
  const Value* v = get(key);
  if (v == nullptr || !v->is_number()) return fallback;
  return v->number_;
}

bool Value::get_boolean(std::string_view key, bool fallback) const noexcept {
  const Value* v = get(key);
  if (v == nullptr || !(v->is_boolean() || v->is_number())) return fallback;
  return v->as_boolean();
}

Value& Value::push(Value v) {
  items_.push_back(std::move(v));
  return *this;
}

bool Value::operator==(const Value& other) const noexcept {
  if (type_ != other.type_ || tz_ != other.tz_ || text_ != other.text_) return false;
  bool same_number = number_ == other.number_ || (std::isnan(number_) && std::isnan(other.number_));
  return same_number && props_ == other.props_ && items_ == other.items_;
}

namespace {

void render(const Value& v, std::string& out, size_t max_chars, int depth);

void render_number(double d, std::string& out) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  out += buf;
}

void render_properties(const Value& v, std::string& out, size_t max_chars, int depth) {
  out += '{';
  bool first = true;
  for (const Property& p : v.properties()) {
    if (out.size() > max_chars) return;
    if (!first) out += ", ";
    first = false;
    out += p.name;
    out += ": ";
    render(p.value, out, max_chars, depth + 1);
  }
  out += '}';
}

void render(const Value& v, std::string& out, size_t max_chars, int depth) {
  if (out.size() > max_chars || depth > 8) {
    out += "...";
    return;
  }
  switch (v.type()) {
    case Type::kNumber:
      return render_number(v.as_number(), out);
    case Type::kBoolean:
      out += v.as_boolean() ? "true" : "false";
      return;
    case Type::kString:
      out += '"' + v.as_string().substr(0, max_chars) + '"';
      return;
    case Type::kNull:
      out += "null";
      return;
    case Type::kUndefined:
      out += "undefined";
      return;
    case Type::kReference:
      out += "ref#";
      return render_number(v.as_number(), out);
    case Type::kDate:
      out += "date(";
      render_number(v.as_number(), out);
      out += ')';
      return;
    case Type::kXmlDocument:
      out += "xml(" + v.as_string().substr(0, max_chars) + ')';
      return;
    case Type::kByteArray:
      out += "bytes[" + std::to_string(v.as_string().size()) + ']';
      return;
    case Type::kTypedObject:
      out += v.class_name();
      break;
    case Type::kEcmaArray:
      out += "ecma";
      break;
    case Type::kObject:
      break;
    case Type::kStrictArray:
      out += '[';
      for (size_t i = 0; i < v.items().size() && out.size() <= max_chars; ++i) {
        if (i) out += ", ";
        render(v.items()[i], out, max_chars, depth + 1);
      }
      out += ']';
      return;
  }
  render_properties(v, out, max_chars, depth);
}

}  // namespace

std::string to_debug_string(const Value& v, size_t max_chars) {
  std::string out;
  render(v, out, max_chars, 0);
  if (out.size() > max_chars) {
    out.resize(max_chars);
    out += "...";
  }
  return out;
}

}  // namespace srs::proto::amf
