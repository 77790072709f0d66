// An HTTP/1.1 connection, from accept to close: requests parsed by
// proto::http::RequestParser, answered in order (pipelining), kept alive
// between requests, and one of three answers for each:
//
//   the API       on an API listener, or under /api/ on a shared listener
//                 (ApiServer::handle builds the JSON)
//   HTTP-FLV      GET /APP/STREAM.flv: an HttpFlvPlayer streams the live
//                 stream from the shared ring until it ends (Connection: close)
//   a file        GET/HEAD of anything else under the vhost's root, sent with
//                 sendfile() after the head (single ranges, 416, 403, 404)
//
// Writes: the response head and small bodies go through out_; a file
// follows with sendfile(); FLV media goes from the ring with writev() by the
// player after out_ is empty. One timer bounds each state: an idle
// keep-alive connection (http_server.keepalive_timeout), a send that makes
// no progress, an .flv request waiting for its publisher
// (http_server.wait_publisher, then 404).
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "base/fd.hpp"
#include "proto/http/request_parser.hpp"
#include "worker/core/connections.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

class HttpServer;
class HttpFlvPlayer;

class HttpConn final : public Connection {
 public:
  HttpConn(Services& svc, HttpServer& server, evutil_socket_t fd, std::string peer,
           uint8_t services);
  ~HttpConn() override;

  // Between two requests of a keep-alive connection, holding no byte of the
  // next one (a drain closes it).
  bool idle() const;
  void close(const std::string& why) override;

  // --- for the FLV player ---
  int fd() const { return fd_; }
  void queue(const uint8_t* data, size_t len) {
    out_.append(reinterpret_cast<const char*>(data), len);
  }
  // Sends out_; false while the socket is full (EV_WRITE is armed) or on an error.
  bool flush_out();
  void want_write();
  void count_out(size_t n);
  void on_flv_started();

 private:
  enum class State : uint8_t { kReading, kWriting, kStreaming };
  struct Reply;

  static void on_read_cb(evutil_socket_t, short, void* arg);
  static void on_write_cb(evutil_socket_t, short, void* arg);
  static void on_timer_cb(evutil_socket_t, short, void* arg);
  void on_readable();
  void on_writable();
  void on_timer();
  void arm_timer(int64_t ms);
  void process();
  bool send_response();
  bool send_file();
  void finish_response();

  // http_conn_routes.cpp: what each request gets.
  void handle(const proto::http::Request& req);
  void handle_api(const proto::http::Request& req, std::string_view path, std::string_view query);
  void handle_http(const proto::http::Request& req, std::string_view path, std::string_view query);
  void handle_file(const proto::http::Request& req, const std::string& path);
  bool handle_flv(const proto::http::Request& req, const std::string& path, std::string_view query);
  // http_flv_hooks.cpp: on_play before an FLV stream starts (false: waiting
  // for the verdict, or refused with 403), on_stop when it ends.
  bool flv_hook_allows(const proto::http::Request& req, const std::string& path, std::string_view query,
                       const conf::VhostConfig& vhost, const std::string& app, const std::string& stream);
  void on_flv_verdict(bool ok, const std::string& why, const std::function<void()>& again);
  void end_flv_hooks();
  void reply(int status, const std::string& content_type, const std::string& body,
             const std::string& extra_headers = {});
  void reply_error(int status, const std::string& why, std::string extra_headers = {});
  std::string head(int status, const std::string& content_type, int64_t length,
                   const std::string& extra_headers) const;
  std::string cors_headers() const;
  const conf::VhostConfig* vhost_of(const proto::http::Request& req, std::string_view query) const;

  Services& svc_;
  HttpServer& server_;
  evutil_socket_t fd_;
  std::string peer_;
  uint8_t services_;
  std::list<HttpConn*>::iterator tracked_;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  event* timer_ev_ = nullptr;

  State state_ = State::kReading;
  proto::http::RequestParser parser_;
  std::string in_;
  std::string out_;
  size_t out_pos_ = 0;
  base::Fd file_;
  uint64_t file_offset_ = 0;
  uint64_t file_left_ = 0;
  bool keep_alive_ = true;
  bool cors_ = false;       // CORS headers on the current response
  bool head_only_ = false;  // a HEAD request: the head without the body
  bool progress_ = false;   // bytes went out since the timer was armed
  uint64_t requests_ = 0;
  uint64_t bytes_in_ = 0, bytes_out_ = 0;
  std::unique_ptr<HttpFlvPlayer> player_;
  // HTTP callbacks of an FLV play (hooks enabled only).
  const conf::VhostConfig* hook_vhost_ = nullptr;
  std::unique_ptr<HookInfo> flv_hook_;  // set once the play is allowed: on_stop at the end
  uint64_t hook_ticket_ = 0;
  bool hook_passed_ = false;
};

}  // namespace srs::worker
