// /metrics as a Prometheus server reads it: the text exposition format 0.0.4
// parsed line by line, on figures the test chose.
#include "worker/api/api_metrics.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

using namespace srs::worker;

namespace {

struct Exposition {
  std::map<std::string, std::string> types;                           // name -> gauge|counter
  std::map<std::string, std::map<std::string, std::string>> samples;  // name -> labels -> value
};

bool metric_name(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// The format's rules, as REQUIREs: every family has HELP then TYPE before its
// samples, a TYPE once, sample values are numbers, label values quoted.
Exposition parse(const std::string& text) {
  Exposition e;
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  std::istringstream in(text);
  std::string line, help_for;
  while (std::getline(in, line)) {
    INFO(line);
    if (line.rfind("# HELP ", 0) == 0) {
      help_for = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      REQUIRE(name == help_for);
      REQUIRE((type == "gauge" || type == "counter"));
      REQUIRE(e.types.count(name) == 0);
      e.types[name] = type;
      continue;
    }
    size_t brace = line.find('{'), space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    std::string name = line.substr(0, std::min(brace, space));
    REQUIRE(metric_name(name));
    REQUIRE(e.types.count(name) == 1);
    std::string labels;
    if (brace != std::string::npos) {
      REQUIRE(line[space - 1] == '}');
      labels = line.substr(brace + 1, space - 1 - brace - 1);
      REQUIRE(labels.find("=\"") != std::string::npos);
    }
    std::string value = line.substr(space + 1);
    size_t used = 0;
    (void)std::stod(value, &used);
    REQUIRE(used == value.size());
    e.samples[name][labels] = value;
  }
  for (const auto& [name, type] : e.types) {
    INFO(name);
    if (type == "counter") CHECK(name.size() > 6);
    if (type == "counter") CHECK(name.substr(name.size() - 6) == "_total");
  }
  return e;
}

MetricsInput figures() {
  MetricsInput in;
  in.server_id = "vid-1\"2";  // a quote to escape
  in.service = "svc\\x";
  in.pid = 4242;
  in.totals.bytes_in = 1000;
  in.totals.bytes_out = 5000000000ull;  // past 2^32
  in.totals.players = 3;
  in.totals.publishers = 1;
  in.totals.connections_total = 17;
  in.totals.lapped_players = 2;
  in.totals.output_gaps = 3;
  in.totals.dropped_players = 1;
  in.totals.messages_in = 70;
  in.totals.messages_out = 210;
  in.streams = 1;
  in.clients = 4;
  in.cpu_percent = 0.125;
  in.memory_kbyte = 20480;
  in.workers_by_state[2] = 2;  // ready
  in.workers_by_state[3] = 1;  // draining
  in.slots = {{0, 3}, {1, 1}, {5, 0}};
  in.generation = 3;
  return in;
}

}  // namespace

TEST_CASE("metrics: SRS's families with the figures given") {
  Exposition e = parse(metrics_text(figures()));
  CHECK(e.samples["srs_send_bytes_total"][""] == "5000000000");
  CHECK(e.samples["srs_receive_bytes_total"][""] == "1000");
  CHECK(e.samples["srs_streams"][""] == "1");
  CHECK(e.samples["srs_clients"][""] == "4");
  CHECK(e.samples["srs_clients_total"][""] == "17");
  CHECK(e.samples["srs_cpu_percent"][""] == "12.5");  // percent, like SRS
  CHECK(e.samples["srs_memory"][""] == "20480");
  CHECK(e.types["srs_send_bytes_total"] == "counter");
  CHECK(e.types["srs_streams"] == "gauge");
  REQUIRE(e.samples["srs_build_info"].size() == 1);
  std::string labels = e.samples["srs_build_info"].begin()->first;
  CHECK(labels.find("server=\"vid-1\\\"2\"") != std::string::npos);
  CHECK(labels.find("service=\"svc\\\\x\"") != std::string::npos);
  CHECK(labels.find("pid=\"4242\"") != std::string::npos);
}

TEST_CASE("metrics: ours, labelled by worker state and slot") {
  Exposition e = parse(metrics_text(figures()));
  CHECK(e.samples["srs_workers"]["state=\"ready\""] == "2");
  CHECK(e.samples["srs_workers"]["state=\"draining\""] == "1");
  CHECK(e.samples["srs_workers"]["state=\"dead\""] == "0");
  CHECK(e.samples["srs_worker_connections"].size() == 3);
  CHECK(e.samples["srs_worker_connections"]["slot=\"0\""] == "3");
  CHECK(e.samples["srs_worker_connections"]["slot=\"5\""] == "0");
  CHECK(e.samples["srs_players"][""] == "3");
  CHECK(e.samples["srs_publishers"][""] == "1");
  CHECK(e.samples["srs_lapped_players_total"][""] == "2");
  CHECK(e.samples["srs_output_gaps_total"][""] == "3");
  CHECK(e.samples["srs_dropped_players_total"][""] == "1");
  CHECK(e.samples["srs_messages_in_total"][""] == "70");
  CHECK(e.samples["srs_messages_out_total"][""] == "210");
  CHECK(e.samples["srs_generation"][""] == "3");
}

TEST_CASE("metrics: reloads only when the master publishes them") {
  MetricsInput in = figures();
  CHECK(parse(metrics_text(in)).types.count("srs_reloads_total") == 0);
  in.have_reloads = true;
  in.reloads_ok = 4;
  in.reloads_failed = 2;
  Exposition e = parse(metrics_text(in));
  CHECK(e.samples["srs_reloads_total"]["result=\"ok\""] == "4");
  CHECK(e.samples["srs_reloads_total"]["result=\"failed\""] == "2");
}

TEST_CASE("label values escape backslash, quote and newline") {
  CHECK(escape_label("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  CHECK(escape_label("plain") == "plain");
}
