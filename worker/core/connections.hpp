// The worker's set of live connections, with deferred destruction.
//
// A connection is never freed inside its own callback chain: close() marks it
// and schedules a zero-delay event that frees every closed connection at the
// end of the loop iteration. The set also tells the drain logic how many
// connections remain, and flushes every connection's traffic to its client
// entry once a second (ClientEntryHolder::flush_traffic).
#pragma once

#include <event2/event.h>

#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "worker/core/client_entry.hpp"
#include "worker/core/ev.hpp"

namespace srs::worker {

class Connection {
 public:
  explicit Connection(base::ContextId cid = base::new_context_id()) : cid_(cid) {}
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const base::ContextId& cid() const { return cid_; }
  bool closing() const { return closing_; }
  // Logs why and hands the connection to Connections::close().
  virtual void close(const std::string& why) = 0;
  // This connection's entry in the server-wide client table (the HTTP API).
  ClientEntryHolder& client() { return client_; }

 private:
  friend class Connections;
  base::ContextId cid_;
  ClientEntryHolder client_;
  bool closing_ = false;
  std::list<std::unique_ptr<Connection>>::iterator self_;
};

class Connections {
 public:
  explicit Connections(event_base* base);
  ~Connections();

  Connection* add(std::unique_ptr<Connection> conn);
  // Marks `conn` closed; it is destroyed at the end of this loop iteration.
  void close(Connection* conn);
  // Destroys every connection now (fast stop).
  void close_all();
  // Closes every connection whose client entry was kicked through the API
  // (after WorkerTable::take_kicks() said some were). Returns how many.
  size_t close_kicked();
  size_t size() const { return live_; }
  // Called after closed connections were destroyed (the drain logic checks size()).
  void on_reaped(std::function<void()> cb) { on_reaped_ = std::move(cb); }

 private:
  static constexpr int64_t kFlushTrafficMs = 1000;

  static void reap_cb(evutil_socket_t, short, void* arg);
  static void flush_traffic_cb(evutil_socket_t, short, void* arg);
  void reap();

  EventPtr reaper_;
  EventPtr traffic_timer_;  // persistent, every kFlushTrafficMs
  std::list<std::unique_ptr<Connection>> conns_;
  std::vector<std::unique_ptr<Connection>> closed_;
  size_t live_ = 0;
  std::function<void()> on_reaped_;
};

}  // namespace srs::worker
