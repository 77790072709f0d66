// The strict JSON object reader of the JWT verifier (proto/auth/json_object.hpp):
// members and their decoded texts, and every text it must refuse (RFC 8259
// grammar, UTF-8, surrogates, duplicates, depth and member bounds).
#include "proto/auth/json_object.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using srs::base::Errc;
using namespace srs::proto::auth;

namespace {

std::vector<JsonMember> read_ok(std::string_view text) {
  std::vector<JsonMember> m;
  const srs::base::Status st = read_json_object(text, &m);
  CAPTURE(text);
  REQUIRE_MESSAGE(st.is_ok(), st.what());
  return m;
}

std::string refusal(std::string_view text) {
  std::vector<JsonMember> m{JsonMember{"stale", JsonKind::kNull, ""}};
  const srs::base::Status st = read_json_object(text, &m);
  CHECK(m.empty());
  return st.is_ok() ? std::string("accepted") : std::string(st.what());
}

}  // namespace

TEST_CASE("json object: members, kinds and texts") {
  auto m = read_ok(
      " {\"s\":\"x\", \"n\" : -12.50e+3,\"t\":true,\"f\":false,\r\n\t\"z\":null,"
      "\"o\":{\"a\":[1,{\"b\":\"}\"}]},\"a\":[]} ");
  REQUIRE(m.size() == 7);
  CHECK(m[0].name == "s");
  CHECK(m[0].kind == JsonKind::kString);
  CHECK(m[0].text == "x");
  CHECK(m[1].kind == JsonKind::kNumber);
  CHECK(m[1].text == "-12.50e+3");
  CHECK(m[2].kind == JsonKind::kTrue);
  CHECK(m[3].kind == JsonKind::kFalse);
  CHECK(m[4].kind == JsonKind::kNull);
  CHECK(m[5].kind == JsonKind::kObject);
  CHECK(m[5].text.empty());
  CHECK(m[6].kind == JsonKind::kArray);
  CHECK(find_json_member(m, "t") == &m[2]);
  CHECK(find_json_member(m, "b") == nullptr);  // nested names are not members
  CHECK(read_ok("{}").empty());
}

TEST_CASE("json object: escapes decode to UTF-8, names too") {
  auto m = read_ok(
      "{\"\\u0065xp\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"u\":\"caf\\u00e9 \\u20AC "
      "\\ud83d\\ude00 \\u0000\",\"raw\":\"caf\xc3\xa9\"}");
  REQUIRE(m.size() == 3);
  CHECK(m[0].name == "exp");
  CHECK(m[0].text == "\"\\/\b\f\n\r\t");
  CHECK(m[1].text == std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \0", 16));
  CHECK(m[2].text == "caf\xc3\xa9");
}

TEST_CASE("json object: duplicate names are refused, after unescaping") {
  CHECK(refusal("{\"a\":1,\"a\":2}") == std::string("JSON: duplicate member name"));
  CHECK(refusal("{\"exp\":1,\"\\u0065xp\":1}") == std::string("JSON: duplicate member name"));
  read_ok("{\"a\":{\"b\":1,\"b\":2}}");  // nested objects are skipped, not interpreted
}

TEST_CASE("json object: texts that are not one object") {
  for (const char* text : {"",
                           " ",
                           "[]",
                           "1",
                           "\"a\"",
                           "null",
                           "{",
                           "{\"a\"}",
                           "{\"a\":}",
                           "{\"a\":1,}",
                           "{,}",
                           "{a:1}",
                           "{'a':1}",
                           "{\"a\":1}}",
                           "{\"a\":1} x",
                           "{\"a\":1}{}",
                           "{\"a\":tru}",
                           "{\"a\":nul}",
                           "{\"a\":01}",
                           "{\"a\":1.}",
                           "{\"a\":.5}",
                           "{\"a\":-}",
                           "{\"a\":+1}",
                           "{\"a\":1e}",
                           "{\"a\":1e+}",
                           "{\"a\":0x1}",
                           "{\"a\":NaN}",
                           "{\"a\":[1,]}",
                           "{\"a\":[}",
                           "{\"a\":\"x}",
                           "{\"a\":\"\\x\"}",
                           "{\"a\":\"\\u12g4\"}",
                           "{\"a\":\"\\u12\"}",
                           "{\"a\":\"tab\there\"}",
                           "{\"a\":\"nl\nhere\"}",
                           "{\"a\" 1}",
                           "{\"a\":{\"b\"}}"}) {
    CAPTURE(text);
    CHECK(refusal(text) != "accepted");
  }
  CHECK(refusal("[1]") == std::string("JSON: not an object"));
  CHECK(refusal("{} {}") == std::string("JSON: bytes after the object"));
  CHECK(refusal("{\"a\":01}") == std::string("JSON: syntax error"));  // "0" then "1"
  CHECK(refusal("{\"a\":1e}") == std::string("JSON: bad number"));
}

TEST_CASE("json object: UTF-16 surrogates come in pairs") {
  for (const char* text :
       {"{\"a\":\"\\ud83d\"}", "{\"a\":\"\\ude00\"}", "{\"a\":\"\\ud83d\\u0041\"}",
        "{\"a\":\"\\ud83dx\"}", "{\"a\":\"\\ud83d\\ud83d\"}"}) {
    CAPTURE(text);
    CHECK(refusal(text) == std::string("JSON: unpaired UTF-16 surrogate"));
  }
}

TEST_CASE("json object: the text is well-formed UTF-8") {
  for (const char* bytes :
       {"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xff", "\x80", "\xe2\x82", "\xf0\x9f\x98"}) {
    CAPTURE(bytes);
    CHECK(refusal(std::string("{\"a\":\"") + bytes + "\"}") == std::string("JSON: not UTF-8"));
  }
  read_ok(
      "{\"a\":"
      "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"}");
}

TEST_CASE("json object: depth and member count are bounded") {
  // The top object is depth 1, its members' values depth 2.
  const int inner = kMaxJsonDepth - 1;
  read_ok("{\"x\":" + std::string(size_t(inner), '[') + std::string(size_t(inner), ']') + "}");
  CHECK(refusal("{\"x\":" + std::string(size_t(inner + 1), '[') +
                std::string(size_t(inner + 1), ']') + "}") == std::string("JSON: nested too deep"));
  std::string objects = "{\"x\":";
  for (int i = 0; i < 100000; i++) objects += "{\"a\":";
  CHECK(refusal(objects) == std::string("JSON: nested too deep"));
  CHECK(refusal("{\"x\":" + std::string(100000, '[')) == std::string("JSON: nested too deep"));

  std::string many = "{";
  for (size_t i = 0; i < kMaxJsonMembers; i++) many += "\"m" + std::to_string(i) + "\":0,";
  many.back() = '}';
  CHECK(read_ok(many).size() == kMaxJsonMembers);
  many.back() = ',';
  many += "\"last\":0}";
  CHECK(refusal(many) == std::string("JSON: too many members"));
}
