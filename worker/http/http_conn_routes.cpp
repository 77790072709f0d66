// What each HTTP request gets: the API, an HTTP-FLV stream or a file, and
// the response heads (see http_conn.hpp).
#include "worker/http/http_conn.hpp"

#include <ctime>

#include "base/log.hpp"
#include "base/version.hpp"
#include "proto/http/response.hpp"
#include "proto/http/target.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/core/listener.hpp"
#include "worker/edge/edge.hpp"
#include "worker/http/http_server.hpp"
#include "worker/http/http_static.hpp"

namespace srs::worker {
namespace {

namespace http = proto::http;

constexpr const char kAllowedMethods[] = "GET, HEAD, OPTIONS";

// Adobe's cross-domain policy, for Flash players (SRS serves the same).
constexpr const char kCrossdomainXml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE cross-domain-policy SYSTEM "
    "\"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd\">\n"
    "<cross-domain-policy>\n"
    "  <allow-access-from domain=\"*\"/>\n"
    "  <site-control permitted-cross-domain-policies=\"all\"/>\n"
    "</cross-domain-policy>\n";

// The web console's path on an API listener (SRS serves its console there too).
constexpr std::string_view kConsole = "/console";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string HttpConn::cors_headers() const {
  // Fetch standard (CORS protocol): what hls.js and mpegts.js need.
  return "Access-Control-Allow-Origin: *\r\n"
         "Access-Control-Allow-Methods: GET, HEAD, POST, PUT, DELETE, OPTIONS\r\n"
         "Access-Control-Allow-Headers: Origin, Range, Content-Type, Accept, Authorization, "
         "X-Requested-With\r\n"
         "Access-Control-Expose-Headers: Content-Length, Content-Range, Server\r\n"
         "Access-Control-Max-Age: 86400\r\n";
}

// `length` < 0: no Content-Length (a live stream until the connection closes).
std::string HttpConn::head(int status, const std::string& content_type, int64_t length,
                           const std::string& extra_headers) const {
  http::ResponseHead h(status);
  h.add("Server", base::server_signature());
  h.add("Date", http::http_date(std::time(nullptr)));
  if (!content_type.empty()) h.add("Content-Type", content_type);
  if (length >= 0) h.add("Content-Length", uint64_t(length));
  h.add("Connection", keep_alive_ ? "keep-alive" : "close");
  std::string text = std::move(h).finish();
  std::string extra = extra_headers + (cors_ ? cors_headers() : std::string());
  text.insert(text.size() - 2, extra);
  return text;
}

void HttpConn::reply(int status, const std::string& content_type, const std::string& body,
                     const std::string& extra_headers) {
  queue_text(head(status, content_type, int64_t(body.size()), extra_headers));
  if (!head_only_) queue_text(body);
}

void HttpConn::reply_error(int status, const std::string& why, std::string extra_headers) {
  base::LogContext ctx(cid());
  LOG_INFO("http client %s: %d %s (%s)", peer().c_str(), status, http::reason_phrase(status),
           why.c_str());
  std::string body = std::to_string(status) + " " + http::reason_phrase(status) + "\n";
  if (status == 405) extra_headers += std::string("Allow: ") + kAllowedMethods + "\r\n";
  reply(status, "text/plain; charset=utf-8", body, extra_headers);
}

void HttpConn::handle(const http::Request& req) {
  keep_alive_ = req.keep_alive && !svc_.draining;
  head_only_ = req.method == "HEAD";
  cors_ = false;
  base::Result<http::Target> target = http::split_target(req.target);
  if (!target.is_ok()) return reply_error(400, "bad request target " + req.target);
  std::string_view path = target->path;
  bool console =
      (services_ & kServiceApi) && (path == kConsole || path.substr(0, 9) == "/console/");
  if (console) return handle_console(req, path);
  bool api = (services_ & kServiceApi) &&
             (!(services_ & kServiceHttp) || path == "/api" || path.substr(0, 5) == "/api/" ||
              path == "/metrics");  // SRS serves /metrics with the API
  if (api) return handle_api(req, path, target->query);
  handle_http(req, path, target->query);
}

void HttpConn::handle_api(const http::Request& req, std::string_view path, std::string_view query) {
  cors_ = svc_.config->http_api.crossdomain;
  client().describe(shm::ClientType::kHttpApi, shm::kNoSlot, 0, {});  // not listed, as in SRS
  if (req.method == "OPTIONS") return reply(200, "", "");             // CORS preflight
  const std::string* authorization = req.find("Authorization");
  ApiCall call{req.method,
               path,
               query,
               req.body,
               peer_address_ip(peer()),
               authorization ? std::string_view(*authorization) : std::string_view()};
  ApiResponse r = server_.api().handle(call);
  reply(r.status, r.content_type, r.body, r.headers);
}

// GET /console/PATH: the file PATH of http_api.console_dir, for whoever may
// use the API. PATH is normalized on its own, so that a dot segment cannot
// climb out of the console (/console/../x is 403, not the HTTP server's /x).
void HttpConn::handle_console(const http::Request& req, std::string_view encoded_path) {
  cors_ = false;  // a page of this origin: no other site needs to read it
  client().describe(shm::ClientType::kHttpApi, shm::kNoSlot, 0, {});  // not listed, as the API
  const std::string* authorization = req.find("Authorization");
  ApiCall call{req.method,
               encoded_path,
               {},
               {},
               peer_address_ip(peer()),
               authorization ? std::string_view(*authorization) : std::string_view()};
  ApiResponse refusal;
  if (!server_.api().admit(call, &refusal)) {
    return reply(refusal.status, refusal.content_type, refusal.body, refusal.headers);
  }
  if (req.method != "GET" && req.method != "HEAD") return reply_error(405, "method " + req.method);
  // Relative, so that it holds behind a reverse proxy that adds a prefix.
  if (encoded_path == kConsole) return reply(302, "", "", "Location: console/\r\n");
  base::Result<std::string> path = http::normalize_path(encoded_path.substr(kConsole.size()));
  if (!path.is_ok()) {
    int status = path.status().code() == base::Errc::kRejected ? 403 : 400;
    return reply_error(status, std::string(path.status().what()) + ": " + req.target);
  }
  const std::string& root = svc_.config->http_api.console_dir;
  send_static(open_static(root, *path, req.find("Range")), "/console" + *path, {});
}

void HttpConn::handle_http(const http::Request& req, std::string_view encoded_path,
                           std::string_view query) {
  cors_ = svc_.config->http_server.crossdomain;
  if (req.method == "OPTIONS") {
    return reply(200, "", "", std::string("Allow: ") + kAllowedMethods + "\r\n");
  }
  if (req.method != "GET" && req.method != "HEAD") return reply_error(405, "method " + req.method);
  base::Result<std::string> path = http::normalize_path(encoded_path);
  if (!path.is_ok()) {
    int status = path.status().code() == base::Errc::kRejected ? 403 : 400;
    return reply_error(status, std::string(path.status().what()) + ": " + req.target);
  }
  if (*path == "/crossdomain.xml" && cors_) return reply(200, "application/xml", kCrossdomainXml);
  if (ends_with(*path, ".flv") && handle_flv(req, *path, query)) return;
  handle_file(req, *path, query);
}

const conf::VhostConfig* HttpConn::vhost_of(const http::Request& req,
                                            std::string_view query) const {
  std::string name = http::query_param(query, "vhost");
  if (name.empty()) {
    const std::string* host = req.find("Host");
    if (host) name = http::host_name(*host);
  }
  return svc_.config->find_vhost(name);  // the named vhost, else __defaultVhost__ if configured
}

void HttpConn::handle_file(const http::Request& req, const std::string& path,
                           std::string_view query) {
  const conf::VhostConfig* vhost = vhost_of(req, {});
  const std::string& root =
      vhost && !vhost->http_dir.empty() ? vhost->http_dir : svc_.config->http_server.dir;
  StaticFile f = open_static(root, path, req.find("Range"));
  bool playlist = ends_with(path, ".m3u8");
  bool hls = playlist || ends_with(path, ".ts");
  std::string tokenized;  // a playlist with the token on its URIs
  // HLS files carry no vhost in their path: every vhost writing under this
  // root has its play rules checked, whichever Host the request names.
  for (const conf::VhostConfig& v : svc_.config->vhosts) {
    const std::string& v_root = v.http_dir.empty() ? svc_.config->http_server.dir : v.http_dir;
    if (hls && v_root == root && play_rules(v) && !hls_access(req, path, query, v, f, &tokenized))
      return;
  }
  if (playlist && vhost && !hls_pulled(req, path, query, *vhost, f.status == 404)) return;
  // The playlist of a live stream (the default [app]/[stream].m3u8 layout):
  // this connection is an HLS player, listed as hls-play like in SRS.
  if (vhost && playlist && (f.status == 200 || f.status == 206)) {
    std::string key = vhost->name + path.substr(0, path.size() - 5);
    if (svc_.control->registry().find(key).is_ok()) {
      client().describe(shm::ClientType::kHlsPlay, shm::kNoSlot, 0, key);
    }
  }
  // RFC 8216 6.2.1/6.2.2: a live playlist changes; players must re-fetch it.
  if (!tokenized.empty())
    return reply(200, f.content_type, tokenized, "Cache-Control: no-cache\r\n");
  send_static(std::move(f), path, playlist ? "Cache-Control: no-cache\r\n" : "");
}

void HttpConn::send_static(StaticFile f, const std::string& path, std::string extra) {
  if (f.status != 200 && f.status != 206) {
    std::string range = f.status == 416 ? "Content-Range: " + f.content_range + "\r\n" : "";
    return reply_error(f.status, path + ": " + f.why, range);
  }
  extra += "Accept-Ranges: bytes\r\n";
  if (f.status == 206) extra += "Content-Range: " + f.content_range + "\r\n";
  queue_text(head(f.status, f.content_type, int64_t(f.length), extra));
  if (head_only_ || f.length == 0) return;
  file_ = std::move(f.fd);
  file_offset_ = f.offset;
  file_left_ = f.length;
}

// GET /APP/STREAM.flv: the live stream VHOST/APP/STREAM. False when the
// path has no app (a file then).
bool HttpConn::handle_flv(const http::Request& req, const std::string& path,
                          std::string_view query) {
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return false;
  std::string app = path.substr(1, slash - 1);
  std::string stream = path.substr(slash + 1, path.size() - slash - 1 - 4);
  if (stream.empty()) return false;
  const conf::VhostConfig* vhost = vhost_of(req, query);
  if (!vhost || !vhost->enabled) {
    reply_error(404, "no enabled vhost for " + req.target);
    return true;
  }
  keep_alive_ = false;  // the body ends when the connection does
  std::string key = vhost->name + "/" + app + "/" + stream;
  if (!flv_allows(req, query, *vhost, app, stream)) return true;
  if (!directory_play(req, path, query, *vhost, app, stream, false)) return true;
  if (head_only_) {
    queue_text(head(200, "video/x-flv", -1, "Cache-Control: no-cache\r\n"));
    return true;
  }
  if (!flv_hook_allows(req, path, query, *vhost, app, stream)) return true;  // waits, or 403
  base::LogContext ctx(cid());
  LOG_INFO("http-flv play %s from %s", key.c_str(), peer().c_str());
  if (vhost->cluster.mode == conf::ClusterMode::kEdge && svc_.edge != nullptr) {
    HookInfo player;  // what the origin gets: an HTTP-FLV player pulls by itself
    player.client_id = cid().c_str();
    player.ip = std::string(peer_address_ip(peer()));
    player.vhost = vhost->name;
    player.app = app;
    player.stream = stream;
    if (!query.empty()) player.param = "?" + std::string(query);
    svc_.edge->want(key, *vhost, player);
  }
  client().describe(shm::ClientType::kFlvPlay, shm::kNoSlot, 0, key);
  state_ = State::kStreaming;
  framing_ =
      std::make_unique<FlvFraming>(head(200, "video/x-flv", -1, "Cache-Control: no-cache\r\n"));
  player_ = std::make_unique<RingPlayer>(svc_, *this, *framing_, key, *vhost);
  player_->start();
  if (!closing() && player_ && !player_->started()) {
    arm_state_timer(svc_.config->http_server.wait_publisher.count());
  } else {
    cancel_timer();
  }
  return true;
}

}  // namespace srs::worker
