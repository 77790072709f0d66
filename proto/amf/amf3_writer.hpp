// AMF3 encoding (AMF 3 Specification section 3): Value -> bytes, without references.
//
// References are optional for a writer, so strings, traits and objects are
// always written inline. Numbers that are integral and fit 29 bits become
// integers (3.6), others doubles (3.7). Objects are anonymous dynamic objects
// (typed objects keep their class name, with no sealed members); ECMA arrays
// become associative arrays; an AMF0 kReference has no AMF3 form and is
// written as null.
#pragma once

#include <cstdint>

#include "proto/amf/sink.hpp"
#include "proto/amf/value.hpp"

namespace srs::proto::amf {

void amf3_write(Sink out, const Value& value);
// 1.3.1: values up to 2^29 - 1 (larger ones are masked to 29 bits).
void amf3_write_u29(Sink out, uint32_t v);

}  // namespace srs::proto::amf
