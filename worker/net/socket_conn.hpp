// SocketConn: what every connection over a socket has, whatever it speaks
// (RTMP, HTTP; later forward and edge upstreams): its transport, its read,
// write and timer events, the bytes it queued outside the ring, its traffic
// counters (its own, its worker's, its client entry's) and its close
// sequence.
//
//   reading   on EV_READ the subclass calls read_available(), which hands
//             each chunk received to on_bytes() until the socket is empty,
//             the read budget is spent or on_bytes() says stop
//   writing   small messages are queued (queue(), out()) and sent by
//             flush_out() before anything else; ring players write media
//             through transport() and count_out() what went out
//   closing   close(why) logs one line with the traffic, lets the subclass
//             say goodbye (on_closing: callbacks, unpublish), stops every
//             event and hands the connection to Connections for destruction
//             at the end of the loop iteration
//
// Every libevent object and the descriptor are owned (EventPtr, Transport):
// nothing is freed by hand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "worker/core/connections.hpp"
#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"
#include "worker/net/transport.hpp"

namespace srs::worker {

class SocketConn : public Connection {
 public:
  ~SocketConn() override;

  void close(const std::string& why) final;

  // --- for ring players and framings ---
  Transport& transport() noexcept { return *transport_; }
  const std::string& peer() const noexcept { return peer_; }
  const char* kind() const noexcept { return kind_; }
  std::vector<uint8_t>& out() noexcept { return out_; }
  void queue(const void* data, size_t len);
  // Sends the queued bytes; false while the socket is full (EV_WRITE is
  // armed) or when the connection closed on an error.
  bool flush_out();
  void want_write();
  void count_out(size_t n) noexcept;
  // A second pair of counters to add the traffic to (an outbound link's,
  // which outlives its connections); null: none.
  void count_also(shm::Counter64* in, shm::Counter64* out) noexcept {
    also_in_ = in;
    also_out_ = out;
  }
  uint64_t bytes_in() const noexcept { return bytes_in_; }
  uint64_t bytes_out() const noexcept { return bytes_out_; }

 protected:
  // `kind` names the protocol in log lines ("rtmp", "http"); `type` is the
  // client entry's first type (unknown until a command says more); `id`
  // the log context id (a new one, or a forwarder's for all its attempts).
  SocketConn(Services& svc, std::unique_ptr<Transport> transport, std::string peer,
             const char* kind, shm::ClientType type, base::ContextId id = base::new_context_id());

  // Reads up to `reads` times `cap` bytes into `buf`, handing each chunk to
  // on_bytes(). False when the connection closed (peer gone, an error, or
  // on_bytes() closed it); true otherwise, also when on_bytes() asked to stop.
  bool read_available(uint8_t* buf, size_t cap, int reads);
  void pause_reading();
  void resume_reading();
  void arm_timer(int64_t ms);
  void cancel_timer();
  bool timer_pending() const;

  // Each chunk read; false stops reading for now (the rest stays in the socket).
  virtual bool on_bytes(const uint8_t* data, size_t len) = 0;
  virtual void on_readable() = 0;
  virtual void on_writable() = 0;
  virtual void on_timer() {}
  // close() is under way (events still set, not yet handed over): last
  // words; `why` is what close() was told.
  virtual void on_closing(const std::string& why) { (void)why; }
  // Extra figures for the close line ("12 requests, ").
  virtual std::string close_details() const { return {}; }

  Services& svc_;

 private:
  static void on_read_cb(evutil_socket_t, short, void* arg);
  static void on_write_cb(evutil_socket_t, short, void* arg);
  static void on_timer_cb(evutil_socket_t, short, void* arg);
  void count_in(size_t n) noexcept;
  void fail(const char* call, const IoResult& r);
  bool flush_transport();
  void read_buffered();

  std::unique_ptr<Transport> transport_;
  std::string peer_;
  const char* kind_;
  EventPtr read_ev_, write_ev_, timer_ev_;
  bool reading_ = true;  // read_ev_ is armed (not paused)
  std::vector<uint8_t> out_;
  size_t out_pos_ = 0;
  uint64_t bytes_in_ = 0, bytes_out_ = 0;
  shm::Counter64* also_in_ = nullptr;
  shm::Counter64* also_out_ = nullptr;
};

}  // namespace srs::worker
