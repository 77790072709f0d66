// RawReader: connects to tcp://host:port and counts what arrives, for the
// bare fan-out floor (tools/fanout-floor), where the bytes are not parsed.
#pragma once

#include "tools/srs-bench/connection.hpp"
#include "tools/srs-bench/player_stats.hpp"

namespace srs::tools::srs_bench {

class RawReader final : public Connection {
 public:
  RawReader(event_base* base, Totals& totals) : Connection(base), totals_(totals) {}

  PlayerStats& stats() noexcept { return stats_; }
  const PlayerStats& stats() const noexcept { return stats_; }
  bool live() const noexcept { return is_open() && connected(); }

 private:
  void on_connected(int64_t now_ns) noexcept override { stats_.on_request(now_ns); }
  void on_data(const uint8_t* /*data*/, size_t len, int64_t now_ns) noexcept override {
    stats_.on_raw(len, now_ns, totals_);
  }
  void on_lost(int64_t /*now_ns*/) noexcept override { ++totals_.errors; }

  PlayerStats stats_;
  Totals& totals_;
};

}  // namespace srs::tools::srs_bench
