// The vhost's access rules for HTTP plays (access/gatekeeper.hpp): HTTP-FLV
// streams, and HLS playlists and segments.
//
// HLS players fetch segments by the URIs of the playlist, without the
// playlist's query; so a playlist asked for with a token is served with the
// token added to each of its URIs, and each segment is checked like the
// playlist. The stream of an HLS file is read from its path in the default
// layout (hls.m3u8_file "[app]/[stream].m3u8", ts_file
// "[app]/[stream]-[seq].ts"); a vhost with play rules and another layout
// refuses what it cannot attribute.
#include <unistd.h>

#include <algorithm>

#include "base/log.hpp"
#include "proto/http/target.hpp"
#include "worker/access/gatekeeper.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/edge/edge.hpp"
#include "worker/http/http_conn.hpp"

namespace srs::worker {
namespace {

namespace http = proto::http;

constexpr uint64_t kMaxPlaylistBytes = 1u << 20;

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool jwt_charset(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// "Authorization: Bearer TOKEN" -> TOKEN; empty without one.
std::string bearer_token(const http::Request& req) {
  const std::string* value = req.find("Authorization");
  if (value == nullptr || value->size() < 7 || strncasecmp(value->c_str(), "Bearer ", 7) != 0)
    return {};
  std::string_view token = std::string_view(*value).substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return std::string(token);
}

// "/live/cam.m3u8" -> live, cam; "/live/cam-12.ts" -> live, cam. False when
// the path does not name one.
bool hls_stream_of(const std::string& path, std::string* app, std::string* stream) {
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return false;
  *app = path.substr(1, slash - 1);
  std::string name = path.substr(slash + 1);
  if (ends_with(name, ".m3u8")) {
    *stream = name.substr(0, name.size() - 5);
  } else {
    name.resize(name.size() - 3);  // ".ts"
    size_t dash = name.rfind('-');
    if (dash == std::string::npos || dash + 1 == name.size() ||
        !std::all_of(name.begin() + long(dash) + 1, name.end(),
                     [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    *stream = name.substr(0, dash);
  }
  return !app->empty() && !stream->empty();
}

}  // namespace

bool play_rules(const conf::VhostConfig& vhost) {
  return vhost.auth.play || !vhost.security.play_allow.empty() ||
         !vhost.security.play_deny.empty() || (vhost.refer.enabled && !vhost.refer.play.empty());
}

std::string HttpConn::play_token(const http::Request& req, std::string_view query) const {
  std::string token = http::query_param(query, "token");
  return token.empty() ? bearer_token(req) : token;
}

// An HTTP-FLV player: the access rules, then play.max_players.
bool HttpConn::flv_allows(const http::Request& req, std::string_view query,
                          const conf::VhostConfig& vhost, const std::string& app,
                          const std::string& stream) {
  if (!access_allows(req, query, vhost, app, stream)) return false;
  if (svc_.gatekeeper == nullptr) return true;
  AccessVerdict v = svc_.gatekeeper->within_limits(vhost, AccessAction::kPlay,
                                                   vhost.name + "/" + app + "/" + stream);
  return v.allowed || refused(vhost, app, stream, v);
}

bool HttpConn::access_allows(const http::Request& req, std::string_view query,
                             const conf::VhostConfig& vhost, const std::string& app,
                             const std::string& stream) {
  if (svc_.gatekeeper == nullptr) return true;
  std::string token = play_token(req, query);
  const std::string* referer = req.find("Referer");
  Visitor visitor{peer_address_ip(peer()), token, referer ? std::string_view(*referer) : ""};
  AccessVerdict v = svc_.gatekeeper->admit(vhost, AccessAction::kPlay, app, stream, visitor);
  if (v.allowed) return true;
  return refused(vhost, app, stream, v);
}

bool HttpConn::refused(const conf::VhostConfig& vhost, const std::string& app,
                       const std::string& stream, const AccessVerdict& v) {
  keep_alive_ = false;
  reply_error(403, "play " + vhost.name + "/" + app + "/" + stream + " refused: " + v.why);
  return false;
}

// A playlist on an edge, or on an origin of a cluster: its HLS player is
// counted (edge/edge.hpp hls_player: a pull is not stopped under HLS
// players); on an origin, a playlist that is missing, or whose stream is not
// live here any more, goes to the directory (http_directory.cpp). False:
// waiting or answered.
bool HttpConn::hls_pulled(const http::Request& req, const std::string& path, std::string_view query,
                          const conf::VhostConfig& vhost, bool missing) {
  std::string app, stream;
  if (!hls_stream_of(path, &app, &stream)) return true;
  const bool edge = vhost.cluster.mode == conf::ClusterMode::kEdge;
  const bool cluster = svc_.directory != nullptr && !edge;
  if (!edge && !cluster) return true;
  const std::string key = vhost.name + "/" + app + "/" + stream;
  base::Result<shm::StreamInfo> s = svc_.control->registry().find(key);
  if (svc_.edge != nullptr && s.is_ok()) {
    HookInfo player;
    player.client_id = cid().c_str();
    player.ip = std::string(peer_address_ip(peer()));
    player.vhost = vhost.name;
    player.app = app;
    player.stream = stream;
    if (!query.empty()) player.param = "?" + std::string(query);
    svc_.edge->hls_player(key, vhost, player);
  }
  const bool live = s.is_ok() && s->state == shm::StreamState::kLive;
  if (!cluster || (live && !missing)) return true;
  return directory_play(req, path, query, vhost, app, stream, true);
}

// An HLS file of a vhost with play rules: checked; a playlist asked for with
// a token is given in *tokenized with the token on its URIs (left empty
// when it cannot be read whole: then it goes out as it is). False: refused.
bool HttpConn::hls_access(const http::Request& req, const std::string& path, std::string_view query,
                          const conf::VhostConfig& vhost, const StaticFile& f,
                          std::string* tokenized) {
  std::string app, stream;
  if (!hls_stream_of(path, &app, &stream)) {
    keep_alive_ = false;
    reply_error(
        403, path + ": not an HLS file of the [app]/[stream] layout, on a vhost with play rules");
    return false;
  }
  if (!access_allows(req, query, vhost, app, stream)) return false;
  std::string token = play_token(req, query);
  // Only a token the rules checked (auth.play: a valid JWT is base64url and
  // dots) goes into the playlist: any other text could inject lines.
  if (vhost.auth.play && jwt_charset(token) && ends_with(path, ".m3u8") &&
      (f.status == 200 || f.status == 206))
    *tokenized = tokenized_playlist(f, token);
  return true;
}

// The whole playlist (a Range is ignored: a 200 answers it, RFC 9110
// 14.2) with "token=TOKEN" added to the query of each URI line.
std::string HttpConn::tokenized_playlist(const StaticFile& f, const std::string& token) {
  if (f.size > kMaxPlaylistBytes) return {};
  std::string text(f.size, '\0');
  ssize_t n = ::pread(f.fd.get(), text.data(), text.size(), 0);
  if (n != ssize_t(text.size())) return {};
  std::string out;
  out.reserve(text.size() + 64 * (token.size() + 8));
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    bool cr = !line.empty() && line.back() == '\r';
    if (cr) line.remove_suffix(1);
    out.append(line);
    if (!line.empty() && line.front() != '#')
      out.append(line.find('?') == std::string_view::npos ? "?token=" : "&token=").append(token);
    if (cr) out.push_back('\r');
    if (end < text.size()) out.push_back('\n');
    at = end + 1;
  }
  return out;
}

}  // namespace srs::worker
