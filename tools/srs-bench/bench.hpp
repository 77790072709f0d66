// Bench: one run of srs-bench. Starts the publishers, then the players at the
// ramp rate once the publishers publish (or after --play-delay), prints a
// progress line each second, stops after --duration and summarises every
// client. One libevent loop, no threads: thousands of clients on one core.
//
// With --reconnect (and --session) the ramp's tick also supervises the
// players: a connection that ended is recorded in the player's history and,
// after the delay, replaced by a new one; a session that is over is closed.
// Connections are replaced from the tick, never inside their own callbacks.
#pragma once

#include <netinet/in.h>

#include <memory>
#include <random>
#include <vector>

#include "base/status.hpp"
#include "tools/srs-bench/http_flv_player.hpp"
#include "tools/srs-bench/options.hpp"
#include "tools/srs-bench/player_history.hpp"
#include "tools/srs-bench/raw_reader.hpp"
#include "tools/srs-bench/report.hpp"
#include "tools/srs-bench/rtmp_client.hpp"

struct event;
struct event_base;

namespace srs::tools::srs_bench {

class Bench {
 public:
  explicit Bench(Options options);
  ~Bench();
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  // Resolves the URLs and loads --flv. Errors are for the terminal.
  [[nodiscard]] base::Status setup();
  // Runs the whole load until --duration (or SIGINT), then builds the summary.
  Summary run();

 private:
  struct PlayerSlot {
    size_t target;   // index into options_.play
    uint32_t index;  // player number within that target
  };

  static void on_ramp(int fd, short what, void* arg);
  static void on_pace(int fd, short what, void* arg);
  static void on_progress(int fd, short what, void* arg);
  static void on_end(int fd, short what, void* arg);

  void start_publishers();
  void start_player(const PlayerSlot& slot);
  // Starts a connection for player `i` of scheme `kind` (a new one, or
  // replacing its ended connection).
  void connect_player(int kind, size_t i, int64_t now_ns);
  template <class P>
  void supervise(std::vector<std::unique_ptr<P>>& players, int kind, int64_t now_ns);
  void schedule_reconnect(PlayerHistory& h, int64_t now_ns);
  bool publishers_ready() const;
  void ramp(int64_t now_ns);
  void progress(int64_t now_ns);
  uint64_t player_bytes() const;
  void sample(int64_t now_ns, uint64_t bytes);
  std::string stream_for(const std::string& stream, uint32_t index) const;
  Summary summarize(int64_t end_ns);
  ClientRow row_of(const char* kind, const std::string& url, const Connection& c,
                   const PlayerStats& st, int64_t end_ns) const;

  Options options_;
  event_base* base_ = nullptr;
  std::vector<event*> events_;
  std::vector<sockaddr_in> play_addrs_;
  sockaddr_in publish_addr_{};
  Totals totals_;
  std::vector<std::unique_ptr<RtmpClient>> publishers_;
  std::vector<std::unique_ptr<RtmpClient>> rtmp_players_;
  std::vector<std::unique_ptr<HttpFlvPlayer>> http_players_;
  std::vector<std::unique_ptr<RawReader>> raw_players_;
  std::vector<std::string> player_urls_[3];  // per kind, the URL of each player
  std::vector<PlayerSlot> slots_[3];         // per kind, each player's slot
  std::vector<PlayerHistory> histories_[3];  // per kind, each player's earlier connections
  std::mt19937_64 rng_;                      // session lengths
  int64_t end_ns_ = 0;                       // the planned end of the run
  uint64_t drops_ = 0, reconnects_ = 0, leaves_ = 0;
  uint64_t replaced_bytes_ = 0;  // bytes_in of the connections reconnects replaced
  std::vector<PlayerSlot> pending_;
  size_t next_pending_ = 0;
  int64_t start_ns_ = 0;
  int64_t players_from_ns_ = 0;  // 0 until players may start
  int64_t ramp_end_ns_ = 0;      // 0 until the last player was started
  int64_t last_ramp_ns_ = 0;
  double ramp_credit_ = 0;
  uint64_t last_bytes_in_ = 0;
  uint64_t last_bytes_out_ = 0;
  std::vector<TimelineSample> timeline_;
};

}  // namespace srs::tools::srs_bench
