// The master's children table in shared memory (shm/children.cpp).
#include "shm/children.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

using namespace srs::shm;

TEST_CASE("child table: entries written by the master read back whole; cleared ones are gone") {
  auto block = std::make_unique<ChildTableBlock>();
  ChildTable table(block.get());
  ChildRecord r;
  r.id = 7;
  r.kind = ChildKind::kIngest;
  r.state = ChildPhase::kWaiting;
  r.pid = 0;
  r.restarts = 3;
  r.started_at = 1700000000;
  r.name = "cam1";
  r.source = "rtsp://10.0.0.5/stream";
  r.output = "__defaultVhost__/live/cam1";
  std::string why = "exited with status 1 (its last line: " + std::string(400, 'x') + ")";
  r.last_exit = why;
  table.write(0, r);
  r.id = 8;
  r.kind = ChildKind::kTranscode;
  table.write(1, r);
  ChildInfo info;
  REQUIRE(table.read(0, &info));
  CHECK(info.id == 7);
  CHECK(info.kind == ChildKind::kIngest);
  CHECK(info.state == ChildPhase::kWaiting);
  CHECK(info.restarts == 3);
  CHECK(info.started_at == 1700000000);
  CHECK(std::string(info.name) == "cam1");
  CHECK(std::string(info.source) == "rtsp://10.0.0.5/stream");
  CHECK(std::string(info.output) == "__defaultVhost__/live/cam1");
  CHECK(std::string(info.last_exit) == why.substr(0, 255));  // cut, NUL-terminated
  int n = 0;
  table.for_each([&](const ChildInfo&) { ++n; });
  CHECK(n == 2);
  table.clear_from(1);
  CHECK_FALSE(table.read(1, &info));
  CHECK(table.read(0, &info));
  CHECK_FALSE(table.read(kMaxChildren, &info));
  table.set_totals({5, 2, 1, 1});
  ChildTotals t = table.totals();
  CHECK((t.starts == 5 && t.restarts == 2 && t.stalls == 1 && t.crash_loops == 1));
  CHECK(std::string(child_kind_name(ChildKind::kExec)) == "exec");
  CHECK(std::string(child_phase_name(ChildPhase::kStopping)) == "stopping");
}
