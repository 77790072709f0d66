// The join rate of srs-bench's report: players started per second, from the
// first play request to the last first keyframe.
#include "tools/srs-bench/report.hpp"

#include <doctest/doctest.h>

using srs::tools::srs_bench::ClientRow;
using srs::tools::srs_bench::join_rate;

namespace {

ClientRow row(double request_s, double first_key_s) {
  ClientRow r;
  r.request_s = request_s;
  r.first_key_s = first_key_s;
  return r;
}

}  // namespace

TEST_CASE("join rate: players with a keyframe over the span from the first request") {
  auto j = join_rate({row(10.0, 10.2), row(10.1, 10.5), row(10.3, 11.0), row(10.4, 0)});
  CHECK(j.players == 3);  // the last never got a keyframe
  CHECK(j.span_s == doctest::Approx(1.0));
  CHECK(j.per_s == doctest::Approx(3.0));
}

TEST_CASE("join rate: nobody started") {
  auto j = join_rate({row(10.0, 0), row(10.1, 0)});
  CHECK(j.players == 0);
  CHECK(j.per_s == 0);
  CHECK(join_rate({}).players == 0);
}
