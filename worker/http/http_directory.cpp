// An origin of a cluster (origin_cluster.directory) asked over HTTP for a
// stream it does not have: the directory says which origin holds it; the
// player is redirected there (origin_cluster.redirect: HTTP 302 to the
// holder's HTTP endpoint, same path and query) or the stream is pulled
// through from it like an edge pulls (HTTP-FLV plays on; an HLS playlist
// appears with the pull's first segment, a 404 until then).
//
// While the directory answers, the connection is in its streaming state:
// process() parses no further request (as for an FLV callback's verdict).
#include "base/log.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/directory/stream_directory.hpp"
#include "worker/edge/edge.hpp"
#include "worker/http/http_conn.hpp"

namespace srs::worker {

namespace http = proto::http;

// False: waiting for the directory, or answered (a redirect).
bool HttpConn::directory_play(const http::Request& req, const std::string& path,
                              std::string_view query, const conf::VhostConfig& vhost,
                              const std::string& app, const std::string& stream, bool hls) {
  if (svc_.directory == nullptr || vhost.cluster.mode != conf::ClusterMode::kOrigin) return true;
  const std::string key = vhost.name + "/" + app + "/" + stream;
  if (directory_key_ == key) return true;  // the request runs again after the answer
  base::Result<shm::StreamInfo> here = svc_.control->registry().find(key);
  // Here (or waiting here for its publisher); for HLS only while live: a
  // pull through that ended left its files behind.
  if (here.is_ok() && (!hls || here->state == shm::StreamState::kLive)) return true;
  directory_key_ = key;
  state_ = State::kStreaming;  // no further request is parsed until the answer
  directory_ticket_ =
      svc_.directory->find_holder(key, [this, req, path, q = std::string(query), &vhost, app,
                                        stream, hls](const StreamDirectory::Holder& h) {
        base::LogContext ctx(cid());
        directory_ticket_ = 0;
        if (closing()) return;
        state_ = State::kWriting;
        on_holder(req, path, q, vhost, app, stream, hls, h);
        if (state_ == State::kWriting && send_response()) process();
      });
  return false;
}

void HttpConn::on_holder(const http::Request& req, const std::string& path,
                         const std::string& query, const conf::VhostConfig& vhost,
                         const std::string& app, const std::string& stream, bool hls,
                         const StreamDirectory::Holder& h) {
  if (!svc_.directory->holds_elsewhere(h)) {  // nobody else: served here (waits for a publisher)
    if (hls) return handle_file(req, path, query);
    (void)handle_flv(req, path, query);
    return;
  }
  if (svc_.directory->redirect() && !h.http.empty()) {
    std::string location = "http://" + h.http + path + (query.empty() ? "" : "?" + query);
    LOG_INFO("http play %s/%s/%s: held by origin %s; 302 to %s", vhost.name.c_str(), app.c_str(),
             stream.c_str(), h.server.c_str(), location.c_str());
    keep_alive_ = false;
    return reply(302, "text/plain; charset=utf-8", "302 Found\n", "Location: " + location + "\r\n");
  }
  HookInfo player;
  player.client_id = cid().c_str();
  player.ip = std::string(peer_address_ip(peer()));
  player.vhost = vhost.name;
  player.app = app;
  player.stream = stream;
  if (!query.empty()) player.param = "?" + query;
  LOG_INFO("http play %s/%s/%s: held by origin %s (rtmp %s); pulling it through",
           vhost.name.c_str(), app.c_str(), stream.c_str(), h.server.c_str(), h.rtmp.c_str());
  if (svc_.edge != nullptr)
    svc_.edge->pull_through(vhost.name + "/" + app + "/" + stream, vhost, player);
  if (hls) {
    keep_alive_ = false;
    return reply_error(404, path + ": pulling it from origin " + h.server +
                                "; the playlist comes with the first segment");
  }
  (void)handle_flv(req, path, query);
}

}  // namespace srs::worker
