// Amf3Reader: U29, every AMF3 type from hand-written vectors (AMF3 spec sections
// 1.3 and 3), the three reference tables, and the bounds.
#include "proto/amf/amf3_reader.hpp"

#include <doctest/doctest.h>

#include <string>

#include "t/unit/proto/amf/hex.hpp"

namespace srs::proto::amf {
namespace {

using test::hex;

Value decode_one(const std::vector<uint8_t>& b) {
  Amf3Reader r(b.data(), b.size());
  auto v = r.read();
  REQUIRE_MESSAGE(v.is_ok(), v.status().to_string());
  CHECK(r.at_end());
  return v.value();
}

std::string error_of(const std::vector<uint8_t>& b) {
  Amf3Reader r(b.data(), b.size());
  auto v = r.read();
  return v.is_ok() ? "ok" : v.status().what();
}

TEST_CASE("amf3 reader: U29 integers in 1 to 4 bytes (1.3.1, 3.6)") {
  CHECK(decode_one(hex("04 00")).as_number() == 0);
  CHECK(decode_one(hex("04 7F")).as_number() == 127);
  CHECK(decode_one(hex("04 81 00")).as_number() == 128);
  CHECK(decode_one(hex("04 FF 7F")).as_number() == 16383);
  CHECK(decode_one(hex("04 81 80 00")).as_number() == 16384);
  CHECK(decode_one(hex("04 FF FF 7F")).as_number() == 2097151);
  CHECK(decode_one(hex("04 80 C0 80 00")).as_number() == 2097152);
  CHECK(decode_one(hex("04 BF FF FF FF")).as_number() == 268435455);   // 2^28 - 1
  CHECK(decode_one(hex("04 C0 80 80 00")).as_number() == -268435456);  // -2^28
  CHECK(decode_one(hex("04 FF FF FF FF")).as_number() == -1);
}

TEST_CASE("amf3 reader: simple types (3.2 to 3.7)") {
  CHECK(decode_one(hex("00")).is_undefined());
  CHECK(decode_one(hex("01")).is_null());
  CHECK(decode_one(hex("02")) == Value::boolean(false));
  CHECK(decode_one(hex("03")) == Value::boolean(true));
  CHECK(decode_one(hex("05 3F F8 00 00 00 00 00 00")) == Value::number(1.5));
}

TEST_CASE("amf3 reader: strings and the string reference table (3.8, 1.3.2)") {
  CHECK(decode_one(hex("06 0B 68 65 6C 6C 6F")) == Value::string("hello"));
  CHECK(decode_one(hex("06 01")) == Value::string(""));
  // "ab", "", then a reference to index 0: the empty string took no slot.
  std::vector<uint8_t> b = hex("06 05 61 62  06 01  06 00");
  Amf3Reader r(b.data(), b.size());
  CHECK(r.read().value() == Value::string("ab"));
  CHECK(r.read().value() == Value::string(""));
  CHECK(r.read().value() == Value::string("ab"));
  CHECK(error_of(hex("06 00")) == std::string("amf3: reference to unknown index"));
}

TEST_CASE("amf3 reader: XML, XMLDocument, ByteArray, Date (3.9, 3.13, 3.14, 3.10)") {
  Value x = decode_one(hex("0B 07 3C 61 3E"));
  CHECK(x.type() == Type::kXmlDocument);
  CHECK(x.as_string() == "<a>");
  CHECK(decode_one(hex("07 03 41")).as_string() == "A");
  Value ba = decode_one(hex("0C 07 01 02 03"));
  CHECK(ba.type() == Type::kByteArray);
  CHECK(ba.as_string() == std::string("\x01\x02\x03"));
  Value d = decode_one(hex("08 01 42 70 FD AF 49 80 00 00"));
  CHECK(d == Value::date(1167609600000.0));
}

TEST_CASE("amf3 reader: arrays, dense and associative (3.11)") {
  Value dense = decode_one(hex("09 05 01 04 01 04 02"));
  REQUIRE(dense.type() == Type::kStrictArray);
  CHECK(dense.items().size() == 2);
  CHECK(dense.items()[1].as_number() == 2);
  Value mixed = decode_one(hex("09 03 03 61 06 03 78 01 04 07"));
  REQUIRE(mixed.type() == Type::kEcmaArray);
  CHECK(mixed.get_string("a") == "x");
  CHECK(mixed.get_number("0") == 7);
}

TEST_CASE("amf3 reader: objects, traits and object references (3.12)") {
  // Anonymous dynamic object {a: 1}.
  Value o = decode_one(hex("0A 0B 01 03 61 04 01 01"));
  CHECK(o.type() == Type::kObject);
  CHECK(o.get_number("a") == 1);
  // Typed object Point with one sealed member x, then a second Point by traits
  // reference, then the first one by object reference.
  std::vector<uint8_t> b =
      hex("0A 13 0B 50 6F 69 6E 74 03 78 04 05"
          "  0A 01 04 06"
          "  0A 00");
  Amf3Reader r(b.data(), b.size());
  Value p1 = r.read().value();
  CHECK(p1.type() == Type::kTypedObject);
  CHECK(p1.class_name() == "Point");
  CHECK(p1.get_number("x") == 5);
  Value p2 = r.read().value();
  CHECK(p2.class_name() == "Point");
  CHECK(p2.get_number("x") == 6);
  CHECK(r.read().value() == p1);
  CHECK(r.at_end());
  // Sealed + dynamic members, member names by string reference.
  Value sd = decode_one(hex("0A 1B 01 03 61 04 01 00 04 02 01"));
  REQUIRE(sd.properties().size() == 2);
  CHECK(sd.properties()[0].value.as_number() == 1);  // sealed a
  CHECK(sd.properties()[1].name == "a");             // dynamic a, name by reference
  CHECK(sd.properties()[1].value.as_number() == 2);
}

TEST_CASE("amf3 reader: vectors (3.15)") {
  Value vi = decode_one(hex("0D 05 00 00 00 00 01 FF FF FF FF"));
  REQUIRE(vi.items().size() == 2);
  CHECK(vi.items()[0].as_number() == 1);
  CHECK(vi.items()[1].as_number() == -1);
  Value vu = decode_one(hex("0E 03 01 FF FF FF FF"));
  CHECK(vu.items()[0].as_number() == 4294967295.0);
  Value vd = decode_one(hex("0F 03 00 3F F8 00 00 00 00 00 00"));
  CHECK(vd.items()[0].as_number() == 1.5);
  Value vo = decode_one(hex("10 05 00 01 06 03 61 01"));
  REQUIRE(vo.items().size() == 2);
  CHECK(vo.items()[0] == Value::string("a"));
}

TEST_CASE("amf3 reader: rejected and malformed input") {
  CHECK(error_of(hex("0A 07 07 46 6F 6F 00")) == std::string("amf3: externalizable object"));
  CHECK(error_of(hex("11 01 00")) == std::string("amf3: dictionary"));
  CHECK(error_of(hex("12")) == std::string("amf3: unknown marker"));
  CHECK(error_of(hex("0A 05")) == std::string("amf3: reference to unknown index"));  // traits ref 1
  CHECK(error_of(hex("0A 02")) == std::string("amf3: reference to unknown index"));  // object ref 1
  // An object whose member refers to itself: a cycle, not representable as a tree.
  CHECK(error_of(hex("0A 0B 01 03 61 0A 00 01")) ==
        std::string("amf3: reference to an object still being decoded"));
  CHECK(error_of(hex("09 FF FF FF 01 01")) ==
        std::string("amf3: truncated (count exceeds remaining bytes)"));
  CHECK(error_of(hex("0D FF FF FF 01 00 00 00 00 00")) ==
        std::string("amf3: truncated (count exceeds remaining bytes)"));
  CHECK(error_of(hex("0A FF FF FF 73 01")) ==
        std::string("amf3: truncated (count exceeds remaining bytes)"));
  CHECK(error_of(hex("06 FF FF FF FF")) == std::string("amf3: truncated"));
}

TEST_CASE("amf3 reader: truncation at every split position") {
  std::vector<uint8_t> full =
      hex("0A 13 0B 50 6F 69 6E 74 03 78"
          "  09 05 03 6B 06 03 76 01 04 81 00 05 3F F8 00 00 00 00 00 00");
  Value v = decode_one(full);
  CHECK(v.get("x")->get_string("k") == "v");
  for (size_t cut = 0; cut < full.size(); ++cut) {
    Amf3Reader r(full.data(), cut);
    INFO("cut at " << cut);
    auto res = r.read();
    REQUIRE_FALSE(res.is_ok());
    CHECK(std::string(res.status().what()).rfind("amf3: truncated", 0) == 0);
  }
}

TEST_CASE("amf3 reader: references cannot expand past the budget") {
  // A 1000-byte string, then 100000 two-byte references to it: 100 MB if copied freely.
  std::vector<uint8_t> b = hex("09 8C 9A 43 01 06 8F 51");  // dense array of 100001 items
  std::vector<uint8_t> body(1000, 'x');
  b.insert(b.end(), body.begin(), body.end());
  for (int i = 0; i < 100000; ++i) b.insert(b.end(), {0x06, 0x00});
  Amf3Reader r(b.data(), b.size());
  auto v = r.read();
  REQUIRE_FALSE(v.is_ok());
  CHECK(v.status().code() == base::Errc::kTooLarge);
}

TEST_CASE("amf3 reader: object references cannot multiply into a billion laughs") {
  // Value k is an array of ten references to value k-1: 10^k nodes from ~20 bytes each.
  std::vector<uint8_t> b = hex("09 03 01 04 01");
  for (uint8_t k = 1; k < 12; ++k) {
    b.insert(b.end(), {0x09, 0x15, 0x01});
    for (int i = 0; i < 10; ++i) b.insert(b.end(), {0x09, uint8_t((k - 1) << 1)});
  }
  Amf3Reader r(b.data(), b.size());
  int decoded = 0;
  while (true) {
    auto v = r.read();
    if (!v.is_ok()) {
      CHECK(v.status().code() == base::Errc::kTooLarge);
      break;
    }
    ++decoded;
  }
  CHECK(decoded >= 4);  // 10^4 nodes fit the default budget
  CHECK(decoded < 7);   // 10^6 do not
}

TEST_CASE("amf3 reader: nesting is bounded") {
  std::vector<uint8_t> ok, deep;
  for (int i = 0; i < kMaxDepth; ++i) ok.insert(ok.end(), {0x09, 0x03, 0x01});
  ok.push_back(0x01);
  CHECK(error_of(ok) == std::string("ok"));
  for (int i = 0; i < kMaxDepth + 1; ++i) deep.insert(deep.end(), {0x09, 0x03, 0x01});
  deep.push_back(0x01);
  CHECK(error_of(deep) == std::string("amf3: nesting too deep"));
}

}  // namespace
}  // namespace srs::proto::amf

namespace srs::proto::amf {
namespace {

// An array holding two dense items: a chain of 20 nested arrays (object
// table entries 1 to 20; entry 1 nests 20 deep), then `k` nested arrays
// around a reference to entry 1 spelled with `ref_marker`.
std::vector<uint8_t> deep_reference(int k, uint8_t ref_marker) {
  std::vector<uint8_t> b = {0x09, 0x05, 0x01};  // dense 2, no associative part
  for (int i = 0; i < 20; ++i) b.insert(b.end(), {0x09, 0x03, 0x01});
  b.push_back(0x01);  // the innermost item: null
  for (int i = 0; i < k; ++i) b.insert(b.end(), {0x09, 0x03, 0x01});
  b.insert(b.end(), {ref_marker, 0x02});  // object reference 1
  return b;
}

}  // namespace

TEST_CASE("amf3 reader: a reference cannot nest a value deeper than a literal may") {
  // At depth 12 a value nesting 20 deep ends at 31, the deepest allowed.
  CHECK(error_of(deep_reference(11, 0x09)) == std::string("ok"));
  CHECK(error_of(deep_reference(12, 0x09)) == std::string("amf3: nesting too deep"));
  // The object table is shared by every object type: a byte-array (or XML,
  // date) marker may name the same array, and is held to the same bound.
  CHECK(error_of(deep_reference(12, 0x0C)) == std::string("amf3: nesting too deep"));
  CHECK(error_of(deep_reference(12, 0x08)) == std::string("amf3: nesting too deep"));
  CHECK(error_of(deep_reference(12, 0x0B)) == std::string("amf3: nesting too deep"));
}

}  // namespace srs::proto::amf
