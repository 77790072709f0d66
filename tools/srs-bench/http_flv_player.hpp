// HttpFlvPlayer: GET http://host:port/app/stream.flv on the bench loop, then
// the FLV byte stream (FLV v10.1 E.2-E.4) through proto/flv's TagReader into
// PlayerStats. Asks with HTTP/1.0 so servers answer close-delimited, and still
// decodes "Transfer-Encoding: chunked" (RFC 9112 7.1) when a server uses it.
#pragma once

#include <string>

#include "proto/flv/tag_reader.hpp"
#include "tools/srs-bench/connection.hpp"
#include "tools/srs-bench/player_stats.hpp"

namespace srs::tools::srs_bench {

class HttpFlvPlayer final : public Connection {
 public:
  HttpFlvPlayer(event_base* base, std::string host, int port, std::string path, Totals& totals);

  PlayerStats& stats() noexcept { return stats_; }
  const PlayerStats& stats() const noexcept { return stats_; }
  bool live() const noexcept { return body_ && is_open(); }
  int status() const noexcept { return status_; }

 private:
  void on_connected(int64_t now_ns) noexcept override;
  void on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept override;
  void on_lost(int64_t now_ns) noexcept override;

  size_t on_header(const uint8_t* data, size_t len) noexcept;
  void on_body(const uint8_t* data, size_t len, int64_t now_ns) noexcept;
  size_t on_chunked(const uint8_t* data, size_t len, int64_t now_ns) noexcept;
  void feed_flv(const uint8_t* data, size_t len, int64_t now_ns) noexcept;
  void fail(const char* why) noexcept;

  std::string request_;
  std::string header_;  // the response header, until its end
  bool body_ = false;
  bool chunked_ = false;
  uint64_t chunk_left_ = 0;  // data bytes left in the current chunk
  std::string chunk_line_;   // a chunk-size line being read ("" when in data)
  bool chunk_crlf_ = false;  // the CRLF after a chunk's data is due
  int status_ = 0;
  proto::flv::TagReader flv_;
  PlayerStats stats_;
  Totals& totals_;
};

}  // namespace srs::tools::srs_bench
