#include "base/json_writer.hpp"

#include <doctest/doctest.h>

using srs::base::JsonWriter;

TEST_CASE("JsonWriter places commas and escapes strings") {
  JsonWriter w;
  w.begin_object();
  w.key("code").value(0);
  w.key("name").value("a\"b\\c\n\x01");
  w.key("list").begin_array().value(1).value(true).null().begin_object().end_object().end_array();
  w.key("empty").begin_array().end_array();
  w.key("kbps").value(1.5);
  w.key("nan").value(0.0 / 0.0);
  w.key("raw").raw("{\"x\":1}");
  w.end_object();
  CHECK(w.str() ==
        "{\"code\":0,\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[1,true,null,{}],"
        "\"empty\":[],\"kbps\":1.5,\"nan\":null,\"raw\":{\"x\":1}}");
}

TEST_CASE("JsonWriter writes 64-bit counters exactly") {
  JsonWriter w;
  w.begin_array().value(uint64_t(18446744073709551615ull)).value(int64_t(-5)).end_array();
  CHECK(w.str() == "[18446744073709551615,-5]");
}
