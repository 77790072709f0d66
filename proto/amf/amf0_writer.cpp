// AMF0 encoding, AMF 0 File Format Specification section 2.
#include "proto/amf/amf0_writer.hpp"

#include <algorithm>

#include "base/bytes.hpp"
#include "proto/amf/amf0_reader.hpp"
#include "proto/amf/amf3_writer.hpp"

namespace srs::proto::amf {

namespace {

void put_u16(Sink out, uint16_t v) {
  uint8_t b[2];
  base::store_be16(b, v);
  out.append(b, 2);
}

void put_u32(Sink out, uint32_t v) {
  uint8_t b[4];
  base::store_be32(b, v);
  out.append(b, 4);
}

void put_double(Sink out, double v) {
  uint8_t b[8];
  base::store_be_double(b, v);
  out.append(b, 8);
}

// UTF-8 with a u16 length (2.4 without the marker), cut at 65535 bytes.
void put_short_utf8(Sink out, std::string_view s) {
  size_t n = std::min<size_t>(s.size(), 0xFFFF);
  put_u16(out, static_cast<uint16_t>(n));
  out.append(s.data(), n);
}

void put_long_utf8(Sink out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s.data(), s.size());
}

// 2.5: (key, value)* then the object-end marker 0x00 0x00 0x09.
void put_properties(Sink out, const Value& v) {
  for (const Property& p : v.properties()) {
    put_short_utf8(out, p.name);
    amf0_write(out, p.value);
  }
  const uint8_t end[3] = {0, 0, kAmf0ObjectEnd};
  out.append(end, 3);
}

}  // namespace

void amf0_write_number(Sink out, double v) {
  out.push(kAmf0Number);
  put_double(out, v);
}

void amf0_write_boolean(Sink out, bool v) {
  out.push(kAmf0Boolean);
  out.push(v ? 1 : 0);
}

void amf0_write_string(Sink out, std::string_view v) {
  if (v.size() > 0xFFFF) {
    out.push(kAmf0LongString);  // 2.14
    put_long_utf8(out, v);
    return;
  }
  out.push(kAmf0String);  // 2.4
  put_short_utf8(out, v);
}

void amf0_write_null(Sink out) {
  out.push(kAmf0Null);
}
void amf0_write_undefined(Sink out) {
  out.push(kAmf0Undefined);
}

void amf0_write(Sink out, const Value& v) {
  switch (v.type()) {
    case Type::kNumber:
      return amf0_write_number(out, v.as_number());
    case Type::kBoolean:
      return amf0_write_boolean(out, v.as_boolean());
    case Type::kString:
      return amf0_write_string(out, v.as_string());
    case Type::kNull:
      return amf0_write_null(out);
    case Type::kUndefined:
      return amf0_write_undefined(out);
    case Type::kObject:
      out.push(kAmf0Object);
      return put_properties(out, v);
    case Type::kReference:  // 2.9
      out.push(kAmf0Reference);
      return put_u16(out, static_cast<uint16_t>(v.as_number()));
    case Type::kEcmaArray:  // 2.10: the count is the number of properties.
      out.push(kAmf0EcmaArray);
      put_u32(out, static_cast<uint32_t>(v.properties().size()));
      return put_properties(out, v);
    case Type::kStrictArray:  // 2.12
      out.push(kAmf0StrictArray);
      put_u32(out, static_cast<uint32_t>(v.items().size()));
      for (const Value& item : v.items()) amf0_write(out, item);
      return;
    case Type::kDate:  // 2.13
      out.push(kAmf0Date);
      put_double(out, v.as_number());
      return put_u16(out, static_cast<uint16_t>(v.date_tz()));
    case Type::kXmlDocument:  // 2.17
      out.push(kAmf0XmlDocument);
      return put_long_utf8(out, v.as_string());
    case Type::kTypedObject:  // 2.18
      out.push(kAmf0TypedObject);
      put_short_utf8(out, v.class_name());
      return put_properties(out, v);
    case Type::kByteArray:  // 3.1: no AMF0 form; switch to AMF3 for this value.
      out.push(kAmf0AvmPlus);
      return amf3_write(out, v);
  }
}

}  // namespace srs::proto::amf
