// AMF3 encoding without references, AMF 3 Specification sections 1.3 and 3.
#include "proto/amf/amf3_writer.hpp"

#include <algorithm>
#include <cmath>

#include "base/bytes.hpp"
#include "proto/amf/amf3_reader.hpp"

namespace srs::proto::amf {

namespace {

constexpr uint32_t kMaxU29 = 0x1FFFFFFF;
constexpr double kMinInt29 = -(1 << 28);
constexpr double kMaxInt29 = (1 << 28) - 1;

// U29S-value / U29X-value / U29B-value: (length << 1) | 1, then the bytes.
void put_inline_bytes(Sink out, std::string_view s) {
  size_t n = std::min<size_t>(s.size(), kMaxU29 >> 1);
  amf3_write_u29(out, static_cast<uint32_t>(n << 1) | 1);
  out.append(s.data(), n);
}

void put_double(Sink out, double d) {
  uint8_t b[8];
  base::store_be_double(b, d);
  out.append(b, 8);
}

void put_number(Sink out, double d) {
  // -0.0 stays a double: the integer form would lose its sign.
  bool integral =
      d >= kMinInt29 && d <= kMaxInt29 && std::floor(d) == d && !(d == 0 && std::signbit(d));
  if (!integral) {
    out.push(kAmf3Double);  // 3.7
    return put_double(out, d);
  }
  out.push(kAmf3Integer);  // 3.6: two's complement in 29 bits.
  amf3_write_u29(out, static_cast<uint32_t>(static_cast<int32_t>(d)) & kMaxU29);
}

// Dynamic members (key, value)* then the empty string; empty keys cannot be written.
void put_dynamic(Sink out, const Value& v) {
  for (const Property& p : v.properties()) {
    if (p.name.empty()) continue;
    put_inline_bytes(out, p.name);
    amf3_write(out, p.value);
  }
  out.push(0x01);  // the empty string
}

// 3.12: inline traits 0x0B = dynamic, no sealed members, then the class name.
void put_object(Sink out, const Value& v) {
  out.push(kAmf3Object);
  out.push(0x0B);
  put_inline_bytes(out, v.class_name());
  put_dynamic(out, v);
}

}  // namespace

void amf3_write_u29(Sink out, uint32_t v) {
  v &= kMaxU29;
  if (v < 0x80) return out.push(static_cast<uint8_t>(v));
  if (v < 0x4000) {
    out.push(static_cast<uint8_t>((v >> 7) | 0x80));
    return out.push(static_cast<uint8_t>(v & 0x7F));
  }
  if (v < 0x200000) {
    out.push(static_cast<uint8_t>((v >> 14) | 0x80));
    out.push(static_cast<uint8_t>(((v >> 7) & 0x7F) | 0x80));
    return out.push(static_cast<uint8_t>(v & 0x7F));
  }
  out.push(static_cast<uint8_t>((v >> 22) | 0x80));
  out.push(static_cast<uint8_t>(((v >> 15) & 0x7F) | 0x80));
  out.push(static_cast<uint8_t>(((v >> 8) & 0x7F) | 0x80));
  out.push(static_cast<uint8_t>(v & 0xFF));
}

void amf3_write(Sink out, const Value& v) {
  switch (v.type()) {
    case Type::kUndefined:
      return out.push(kAmf3Undefined);
    case Type::kNull:
    case Type::kReference:
      return out.push(kAmf3Null);
    case Type::kBoolean:
      return out.push(v.as_boolean() ? kAmf3True : kAmf3False);
    case Type::kNumber:
      return put_number(out, v.as_number());
    case Type::kString:
      out.push(kAmf3String);
      return put_inline_bytes(out, v.as_string());
    case Type::kXmlDocument:
      out.push(kAmf3XmlDocument);
      return put_inline_bytes(out, v.as_string());
    case Type::kByteArray:
      out.push(kAmf3ByteArray);
      return put_inline_bytes(out, v.as_string());
    case Type::kDate:  // 3.10: U29D-value 1, then the double.
      out.push(kAmf3Date);
      out.push(0x01);
      return put_double(out, v.as_number());
    case Type::kStrictArray:  // 3.11: dense count, empty associative part, items.
      out.push(kAmf3Array);
      amf3_write_u29(out, static_cast<uint32_t>(v.items().size() << 1) | 1);
      out.push(0x01);
      for (const Value& item : v.items()) amf3_write(out, item);
      return;
    case Type::kEcmaArray:  // 3.11: no dense part, all associative.
      out.push(kAmf3Array);
      out.push(0x01);
      return put_dynamic(out, v);
    case Type::kObject:
    case Type::kTypedObject:
      return put_object(out, v);
  }
}

}  // namespace srs::proto::amf
