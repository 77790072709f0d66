// Connection: one non-blocking TCP client socket on the bench's libevent loop.
//
// Reads go into one buffer shared by every connection (the loop is single
// threaded and the parsers copy what they keep), so an idle client costs two
// events and its parser state. Writes are queued in a per-connection vector
// and flushed as the socket allows. A closed connection keeps its statistics:
// the bench frees connections only after the loop has stopped.
#pragma once

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.hpp"

struct event;
struct event_base;

namespace srs::tools::srs_bench {

class Connection {
 public:
  explicit Connection(event_base* base) noexcept : base_(base) {}
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts a non-blocking connect to `addr`; on_connected() runs when it completes.
  [[nodiscard]] base::Status start(const sockaddr_in& addr) noexcept;
  // Closes the socket; `reason` (static text) and whether it is an error are kept.
  void close(const char* reason, bool error) noexcept;

  bool is_open() const noexcept { return fd_ >= 0; }
  bool connected() const noexcept { return connected_; }
  const char* close_reason() const noexcept { return close_reason_; }
  bool failed() const noexcept { return failed_; }
  uint64_t bytes_in() const noexcept { return bytes_in_; }
  uint64_t bytes_out() const noexcept { return bytes_out_; }
  size_t pending_out() const noexcept { return out_.size() - out_pos_; }
  int64_t start_ns() const noexcept { return start_ns_; }
  int64_t connected_ns() const noexcept { return connected_ns_; }
  // When the socket was closed (0: still open or never opened).
  int64_t closed_ns() const noexcept { return closed_ns_; }
  // The socket's own port (host order), known from the connect() call on; 0: none.
  uint16_t local_port() const noexcept { return local_port_; }

 protected:
  virtual void on_connected(int64_t now_ns) noexcept = 0;
  // Bytes read; the connection may close itself inside.
  virtual void on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept = 0;
  // The peer closed or the socket failed (not called for close()).
  virtual void on_lost(int64_t /*now_ns*/) noexcept {}

  // Queue for writing; call flush() after appending.
  std::vector<uint8_t>& out() noexcept { return out_; }
  void flush() noexcept;
  event_base* loop() const noexcept { return base_; }

 private:
  static void on_event(int fd, short what, void* arg) noexcept;
  void on_writable(int64_t now_ns) noexcept;
  void on_readable(int64_t now_ns) noexcept;

  event_base* base_;
  int fd_ = -1;
  event* read_ev_ = nullptr;
  event* write_ev_ = nullptr;
  bool connected_ = false;
  bool write_armed_ = false;
  bool failed_ = false;
  const char* close_reason_ = "";
  std::vector<uint8_t> out_;
  size_t out_pos_ = 0;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  int64_t start_ns_ = 0;
  int64_t connected_ns_ = 0;
  int64_t closed_ns_ = 0;
  uint16_t local_port_ = 0;
};

}  // namespace srs::tools::srs_bench
