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
//   the console   GET/HEAD under /console/ on an API listener: a file of
//                 http_api.console_dir, with the API's allow list and auth
//
// Writes: the response head and small bodies go through the connection's
// output; a file follows with sendfile(); FLV media goes from the ring with
// writev() by the player after the output is empty. One timer bounds each state: an idle
// keep-alive connection (http_server.keepalive_timeout), a send that makes
// no progress, an .flv request waiting for its publisher
// (http_server.wait_publisher, then 404).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>

#include "base/fd.hpp"
#include "proto/http/request_parser.hpp"
#include "worker/access/gatekeeper.hpp"
#include "worker/directory/stream_directory.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/http/flv_framing.hpp"
#include "worker/http/http_static.hpp"
#include "worker/net/socket_conn.hpp"
#include "worker/stream/ring_player.hpp"

namespace srs::worker {

class HttpServer;

// True when the vhost restricts who may play (http_access.cpp).
bool play_rules(const conf::VhostConfig& vhost);

class HttpConn final : public SocketConn {
 public:
  HttpConn(Services& svc, HttpServer& server, std::unique_ptr<Transport> transport,
           std::string peer, uint8_t services);
  ~HttpConn() override;

  // Between two requests of a keep-alive connection, holding no byte of the
  // next one (a drain closes it).
  bool idle() const;

 private:
  enum class State : uint8_t { kReading, kWriting, kStreaming };

  void on_readable() override;
  void on_writable() override;
  void on_timer() override;
  void on_closing(const std::string& why) override;
  bool on_bytes(const uint8_t* data, size_t len) override;
  std::string close_details() const override;
  // The timer of the current state; a send timeout looks at the progress since.
  void arm_state_timer(int64_t ms);
  void arm_head_timer();
  void queue_text(const std::string& text) { queue(text.data(), text.size()); }
  void process();
  bool send_response();
  bool send_file();
  void finish_response();

  // http_conn_routes.cpp: what each request gets.
  void handle(const proto::http::Request& req);
  void handle_api(const proto::http::Request& req, std::string_view path, std::string_view query);
  void handle_http(const proto::http::Request& req, std::string_view path, std::string_view query);
  void handle_file(const proto::http::Request& req, const std::string& path,
                   std::string_view query);
  void handle_console(const proto::http::Request& req, std::string_view encoded_path);
  // The head of an opened file and then its bytes (sendfile), or its error.
  void send_static(StaticFile f, const std::string& path, std::string extra_headers);
  bool handle_flv(const proto::http::Request& req, const std::string& path, std::string_view query);
  // http_flv_hooks.cpp: on_play before an FLV stream starts (false: waiting
  // for the verdict, or refused with 403), on_stop when it ends.
  bool flv_hook_allows(const proto::http::Request& req, const std::string& path,
                       std::string_view query, const conf::VhostConfig& vhost,
                       const std::string& app, const std::string& stream);
  void on_flv_verdict(bool ok, const std::string& why, const std::function<void()>& again);
  // http_access.cpp: the vhost's play rules (false: refused with 403).
  std::string play_token(const proto::http::Request& req, std::string_view query) const;
  bool access_allows(const proto::http::Request& req, std::string_view query,
                     const conf::VhostConfig& vhost, const std::string& app,
                     const std::string& stream);
  bool flv_allows(const proto::http::Request& req, std::string_view query,
                  const conf::VhostConfig& vhost, const std::string& app,
                  const std::string& stream);
  bool refused(const conf::VhostConfig& vhost, const std::string& app, const std::string& stream,
               const AccessVerdict& v);
  bool hls_access(const proto::http::Request& req, const std::string& path, std::string_view query,
                  const conf::VhostConfig& vhost, const StaticFile& f, std::string* tokenized);
  static std::string tokenized_playlist(const StaticFile& f, const std::string& token);
  bool hls_pulled(const proto::http::Request& req, const std::string& path, std::string_view query,
                  const conf::VhostConfig& vhost, bool missing);
  // http_directory.cpp: a stream another origin of the cluster holds.
  bool directory_play(const proto::http::Request& req, const std::string& path,
                      std::string_view query, const conf::VhostConfig& vhost,
                      const std::string& app, const std::string& stream, bool hls);
  void on_holder(const proto::http::Request& req, const std::string& path, const std::string& query,
                 const conf::VhostConfig& vhost, const std::string& app, const std::string& stream,
                 bool hls, const StreamDirectory::Holder& h);
  void end_flv_hooks();
  void reply(int status, const std::string& content_type, const std::string& body,
             const std::string& extra_headers = {});
  void reply_error(int status, const std::string& why, std::string extra_headers = {});
  std::string head(int status, const std::string& content_type, int64_t length,
                   const std::string& extra_headers) const;
  std::string cors_headers() const;
  const conf::VhostConfig* vhost_of(const proto::http::Request& req, std::string_view query) const;

  HttpServer& server_;
  uint8_t services_;
  std::list<HttpConn*>::iterator tracked_;

  State state_ = State::kReading;
  proto::http::RequestParser parser_;
  std::string in_;
  base::Fd file_;
  uint64_t file_offset_ = 0;
  uint64_t file_left_ = 0;
  bool keep_alive_ = true;
  bool head_timer_ = false;    // reading: the header timeout runs (else the keep-alive one)
  bool cors_ = false;          // CORS headers on the current response
  bool head_only_ = false;     // a HEAD request: the head without the body
  uint64_t out_at_timer_ = 0;  // bytes_out() when the timer was armed
  uint64_t requests_ = 0;
  std::unique_ptr<FlvFraming> framing_;
  std::unique_ptr<RingPlayer> player_;  // after framing_: destroyed before it
  // HTTP callbacks of an FLV play (hooks enabled only).
  const conf::VhostConfig* hook_vhost_ = nullptr;
  std::unique_ptr<HookInfo> flv_hook_;  // set once the play is allowed: on_stop at the end
  uint64_t hook_ticket_ = 0;
  bool hook_passed_ = false;
  // The origin cluster's directory (origin_cluster.directory).
  uint64_t directory_ticket_ = 0;
  std::string directory_key_;  // the stream it answered for (the request runs again)
};

}  // namespace srs::worker
