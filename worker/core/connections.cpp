// Connection ownership and deferred destruction (see connections.hpp).
#include "worker/core/connections.hpp"

namespace srs::worker {

Connections::Connections(event_base* base)
    : reaper_(make_timer(base, reap_cb, this)),
      traffic_timer_(make_timer(base, flush_traffic_cb, this, EV_PERSIST)) {
  add_after_ms(traffic_timer_.get(), kFlushTrafficMs);
}

Connections::~Connections() {
  close_all();
}

Connection* Connections::add(std::unique_ptr<Connection> conn) {
  Connection* raw = conn.get();
  conns_.push_front(std::move(conn));
  raw->self_ = conns_.begin();
  live_++;
  return raw;
}

void Connections::close(Connection* conn) {
  if (conn->closing_) return;
  conn->closing_ = true;
  closed_.push_back(std::move(*conn->self_));
  conns_.erase(conn->self_);
  live_--;
  event_active(reaper_.get(), EV_TIMEOUT, 0);
}

void Connections::close_all() {
  for (auto& c : conns_) c->closing_ = true;
  conns_.clear();
  closed_.clear();
  live_ = 0;
}

size_t Connections::close_kicked() {
  // close() moves a connection out of conns_: collect first.
  std::vector<Connection*> kicked;
  for (auto& c : conns_) {
    if (!c->closing_ && c->client_.kicked()) kicked.push_back(c.get());
  }
  for (Connection* c : kicked) {
    base::LogContext ctx(c->cid());
    LOG_INFO("client %s kicked through the HTTP API (DELETE /api/v1/clients/%s)", c->cid().c_str(),
             c->cid().c_str());
    c->close("kicked through the HTTP API");
  }
  return kicked.size();
}

void Connections::reap_cb(evutil_socket_t, short, void* arg) {
  static_cast<Connections*>(arg)->reap();
}

void Connections::flush_traffic_cb(evutil_socket_t, short, void* arg) {
  for (auto& c : static_cast<Connections*>(arg)->conns_) c->client_.flush_traffic();
}

void Connections::reap() {
  // Destructors may close further connections: swap first.
  std::vector<std::unique_ptr<Connection>> dead;
  dead.swap(closed_);
  dead.clear();
  if (on_reaped_) on_reaped_();
}

}  // namespace srs::worker
