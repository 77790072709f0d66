// /metrics' children families: srs_children{kind,state} and the counters
// srs_child_{starts,restarts,stalls,crash_loops}_total, on figures the test chose.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "shm/children.hpp"
#include "worker/api/api_metrics.hpp"

using namespace srs::worker;
using srs::shm::ChildKind;
using srs::shm::ChildPhase;

namespace {

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("metrics: children by kind and state, and their counters") {
  MetricsInput in;
  in.server_id = "vid-1";
  in.children[uint32_t(ChildKind::kTranscode)][uint32_t(ChildPhase::kRunning)] = 3;
  in.children[uint32_t(ChildKind::kIngest)][uint32_t(ChildPhase::kWaiting)] = 1;
  in.child_totals = {9, 4, 2, 1};
  std::string text = metrics_text(in);
  std::vector<std::string> gauge = lines_starting(text, "srs_children{");
  REQUIRE(gauge.size() == 12);  // 3 kinds x 4 states, zeros included
  CHECK(gauge[0] == "srs_children{kind=\"transcode\",state=\"running\"} 3");
  CHECK(gauge[5] == "srs_children{kind=\"ingest\",state=\"waiting\"} 1");
  CHECK(gauge[11] == "srs_children{kind=\"exec\",state=\"stopping\"} 0");
  CHECK(lines_starting(text, "# TYPE srs_children ") ==
        std::vector<std::string>{"# TYPE srs_children gauge"});
  CHECK(lines_starting(text, "srs_child_starts_total ") ==
        std::vector<std::string>{"srs_child_starts_total 9"});
  CHECK(lines_starting(text, "srs_child_restarts_total ") ==
        std::vector<std::string>{"srs_child_restarts_total 4"});
  CHECK(lines_starting(text, "srs_child_stalls_total ") ==
        std::vector<std::string>{"srs_child_stalls_total 2"});
  CHECK(lines_starting(text, "srs_child_crash_loops_total ") ==
        std::vector<std::string>{"srs_child_crash_loops_total 1"});
  CHECK(lines_starting(text, "# TYPE srs_child_stalls_total ") ==
        std::vector<std::string>{"# TYPE srs_child_stalls_total counter"});
}
