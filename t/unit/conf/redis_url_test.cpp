// redis:// URLs of origin_cluster.directory.
#include "conf/redis_url.hpp"

#include <doctest/doctest.h>

using srs::conf::parse_redis_url;
using srs::conf::RedisUrl;

TEST_CASE("redis URLs: host, port and db, with their defaults") {
  RedisUrl u;
  REQUIRE(parse_redis_url("redis://10.0.0.5:6380/2", &u).empty());
  CHECK(u.host == "10.0.0.5");
  CHECK(u.port == 6380);
  CHECK(u.db == 2);
  REQUIRE(parse_redis_url("redis://127.0.0.1", &u).empty());
  CHECK(u.port == 6379);
  CHECK(u.db == 0);
  REQUIRE(parse_redis_url("redis://localhost:7000/", &u).empty());
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 7000);
  REQUIRE(parse_redis_url("redis://[::1]:6379/1", &u).empty());
  CHECK(u.host == "::1");
  CHECK(u.db == 1);
}

TEST_CASE("redis URLs: what is refused, with the text that was written") {
  RedisUrl u;
  for (const char* bad :
       {"", "127.0.0.1:6379", "http://127.0.0.1", "redis://", "redis://redis.example:6379",
        "redis://127.0.0.1:0", "redis://127.0.0.1:65536", "redis://127.0.0.1:x",
        "redis://127.0.0.1/db", "redis://[::1", "redis://127.0.0.1:6379/5000"}) {
    std::string problem = parse_redis_url(bad, &u);
    CHECK_MESSAGE(!problem.empty(), bad);
    CHECK(problem.find(std::string("'") + bad + "'") != std::string::npos);
  }
}
