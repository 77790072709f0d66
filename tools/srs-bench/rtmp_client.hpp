// RtmpClient: an RTMP player or publisher on the bench loop: the socket glue
// and the statistics around proto/rtmp/client_session.hpp, which holds the
// whole protocol (handshake, connect, createStream, publish/play, pings and
// acknowledgements).
//
// Player:    a simple handshake, flashVer "LNX 9,0,124,2", SetBufferLength
//            3000 ms; counts every audio/video message (PlayerStats).
// Publisher: Set Chunk Size 60000 and the FMLE/ffmpeg flow (CLIENTS.md);
//            after NetStream.Publish.Start, @setDataFrame onMetaData and the
//            media of its MediaSource, paced by timestamps: pump() sends what
//            is due.
#pragma once

#include <memory>
#include <string>

#include "proto/rtmp/client_session.hpp"
#include "tools/srs-bench/connection.hpp"
#include "tools/srs-bench/media_source.hpp"
#include "tools/srs-bench/player_stats.hpp"

namespace srs::tools::srs_bench {

class RtmpClient final : public Connection {
 public:
  enum class Role { kPlayer, kPublisher };

  // `tc_url`, `app` and `stream` as sent in connect and play/publish.
  RtmpClient(event_base* base, Role role, std::string tc_url, std::string app, std::string stream,
             Totals& totals);

  // Publishers only: the media to send (owned).
  void set_source(std::unique_ptr<MediaSource> source) noexcept { source_ = std::move(source); }
  // Publishers: sends every frame due by now (timestamps from the publish start).
  void pump(int64_t now_ns) noexcept;

  Role role() const noexcept { return role_; }
  const proto::rtmp::ClientSession& session() const noexcept { return session_; }
  // Got NetStream.*.Start and still connected (a player stays counted after
  // UnpublishNotify: media may follow when the stream comes back).
  bool live() const noexcept;
  PlayerStats& stats() noexcept { return stats_; }
  const PlayerStats& stats() const noexcept { return stats_; }
  // Publishers: media payload bytes and frames sent, time publishing started.
  uint64_t media_bytes_sent() const noexcept { return media_sent_; }
  uint64_t frames_sent() const noexcept { return frames_sent_; }
  int64_t live_ns() const noexcept { return live_ns_; }
  // The last onStatus/_error code, for the report.
  const std::string& last_status() const noexcept { return last_status_; }
  // The server refused the connect, publish or play (an error status).
  bool rejected() const noexcept { return rejected_; }
  // The srs_pid of the server's connect _result (its worker's pid); 0: not said.
  uint32_t server_pid() const noexcept { return static_cast<uint32_t>(session_.upstream().pid); }

 private:
  void on_connected(int64_t now_ns) noexcept override;
  void on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept override;
  void on_lost(int64_t now_ns) noexcept override;

  void on_event(int64_t now_ns) noexcept;
  void on_session_error() noexcept;
  void send_metadata() noexcept;
  void fail(const char* why) noexcept;

  Role role_;
  Totals& totals_;
  proto::rtmp::ClientSession session_;
  PlayerStats stats_;
  std::string last_status_;
  std::unique_ptr<MediaSource> source_;
  int64_t live_ns_ = 0;
  uint64_t media_sent_ = 0;
  uint64_t frames_sent_ = 0;
  bool rejected_ = false;
};

}  // namespace srs::tools::srs_bench
