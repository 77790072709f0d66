// /metrics' forward families: srs_forwards{state} and
// srs_forward_retries_total, on figures the test chose.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "shm/links.hpp"
#include "worker/api/api_metrics.hpp"

using namespace srs::worker;
using srs::shm::LinkState;

namespace {

// The lines of `text` that belong to family `name` (HELP, TYPE, samples).
std::vector<std::string> family(const std::string& text, const std::string& name) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line == "# HELP " + name || line.rfind("# HELP " + name + " ", 0) == 0 ||
        line.rfind("# TYPE " + name + " ", 0) == 0 || line.rfind(name + "{", 0) == 0 ||
        line.rfind(name + " ", 0) == 0) {
      out.push_back(line);
    }
  }
  return out;
}

MetricsInput figures() {
  MetricsInput in;
  in.server_id = "vid-1";
  in.service = "svc";
  in.pid = 1;
  in.forwards_by_state[uint32_t(LinkState::kConnecting)] = 2;
  in.forwards_by_state[uint32_t(LinkState::kLive)] = 5;
  in.forwards_by_state[uint32_t(LinkState::kRetrying)] = 1;
  in.forwards_by_state[0] = 99;               // no state 0: never printed
  in.totals.forward_retries = 5000000000ull;  // past 2^32
  return in;
}

}  // namespace

TEST_CASE("metrics: srs_forwards by state, as a gauge") {
  std::string text = metrics_text(figures());
  INFO(text);
  std::vector<std::string> f = family(text, "srs_forwards");
  REQUIRE(f.size() == 5);
  CHECK(f[0] == "# HELP srs_forwards Forwards to destinations, by state.");
  CHECK(f[1] == "# TYPE srs_forwards gauge");
  CHECK(f[2] == "srs_forwards{state=\"connecting\"} 2");
  CHECK(f[3] == "srs_forwards{state=\"publishing\"} 5");
  CHECK(f[4] == "srs_forwards{state=\"retrying\"} 1");
  CHECK(text.find(" 99\n") == std::string::npos);
}

TEST_CASE("metrics: srs_forward_retries_total, as a counter") {
  std::string text = metrics_text(figures());
  INFO(text);
  std::vector<std::string> f = family(text, "srs_forward_retries_total");
  REQUIRE(f.size() == 3);
  CHECK(f[0] ==
        "# HELP srs_forward_retries_total Forward connections that failed or dropped (each is "
        "retried).");
  CHECK(f[1] == "# TYPE srs_forward_retries_total counter");
  CHECK(f[2] == "srs_forward_retries_total 5000000000");
}

TEST_CASE("metrics: no forwards still prints every state, at 0") {
  MetricsInput in;
  std::string text = metrics_text(in);
  INFO(text);
  std::vector<std::string> f = family(text, "srs_forwards");
  REQUIRE(f.size() == 5);
  CHECK(f[2] == "srs_forwards{state=\"connecting\"} 0");
  CHECK(f[3] == "srs_forwards{state=\"publishing\"} 0");
  CHECK(f[4] == "srs_forwards{state=\"retrying\"} 0");
  std::vector<std::string> r = family(text, "srs_forward_retries_total");
  REQUIRE(r.size() == 3);
  CHECK(r[2] == "srs_forward_retries_total 0");
  // Each family once, and the forward ones before srs_generation.
  CHECK(text.find("# TYPE srs_forwards ") == text.rfind("# TYPE srs_forwards "));
  CHECK(text.find("# TYPE srs_forwards ") < text.find("# TYPE srs_generation "));
  CHECK(text.find("# TYPE srs_forward_retries_total ") < text.find("# TYPE srs_generation "));
}
