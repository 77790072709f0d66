// The fields of a lease's value (directory/stream_directory.hpp).
#include <doctest/doctest.h>

#include "worker/directory/stream_directory.hpp"

using srs::worker::lease_field;

TEST_CASE("lease values: the holder's fields, empty when absent or broken") {
  const std::string v =
      R"({"server":"origin2","rtmp":"10.0.0.2:1935","http":"10.0.0.2:8080","cid":"ab12cd34","pid":42})";
  CHECK(lease_field(v, "server") == "origin2");
  CHECK(lease_field(v, "rtmp") == "10.0.0.2:1935");
  CHECK(lease_field(v, "http") == "10.0.0.2:8080");
  CHECK(lease_field(v, "cid") == "ab12cd34");
  CHECK(lease_field(v, "pid").empty());  // a number, not a string
  CHECK(lease_field(v, "nope").empty());
  CHECK(lease_field(R"({"server":"unterminated)", "server").empty());
  CHECK(lease_field("", "server").empty());
}
