// The forward path (srs_via): which servers a stream already went through,
// and the path a forwarder sends on. A server finding its own id refuses the
// publish, so ids must match whole, never as a prefix.
#include "worker/forward/via.hpp"

#include <doctest/doctest.h>

#include <string>

using srs::worker::came_through;
using srs::worker::via_after;

TEST_CASE("via: an empty path went through nobody") {
  CHECK_FALSE(came_through("", "vid-a"));
  CHECK_FALSE(came_through("", ""));
}

TEST_CASE("via: an empty server id is never on a path") {
  CHECK_FALSE(came_through("vid-a", ""));
  CHECK_FALSE(came_through("vid-a,,vid-b", ""));
  CHECK_FALSE(came_through(",", ""));
}

TEST_CASE("via: ids match whole, not as prefixes or suffixes") {
  CHECK(came_through("vid-a", "vid-a"));
  CHECK_FALSE(came_through("vid-ab", "vid-a"));
  CHECK_FALSE(came_through("vid-a", "vid-ab"));
  CHECK_FALSE(came_through("xvid-a", "vid-a"));
  CHECK_FALSE(came_through("vid-ab,vid-abc", "vid-a"));
  CHECK_FALSE(came_through("vid-A", "vid-a"));  // case matters
}

TEST_CASE("via: several hops, the id at any place") {
  const char* path = "vid-a,vid-b,vid-c";
  CHECK(came_through(path, "vid-a"));
  CHECK(came_through(path, "vid-b"));
  CHECK(came_through(path, "vid-c"));
  CHECK_FALSE(came_through(path, "vid-d"));
  CHECK_FALSE(came_through(path, "vid"));
  CHECK_FALSE(came_through(path, "vid-a,vid-b"));  // one id, not a piece of the path
  CHECK_FALSE(came_through("vid-ab,vid-bc", "vid-b"));
  CHECK(came_through("vid-ab,vid-b", "vid-b"));
  // Empty places in a path from elsewhere are skipped over.
  CHECK(came_through(",vid-a", "vid-a"));
  CHECK(came_through("vid-a,", "vid-a"));
  CHECK(came_through("x,,vid-a", "vid-a"));
}

TEST_CASE("via: a forwarder appends its own id") {
  CHECK(via_after("", "vid-a") == "vid-a");
  CHECK(via_after("vid-a", "vid-b") == "vid-a,vid-b");
  CHECK(via_after("vid-a,vid-b", "vid-c") == "vid-a,vid-b,vid-c");
  CHECK(via_after("vid-a", "") == "vid-a");  // no id of our own: nothing to add
  // The loop it breaks: A forwards to B, B back to A.
  std::string at_b = via_after("", "vid-a");
  CHECK_FALSE(came_through(at_b, "vid-b"));
  std::string back_at_a = via_after(at_b, "vid-b");
  CHECK(back_at_a == "vid-a,vid-b");
  CHECK(came_through(back_at_a, "vid-a"));
  CHECK(came_through(back_at_a, "vid-b"));
  CHECK_FALSE(came_through(back_at_a, "vid-c"));
}
