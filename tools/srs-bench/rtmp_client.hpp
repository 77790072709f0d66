// RtmpClient: an RTMP player or publisher on the bench loop, built on
// proto/rtmp (handshake, chunk reader/writer, commands).
//
// Player:    C0C1 .. C2, connect, createStream, play, SetBufferLength; then
//            counts every audio/video message (PlayerStats) and answers
//            pings and acknowledgement windows (RTMP 1.0 5.4.3, 7.1.7).
// Publisher: Set Chunk Size 60000, connect, releaseStream, FCPublish,
//            createStream, publish (the FMLE/ffmpeg flow, CLIENTS.md); after
//            NetStream.Publish.Start, @setDataFrame onMetaData and the media
//            of its MediaSource, paced by timestamps: pump() sends what is due.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "proto/rtmp/chunk_reader.hpp"
#include "proto/rtmp/chunk_writer.hpp"
#include "proto/rtmp/handshake.hpp"
#include "tools/srs-bench/connection.hpp"
#include "tools/srs-bench/media_source.hpp"
#include "tools/srs-bench/player_stats.hpp"

namespace srs::tools::srs_bench {

class RtmpClient final : public Connection {
 public:
  enum class Role { kPlayer, kPublisher };
  enum class State { kConnecting, kHandshake, kConnect, kCreateStream, kStarting, kLive, kDone };

  // `tc_url`, `app` and `stream` as sent in connect and play/publish.
  RtmpClient(event_base* base, Role role, std::string tc_url, std::string app, std::string stream,
             Totals& totals);

  // Publishers only: the media to send (owned).
  void set_source(std::unique_ptr<MediaSource> source) noexcept { source_ = std::move(source); }
  // Publishers: sends every frame due by now (timestamps from the publish start).
  void pump(int64_t now_ns) noexcept;

  Role role() const noexcept { return role_; }
  State state() const noexcept { return state_; }
  bool live() const noexcept { return state_ == State::kLive && is_open(); }
  PlayerStats& stats() noexcept { return stats_; }
  const PlayerStats& stats() const noexcept { return stats_; }
  // Publishers: media payload bytes and frames sent, time publishing started.
  uint64_t media_bytes_sent() const noexcept { return media_sent_; }
  uint64_t frames_sent() const noexcept { return frames_sent_; }
  int64_t live_ns() const noexcept { return live_ns_; }
  // The last onStatus/_error code, for the report.
  const std::string& last_status() const noexcept { return last_status_; }

 private:
  void on_connected(int64_t now_ns) noexcept override;
  void on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept override;
  void on_lost(int64_t now_ns) noexcept override;

  size_t feed_handshake(const uint8_t* data, size_t len) noexcept;
  void feed_chunks(const uint8_t* data, size_t len, int64_t now_ns) noexcept;
  void on_message(const proto::rtmp::Message& msg, int64_t now_ns) noexcept;
  void on_command(const proto::rtmp::Message& msg, int64_t now_ns) noexcept;
  void on_result(double txn, bool error, double number) noexcept;
  void on_status(const std::string& code, const std::string& level, int64_t now_ns) noexcept;
  void on_user_control(const proto::rtmp::Message& msg) noexcept;
  void send_connect() noexcept;
  void send_start() noexcept;
  void send_metadata() noexcept;
  void send_message(uint32_t csid, uint8_t type, uint32_t timestamp, uint32_t stream_id,
                    std::span<const uint8_t> payload) noexcept;
  void fail(const char* why) noexcept;

  Role role_;
  State state_ = State::kConnecting;
  std::string tc_url_, app_, stream_;
  Totals& totals_;
  std::unique_ptr<proto::rtmp::HandshakeClient> handshake_;
  proto::rtmp::ChunkReader reader_;
  proto::rtmp::ChunkWriter writer_;
  std::vector<uint8_t> scratch_;  // AMF payloads being built
  uint32_t stream_id_ = 0;
  PlayerStats stats_;
  std::string last_status_;
  std::unique_ptr<MediaSource> source_;
  int64_t live_ns_ = 0;
  uint64_t media_sent_ = 0;
  uint64_t frames_sent_ = 0;
};

}  // namespace srs::tools::srs_bench
