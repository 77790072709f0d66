// amf::Value: accessors, property helpers, equality and the debug rendering.
#include "proto/amf/value.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace srs::proto::amf {
namespace {

TEST_CASE("value: property helpers read by name with fallbacks") {
  Value o = Value::object();
  o.set("app", Value::string("live")).set("n", Value::number(3)).set("b", Value::boolean(true));
  CHECK(o.get_string("app") == "live");
  CHECK(o.get_string("n", "none") == "none");  // wrong type: the fallback
  CHECK(o.get_number("n") == 3);
  CHECK(o.get_number("app", -1) == -1);
  CHECK(o.get_boolean("b"));
  CHECK(o.get_boolean("n"));  // a non-zero number counts as true
  CHECK_FALSE(o.get_boolean("missing"));
  o.set("app", Value::string("other"));  // replaces, keeps the order
  CHECK(o.properties().size() == 3);
  CHECK(o.properties()[0].value.as_string() == "other");
  CHECK(Value::number(1).get("x") == nullptr);  // not an object
  CHECK(Value::ecma_array().set("k", Value::null()).get("k")->is_null());
}

TEST_CASE("value: neutral values for the wrong type, and equality") {
  CHECK(Value::string("x").as_number() == 0);
  CHECK(Value::number(2).as_string().empty());
  CHECK(Value() == Value::undefined());
  CHECK_FALSE(Value::null() == Value::undefined());
  CHECK_FALSE(Value::number(1) == Value::boolean(true));
  CHECK(Value::number(std::nan("")) == Value::number(std::nan("")));
  CHECK_FALSE(Value::date(1, 0) == Value::date(1, 60));
  CHECK_FALSE(Value::object() == Value::ecma_array());
}

TEST_CASE("value: debug rendering is readable and bounded") {
  Value o = Value::object().set("a", Value::number(1)).set("s", Value::string("x"));
  CHECK(to_debug_string(o) == "{a: 1, s: \"x\"}");
  Value big = Value::strict_array();
  for (int i = 0; i < 1000; ++i) big.push(Value::string("abcdefgh"));
  CHECK(to_debug_string(big, 100).size() <= 110);
}

}  // namespace
}  // namespace srs::proto::amf
