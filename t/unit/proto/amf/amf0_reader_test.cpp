// Amf0Reader: every AMF0 type from hand-written vectors (AMF0 spec section 2),
// truncation, malformed input, depth and budget bounds, the wrong-count onMetaData.
#include "proto/amf/amf0_reader.hpp"

#include <doctest/doctest.h>

#include <string>

#include "t/unit/proto/amf/hex.hpp"

namespace srs::proto::amf {
namespace {

using test::hex;

Value decode_one(const std::vector<uint8_t>& b) {
  Amf0Reader r(b.data(), b.size());
  auto v = r.read();
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  CHECK(r.at_end());
  return v.value();
}

std::string error_of(const std::vector<uint8_t>& b) {
  Amf0Reader r(b.data(), b.size());
  auto v = r.read();
  if (v.is_ok()) return "ok";
  return v.status().what();
}

TEST_CASE("amf0 reader: scalars (2.2 number, 2.3 boolean, 2.7 null, 2.8 undefined)") {
  CHECK(decode_one(hex("00 3F F0 00 00 00 00 00 00")) == Value::number(1.0));
  CHECK(decode_one(hex("00 C0 09 21 FB 54 44 2D 18")).as_number() ==
        doctest::Approx(-3.141592653589793));
  CHECK(decode_one(hex("01 01")) == Value::boolean(true));
  CHECK(decode_one(hex("01 00")) == Value::boolean(false));
  CHECK(decode_one(hex("01 7F")).as_boolean());  // any non-zero byte is true
  CHECK(decode_one(hex("05")).is_null());
  CHECK(decode_one(hex("06")).is_undefined());
  CHECK(decode_one(hex("0D")).is_undefined());  // 2.15 unsupported-marker
}

TEST_CASE("amf0 reader: strings (2.4 string, 2.14 long string, 2.17 XML document)") {
  CHECK(decode_one(hex("02 00 05 68 65 6C 6C 6F")) == Value::string("hello"));
  CHECK(decode_one(hex("02 00 00")) == Value::string(""));
  CHECK(decode_one(hex("02 00 03 E4 BD A0")).as_string() == "\xE4\xBD\xA0");  // UTF-8 kept as is
  std::vector<uint8_t> lng = hex("0C 00 01 00 01");
  lng.resize(lng.size() + 0x10001, 'x');
  Value v = decode_one(lng);
  CHECK(v.is_string());
  CHECK(v.as_string().size() == 0x10001);
  Value xml = decode_one(hex("0F 00 00 00 03 3C 61 3E"));
  CHECK(xml.type() == Type::kXmlDocument);
  CHECK(xml.as_string() == "<a>");
}

TEST_CASE("amf0 reader: object (2.5), ECMA array (2.10), typed object (2.18)") {
  // {a: 1, b: "x"}
  Value o = decode_one(hex("03 00 01 61 00 3F F0 00 00 00 00 00 00 00 01 62 02 00 01 78 00 00 09"));
  REQUIRE(o.type() == Type::kObject);
  REQUIRE(o.properties().size() == 2);
  CHECK(o.properties()[0].name == "a");
  CHECK(o.get_number("a") == 1);
  CHECK(o.get_string("b") == "x");
  CHECK(o.get("c") == nullptr);

  Value e = decode_one(hex("08 00 00 00 01 00 01 61 01 01 00 00 09"));
  CHECK(e.type() == Type::kEcmaArray);
  CHECK(e.get_boolean("a"));

  Value t = decode_one(hex("10 00 03 46 6F 6F 00 01 78 05 00 00 09"));
  CHECK(t.type() == Type::kTypedObject);
  CHECK(t.class_name() == "Foo");
  CHECK(t.get("x")->is_null());

  CHECK(decode_one(hex("03 00 00 09")).properties().empty());
}

TEST_CASE("amf0 reader: strict array (2.12), date (2.13), reference (2.9)") {
  Value a = decode_one(hex("0A 00 00 00 03 05 06 01 01"));
  REQUIRE(a.type() == Type::kStrictArray);
  REQUIRE(a.items().size() == 3);
  CHECK(a.items()[0].is_null());
  CHECK(a.items()[1].is_undefined());
  CHECK(a.items()[2].as_boolean());

  // 2007-01-01T00:00:00Z = 1167609600000 ms, time zone -60 (reserved, kept).
  Value d = decode_one(hex("0B 42 70 FD AF 49 80 00 00 FF C4"));
  CHECK(d.type() == Type::kDate);
  CHECK(d.as_number() == 1167609600000.0);
  CHECK(d.date_tz() == -60);

  // [{}, ref 0]: the reference points at the array itself (index 0), then the object (1).
  Value r = decode_one(hex("0A 00 00 00 02 03 00 00 09 07 00 01"));
  CHECK(r.items()[1] == Value::reference(1));
  CHECK(error_of(hex("0A 00 00 00 02 03 00 00 09 07 00 02")) ==
        std::string("amf0: reference to unknown index"));
  CHECK(error_of(hex("07 00 00")) == std::string("amf0: reference to unknown index"));
}

TEST_CASE("amf0 reader: AVM+ switch (3.1) decodes the AMF3 value into the same model") {
  CHECK(decode_one(hex("11 04 05")) == Value::number(5));
  CHECK(decode_one(hex("11 06 0B 68 65 6C 6C 6F")) == Value::string("hello"));
  Value o = decode_one(hex("11 0A 0B 01 03 61 04 01 01"));
  CHECK(o.type() == Type::kObject);
  CHECK(o.get_number("a") == 1);
  // Inside an AMF0 object, and followed by more AMF0.
  Value nested = decode_one(hex("03 00 01 6B 11 03 00 01 6C 02 00 01 7A 00 00 09"));
  CHECK(nested.get_boolean("k"));
  CHECK(nested.get_string("l") == "z");
  // Each switch starts with empty AMF3 tables: a string reference into a previous switch fails.
  std::vector<uint8_t> two = hex("11 06 03 61 11 06 00");
  Amf0Reader r(two.data(), two.size());
  CHECK(r.read().is_ok());
  CHECK(std::string(r.read().status().what()) == "amf3: reference to unknown index");
}

TEST_CASE("amf0 reader: several values in a row and offsets") {
  std::vector<uint8_t> b = hex("02 00 01 61 00 40 00 00 00 00 00 00 00 05");
  Amf0Reader r(b.data(), b.size());
  CHECK(r.read().value() == Value::string("a"));
  CHECK(r.offset() == 4);
  CHECK(r.skip().is_ok());
  CHECK(r.read().value().is_null());
  CHECK(r.at_end());
  CHECK(std::string(r.read().status().what()) == "amf0: truncated");
}

TEST_CASE("amf0 reader: onMetaData ECMA array with a wrong count honours the end marker") {
  // count says 5 but there are 2 properties, then 00 00 09, then one more value.
  std::vector<uint8_t> b =
      hex("08 00 00 00 05  00 05 77 69 64 74 68 00 40 84 00 00 00 00 00 00"
          "  00 06 68 65 69 67 68 74 00 40 7E 00 00 00 00 00 00  00 00 09  05");
  Amf0Reader r(b.data(), b.size());
  auto v = r.read();
  REQUIRE(v.is_ok());
  CHECK(v->properties().size() == 2);
  CHECK(v->get_number("width") == 640);
  CHECK(v->get_number("height") == 480);
  CHECK(r.read().value().is_null());
  // count says 0 but there is one property.
  Value zero = decode_one(hex("08 00 00 00 00 00 01 61 05 00 00 09"));
  CHECK(zero.properties().size() == 1);
}

TEST_CASE("amf0 reader: truncation at every split position says truncated") {
  std::vector<uint8_t> full =
      hex("03 00 01 61 00 3F F0 00 00 00 00 00 00  00 01 62 0A 00 00 00 02 02 00 02 68 69 01 00"
          "  00 01 63 08 00 00 00 01 00 01 64 0B 00 00 00 00 00 00 00 00 00 00 00 00 09"
          "  00 01 65 0C 00 00 00 01 7A  00 01 66 10 00 01 54 00 00 09  00 00 09");
  REQUIRE(decode_one(full).properties().size() == 5);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    Amf0Reader r(full.data(), cut);
    auto v = r.read();
    INFO("cut at " << cut);
    REQUIRE_FALSE(v.is_ok());
    CHECK(std::string(v.status().what()).rfind("amf0: truncated", 0) == 0);
    CHECK(r.offset() == 0);
  }
}

TEST_CASE("amf0 reader: malformed input") {
  CHECK(error_of(hex("12")) == std::string("amf0: unknown marker"));
  CHECK(error_of(hex("FF")) == std::string("amf0: unknown marker"));
  CHECK(error_of(hex("04")) == std::string("amf0: reserved marker (movieclip or recordset)"));
  CHECK(error_of(hex("0E")) == std::string("amf0: reserved marker (movieclip or recordset)"));
  CHECK(error_of(hex("09")) == std::string("amf0: object-end marker outside an object"));
  CHECK(error_of(hex("0A FF FF FF FF 05")) ==
        std::string("amf0: truncated (count exceeds remaining bytes)"));
  CHECK(error_of(hex("0A 00 00 00 03 05 05")) ==
        std::string("amf0: truncated (count exceeds remaining bytes)"));
  CHECK(error_of(hex("03 00 01 61 12 00 00 09")) == std::string("amf0: unknown marker"));
  CHECK(error_of(hex("02 FF FF 61")) == std::string("amf0: truncated"));
  CHECK(error_of(hex("0C FF FF FF FF 61")) == std::string("amf0: truncated"));
  CHECK(error_of({}) == std::string("amf0: truncated"));
}

std::vector<uint8_t> nested_objects(int levels) {
  std::vector<uint8_t> b;
  for (int i = 0; i < levels; ++i) {
    b.push_back(0x03);
    if (i + 1 < levels) {
      b.insert(b.end(), {0x00, 0x01, 'k'});
    }
  }
  for (int i = 0; i < levels; ++i) b.insert(b.end(), {0x00, 0x00, 0x09});
  return b;
}

TEST_CASE("amf0 reader: nesting is bounded at kMaxDepth levels") {
  CHECK(error_of(nested_objects(kMaxDepth)) == std::string("ok"));
  CHECK(error_of(nested_objects(kMaxDepth + 1)) == std::string("amf0: nesting too deep"));
  // A deep strict array bomb: ten thousand levels fail fast, without a stack overflow.
  std::vector<uint8_t> bomb;
  for (int i = 0; i < 10000; ++i) bomb.insert(bomb.end(), {0x0A, 0, 0, 0, 1});
  bomb.push_back(0x05);
  CHECK(error_of(bomb) == std::string("amf0: nesting too deep"));
  // Switching to AMF3 does not reset the depth.
  std::vector<uint8_t> mixed;
  for (int i = 0; i < kMaxDepth; ++i) mixed.insert(mixed.end(), {0x03, 0x00, 0x01, 'k'});
  mixed.insert(mixed.end(), {0x11, 0x0A, 0x0B, 0x01, 0x01});
  for (int i = 0; i < kMaxDepth; ++i) mixed.insert(mixed.end(), {0x00, 0x00, 0x09});
  CHECK(error_of(mixed) == std::string("amf3: nesting too deep"));
}

TEST_CASE("amf0 reader: the budget bounds decoded size") {
  std::vector<uint8_t> b = hex("0A 00 00 00 64");  // 100 nulls
  b.resize(b.size() + 100, 0x05);
  Amf0Reader small(b.data(), b.size(), 50 * kNodeCost);
  auto v = small.read();
  REQUIRE_FALSE(v.is_ok());
  CHECK(v.status().code() == base::Errc::kTooLarge);
  Amf0Reader enough(b.data(), b.size(), 101 * kNodeCost);
  CHECK(enough.read().is_ok());
}

}  // namespace
}  // namespace srs::proto::amf
