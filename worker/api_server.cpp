// The HTTP API (see api_server.hpp).
#include "worker/api_server.hpp"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <unistd.h>

#include <cstring>

#include "base/log.hpp"
#include "base/version.hpp"

namespace srs::worker {

ApiServer::ApiServer(event_base* base, ApiIdentity identity) : id_(std::move(identity)) {
  http_ = evhttp_new(base);
  evhttp_set_gencb(http_, on_request, this);
  evhttp_set_timeout(http_, 30);
}

ApiServer::~ApiServer() {
  if (http_) evhttp_free(http_);
}

void ApiServer::accept_on(int fd) {
  evhttp_bound_socket* b = evhttp_accept_socket_with_handle(http_, fd);
  if (b) bound_.push_back(b);
}

void ApiServer::stop_accepting() {
  for (evhttp_bound_socket* b : bound_) evhttp_del_accept_socket(http_, b);
  bound_.clear();
}

std::string ApiServer::envelope(int code) const {
  return "\"code\":" + std::to_string(code) + ",\"server\":\"" + id_.server_id +
         "\",\"service\":\"" + id_.service + "\",\"pid\":\"" + std::to_string(::getpid()) + "\"";
}

void ApiServer::on_request(evhttp_request* req, void* arg) {
  static_cast<ApiServer*>(arg)->handle(req);
}

void ApiServer::on_conn_close(evhttp_connection* conn, void* arg) {
  static_cast<ApiServer*>(arg)->conns_.erase(conn);
}

void ApiServer::handle(evhttp_request* req) {
  evhttp_connection* conn = evhttp_request_get_connection(req);
  if (conn && conns_.insert(conn).second) evhttp_connection_set_closecb(conn, on_conn_close, this);

  const char* uri = evhttp_request_get_uri(req);
  std::string path = uri ? uri : "/";
  path = path.substr(0, path.find('?'));
  while (path.size() > 1 && path.back() == '/') path.pop_back();

  std::string body;
  int status = HTTP_OK;
  if (path == "/api/v1/versions") {
    body = "{" + envelope(0) + ",\"data\":{\"major\":" + std::to_string(base::kVersionMajor) +
           ",\"minor\":" + std::to_string(base::kVersionMinor) +
           ",\"revision\":" + std::to_string(base::kVersionRevision) + ",\"version\":\"" +
           base::kVersion + "\"}}";
  } else if (path == "/api/v1/self") {
    // Our addition: which worker answered (slot and generation).
    body = "{" + envelope(0) + ",\"data\":{\"worker_slot\":" + std::to_string(id_.slot) +
           ",\"generation\":" + std::to_string(id_.generation) + "}}";
  } else {
    status = HTTP_NOTFOUND;
    body = "{" + envelope(404) + ",\"error\":\"no such API: " + path + "\"}";
  }
  evkeyvalq* headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", "application/json");
  evhttp_add_header(headers, "Server", base::server_signature().c_str());
  evbuffer* out = evbuffer_new();
  evbuffer_add(out, body.data(), body.size());
  evhttp_send_reply(req, status, status == HTTP_OK ? "OK" : "Not Found", out);
  evbuffer_free(out);
}

}  // namespace srs::worker
