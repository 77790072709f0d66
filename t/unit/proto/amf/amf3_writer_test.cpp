// AMF3 encoding: U29 boundaries, every type's bytes, and decoding back.
#include "proto/amf/amf3_writer.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "proto/amf/amf3_reader.hpp"
#include "t/unit/proto/amf/hex.hpp"

namespace srs::proto::amf {
namespace {

using test::to_hex;

std::string encode(const Value& v) {
  std::string out;
  amf3_write(out, v);
  return out;
}

Value decode(const std::string& s) {
  Amf3Reader r(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  auto v = r.read();
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  CHECK(r.at_end());
  return v.value();
}

TEST_CASE("amf3 writer: U29 at every length boundary (1.3.1)") {
  auto u29 = [](uint32_t v) {
    std::string out;
    amf3_write_u29(out, v);
    return to_hex(out);
  };
  CHECK(u29(0) == "00");
  CHECK(u29(127) == "7f");
  CHECK(u29(128) == "81 00");
  CHECK(u29(16383) == "ff 7f");
  CHECK(u29(16384) == "81 80 00");
  CHECK(u29(2097151) == "ff ff 7f");
  CHECK(u29(2097152) == "80 c0 80 00");
  CHECK(u29(0x1FFFFFFF) == "ff ff ff ff");
}

TEST_CASE("amf3 writer: every type as the spec lays it out") {
  CHECK(to_hex(encode(Value::undefined())) == "00");
  CHECK(to_hex(encode(Value::null())) == "01");
  CHECK(to_hex(encode(Value::boolean(false))) == "02");
  CHECK(to_hex(encode(Value::boolean(true))) == "03");
  CHECK(to_hex(encode(Value::number(5))) == "04 05");
  CHECK(to_hex(encode(Value::number(-1))) == "04 ff ff ff ff");
  CHECK(to_hex(encode(Value::number(268435456))) == "05 41 b0 00 00 00 00 00 00");  // 2^28
  CHECK(to_hex(encode(Value::number(1.5))) == "05 3f f8 00 00 00 00 00 00");
  CHECK(to_hex(encode(Value::number(-0.0))) == "05 80 00 00 00 00 00 00 00");
  CHECK(to_hex(encode(Value::string("hello"))) == "06 0b 68 65 6c 6c 6f");
  CHECK(to_hex(encode(Value::xml_document("<a>"))) == "07 07 3c 61 3e");
  CHECK(to_hex(encode(Value::date(0))) == "08 01 00 00 00 00 00 00 00 00");
  CHECK(to_hex(encode(Value::strict_array().push(Value::number(1)))) == "09 03 01 04 01");
  CHECK(to_hex(encode(Value::ecma_array().set("a", Value::null()))) == "09 01 03 61 01 01");
  CHECK(to_hex(encode(Value::object().set("a", Value::number(1)))) == "0a 0b 01 03 61 04 01 01");
  CHECK(to_hex(encode(Value::typed_object("T"))) == "0a 0b 03 54 01");
  CHECK(to_hex(encode(Value::byte_array("\x01"))) == "0c 03 01");
  CHECK(to_hex(encode(Value::reference(0))) == "01");  // no AMF3 form: null
}

TEST_CASE("amf3 writer: values decode back") {
  Value v = Value::object();
  v.set("n", Value::number(-268435456))
      .set("d", Value::number(3.25))
      .set("s", Value::string(std::string(20000, 'q')))
      .set("list", Value::strict_array().push(Value::boolean(true)).push(Value::null()))
      .set("assoc", Value::ecma_array().set("k", Value::string("v")))
      .set("typed", Value::typed_object("Cls").set("m", Value::undefined()))
      .set("when", Value::date(1e12))
      .set("bytes", Value::byte_array(std::string("\0\xff", 2)))
      .set("xml", Value::xml_document("<x/>"));
  CHECK(decode(encode(v)) == v);
}

}  // namespace
}  // namespace srs::proto::amf
