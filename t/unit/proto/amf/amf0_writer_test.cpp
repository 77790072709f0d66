// AMF0 encoding: bytes checked against hand-written vectors (AMF0 spec section 2),
// and every type decoded back.
#include "proto/amf/amf0_writer.hpp"

#include <doctest/doctest.h>

#include "proto/amf/amf0_reader.hpp"
#include "t/unit/proto/amf/hex.hpp"

namespace srs::proto::amf {
namespace {

using test::hex;
using test::to_hex;

std::string encode(const Value& v) {
  std::string out;
  amf0_write(out, v);
  return out;
}

Value decode(const std::string& s) {
  Amf0Reader r(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  auto v = r.read();
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  CHECK(r.at_end());
  return v.value();
}

TEST_CASE("amf0 writer: every type as the spec lays it out") {
  CHECK(to_hex(encode(Value::number(1.0))) == "00 3f f0 00 00 00 00 00 00");
  CHECK(to_hex(encode(Value::boolean(true))) == "01 01");
  CHECK(to_hex(encode(Value::boolean(false))) == "01 00");
  CHECK(to_hex(encode(Value::string("hello"))) == "02 00 05 68 65 6c 6c 6f");
  CHECK(to_hex(encode(Value::null())) == "05");
  CHECK(to_hex(encode(Value::undefined())) == "06");
  CHECK(to_hex(encode(Value::reference(2))) == "07 00 02");
  CHECK(to_hex(encode(Value::object().set("a", Value::number(1)))) ==
        "03 00 01 61 00 3f f0 00 00 00 00 00 00 00 00 09");
  CHECK(to_hex(encode(Value::ecma_array().set("a", Value::null()).set("b", Value::null()))) ==
        "08 00 00 00 02 00 01 61 05 00 01 62 05 00 00 09");
  CHECK(to_hex(encode(Value::strict_array().push(Value::null()).push(Value::boolean(true)))) ==
        "0a 00 00 00 02 05 01 01");
  CHECK(to_hex(encode(Value::date(1167609600000.0, -60))) == "0b 42 70 fd af 49 80 00 00 ff c4");
  CHECK(to_hex(encode(Value::xml_document("<a>"))) == "0f 00 00 00 03 3c 61 3e");
  CHECK(to_hex(encode(Value::typed_object("Foo").set("x", Value::null()))) ==
        "10 00 03 46 6f 6f 00 01 78 05 00 00 09");
  CHECK(to_hex(encode(Value::byte_array("\x01\x02"))) == "11 0c 05 01 02");
}

TEST_CASE("amf0 writer: strings switch to long strings past 65535 bytes") {
  std::string s(0xFFFF, 'a');
  std::string out = encode(Value::string(s));
  CHECK(out.size() == 3 + 0xFFFF);
  CHECK(uint8_t(out[0]) == kAmf0String);
  s.push_back('b');
  out = encode(Value::string(s));
  CHECK(to_hex(out.substr(0, 5)) == "0c 00 01 00 00");
  CHECK(decode(out) == Value::string(s));
}

TEST_CASE("amf0 writer: appends to std::vector<uint8_t> too") {
  std::vector<uint8_t> out = {0xAA};
  amf0_write_string(out, "ab");
  amf0_write_null(out);
  amf0_write_undefined(out);
  amf0_write_boolean(out, true);
  amf0_write_number(out, 0);
  CHECK(to_hex(out) == "aa 02 00 02 61 62 05 06 01 01 00 00 00 00 00 00 00 00 00");
}

TEST_CASE("amf0 writer: every type decodes back to the same value") {
  Value meta = Value::ecma_array();
  meta.set("duration", Value::number(0))
      .set("width", Value::number(1280))
      .set("encoder", Value::string("Lavf59.27.100"))
      .set("stereo", Value::boolean(true))
      .set("nothing", Value::null())
      .set("missing", Value::undefined())
      .set("when", Value::date(1e12, 0))
      .set("doc", Value::xml_document("<x/>"))
      .set("list", Value::strict_array().push(Value::number(-1.5)).push(Value::string("")))
      .set("obj", Value::object().set("inner", Value::typed_object("T").set("z", Value::number(3))))
      .set("blob", Value::byte_array(std::string("\0\1\2", 3)))
      .set("ref", Value::reference(0));
  CHECK(decode(encode(meta)) == meta);
}

}  // namespace
}  // namespace srs::proto::amf
