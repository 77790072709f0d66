// The HTTP API on the API listeners (SRS-compatible JSON under /api/v1/).
// Every reply carries the envelope {code, server, service, pid}.
#pragma once

#include <event2/http.h>

#include <string>
#include <unordered_set>
#include <vector>

namespace srs::worker {

struct ApiIdentity {
  std::string server_id;  // the server's id (configuration or generated)
  std::string service;    // random per process
  int slot = 0;
  uint32_t generation = 0;
};

class ApiServer {
 public:
  ApiServer(event_base* base, ApiIdentity identity);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  void accept_on(int fd);
  // Stops accepting (closes this worker's copies of the listeners).
  void stop_accepting();
  size_t connections() const { return conns_.size(); }

 private:
  static void on_request(evhttp_request* req, void* arg);
  static void on_conn_close(evhttp_connection* conn, void* arg);
  void handle(evhttp_request* req);
  std::string envelope(int code) const;

  evhttp* http_ = nullptr;
  ApiIdentity id_;
  std::vector<evhttp_bound_socket*> bound_;
  std::unordered_set<evhttp_connection*> conns_;
};

}  // namespace srs::worker
