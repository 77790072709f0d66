// Bench: one run of srs-bench. Starts the publishers, then the players at the
// ramp rate once the publishers publish (or after --play-delay), prints a
// progress line each second, stops after --duration and summarises every
// client. One libevent loop, no threads: thousands of clients on one core.
#pragma once

#include <netinet/in.h>

#include <memory>
#include <vector>

#include "base/status.hpp"
#include "tools/srs-bench/http_flv_player.hpp"
#include "tools/srs-bench/options.hpp"
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
