// PlayerHistory: one player across its connections (--reconnect, --session).
//
// A player's current connection keeps its own PlayerStats, as without
// --reconnect. When it ends, the bench records how (end(), leave()) and, at
// the reconnect, folds its figures in here (fold()) before the next
// connection replaces it. The report's row for the player is the current
// connection's row with merge_into() adding the earlier ones. The drop gap is
// the player's own view of a drop: from the last media before it to the first
// media of a later connection (watch() closes it).
#pragma once

#include <cstdint>
#include <vector>

#include "tools/srs-bench/player_stats.hpp"
#include "tools/srs-bench/report.hpp"

namespace srs::tools::srs_bench {

class PlayerHistory {
 public:
  // The current connection ended without the bench closing it.
  // `last_media_ns`: its last media (0: none).
  void end(ConnectionEnd e, int64_t last_media_ns, int64_t closed_ns) noexcept;
  // The bench closed the current connection (its session was over).
  void leave() noexcept { ++leaves_; }
  // The ended connection's figures, just before a new connection replaces it:
  // whether it connected, its socket bytes and its statistics.
  void fold(bool connected, uint64_t bytes_in, const PlayerStats& st) noexcept;
  // Each tick, the current connection: its first media closes an open drop gap.
  void watch(const PlayerStats& current) noexcept;
  // The earlier connections added to `row` (the current connection's); a drop
  // gap still open at `end_ns` counts to the end as the maximum.
  void merge_into(ClientRow* row, int64_t end_ns) const noexcept;

  uint32_t drops() const noexcept { return drops_; }
  uint32_t connections() const noexcept { return folded_ + 1; }

  // The bench's schedule for this player (0: nothing planned).
  int64_t reconnect_at_ns = 0;
  int64_t leave_at_ns = 0;
  bool done = false;  // ended for good: no reconnect

 private:
  std::vector<ConnectionEnd> ends_;
  uint32_t drops_ = 0, connect_failures_ = 0, rejected_ = 0, leaves_ = 0;
  // A drop gap: open since gap_from_ns_ until media comes back.
  bool gap_open_ = false;
  int64_t gap_from_ns_ = 0;
  uint32_t gaps_ = 0;
  int64_t gap_max_ns_ = 0, gap_total_ns_ = 0;
  // Earlier connections, folded.
  uint32_t folded_ = 0;
  bool connected_ = false, saw_video_ = false;
  uint64_t bytes_ = 0, media_bytes_ = 0, frames_ = 0, stalls_ = 0, stamps_ = 0, cached_ = 0;
  int64_t max_gap_ns_ = 0;
  uint64_t max_latency_us_ = 0;
  // The first connection that played: its request, first frame and keyframe.
  int64_t request_ns_ = 0, first_frame_ns_ = 0, first_key_ns_ = 0;
};

}  // namespace srs::tools::srs_bench
