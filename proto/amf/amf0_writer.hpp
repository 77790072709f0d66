// AMF0 encoding (AMF 0 File Format Specification section 2): Value -> bytes.
//
// Strings longer than 65535 bytes are written as long strings (2.14); object
// keys and typed-object class names longer than that are cut at 65535 bytes
// (the u16 length cannot say more). A kByteArray has no AMF0 form and is
// written through the AVM+ switch (3.1) as an AMF3 ByteArray.
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/amf/sink.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::amf {

void amf0_write(Sink out, const Value& value);
void amf0_write_number(Sink out, double v);
void amf0_write_boolean(Sink out, bool v);
void amf0_write_string(Sink out, std::string_view v);  // 0x02, or 0x0C when long
void amf0_write_null(Sink out);
void amf0_write_undefined(Sink out);

}  // namespace srs::proto::amf
