// /metrics' limit counters: srs_handshake_timeouts_total, on figures the test chose.
#include <doctest/doctest.h>

#include <string>

#include "worker/api/api_metrics.hpp"

using namespace srs::worker;

TEST_CASE("metrics: handshake timeouts, a counter summed over the workers") {
  MetricsInput in;
  in.server_id = "vid-1";
  in.totals.handshake_timeouts = 5000000000ull;  // past 2^32: summed in 64 bits
  std::string text = metrics_text(in);
  CHECK(text.find("# TYPE srs_handshake_timeouts_total counter\n"
                  "srs_handshake_timeouts_total 5000000000\n") != std::string::npos);
}
