// The connection base over a socket (see socket_conn.hpp).
#include "worker/net/socket_conn.hpp"

#include "base/log.hpp"

namespace srs::worker {

SocketConn::SocketConn(Services& svc, std::unique_ptr<Transport> transport, std::string peer,
                       const char* kind, shm::ClientType type, base::ContextId id)
    : Connection(id),
      svc_(svc),
      transport_(std::move(transport)),
      peer_(std::move(peer)),
      kind_(kind) {
  int fd = transport_->fd();
  read_ev_ = make_event(svc.base, fd, EV_READ | EV_PERSIST, on_read_cb, this);
  write_ev_ = make_event(svc.base, fd, EV_WRITE, on_write_cb, this);
  timer_ev_ = make_timer(svc.base, on_timer_cb, this);
  event_add(read_ev_.get(), nullptr);
  shm::WorkerCounters& c = svc.control->workers().counters(svc.slot);
  c.connections_now.fetch_add(1, std::memory_order_relaxed);
  c.connections_total.fetch_add(1, std::memory_order_relaxed);
  client().claim(svc, type, cid(), peer_);
}

SocketConn::~SocketConn() {
  svc_.control->workers().counters(svc_.slot).connections_now.fetch_sub(1,
                                                                        std::memory_order_relaxed);
}

void SocketConn::close(const std::string& why) {
  if (closing()) return;
  base::LogContext ctx(cid());
  LOG_INFO("%s client %s closed: %s; %s%llu bytes in, %llu bytes out", kind_, peer_.c_str(),
           why.c_str(), close_details().c_str(), (unsigned long long)bytes_in_,
           (unsigned long long)bytes_out_);
  on_closing(why);
  event_del(read_ev_.get());
  event_del(write_ev_.get());
  event_del(timer_ev_.get());
  svc_.conns->close(this);
}

void SocketConn::on_read_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<SocketConn*>(arg);
  base::LogContext ctx(self->cid());
  self->on_readable();
}

void SocketConn::on_write_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<SocketConn*>(arg);
  if (self->closing()) return;
  base::LogContext ctx(self->cid());
  if (self->transport_->wants_flush() && !self->flush_transport()) return;
  self->on_writable();
}

// What the transport took but could not send yet (a TLS record, a TLS
// handshake's reply); false while it still waits or when the connection closed.
bool SocketConn::flush_transport() {
  IoResult r = transport_->flush();
  if (r.status == Io::kWouldBlock) {
    want_write();
    return false;
  }
  if (r.status != Io::kOk) {
    fail("send", r);
    return false;
  }
  read_buffered();  // a handshake that waited to write may now go on reading
  return true;
}

// Bytes the transport holds (a decrypted TLS record) raise no EV_READ: the
// read callback is run once more for them.
void SocketConn::read_buffered() {
  if (!closing() && reading_ && transport_->buffered()) event_active(read_ev_.get(), EV_READ, 0);
}

void SocketConn::on_timer_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<SocketConn*>(arg);
  if (self->closing()) return;
  base::LogContext ctx(self->cid());
  self->on_timer();
}

bool SocketConn::read_available(uint8_t* buf, size_t cap, int reads) {
  for (int i = 0; i < reads && !closing(); i++) {
    IoResult r = transport_->recv(buf, cap);
    if (r.status == Io::kWouldBlock) {
      if (transport_->wants_flush()) want_write();  // a TLS handshake's reply waits
      return true;
    }
    if (r.status == Io::kClosed) {
      close("peer closed the connection");
      return false;
    }
    if (r.status == Io::kError) {
      fail("recv", r);
      return false;
    }
    count_in(r.bytes);
    if (!on_bytes(buf, r.bytes)) return !closing();
    if (r.bytes < cap) return true;
  }
  read_buffered();  // the budget is spent: come back for what the transport holds
  return !closing();
}

void SocketConn::queue(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  out_.insert(out_.end(), p, p + len);
}

bool SocketConn::flush_out() {
  if (closing()) return false;
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    return true;
  }
  iovec one{out_.data() + out_pos_, out_.size() - out_pos_};
  size_t idx = 0, sent = 0;
  IoResult r = write_iovecs(*transport_, &one, 1, &idx, &sent);
  out_pos_ += sent;
  if (sent > 0) count_out(sent);
  if (r.status == Io::kWouldBlock) {
    want_write();
    return false;
  }
  if (r.status != Io::kOk) {
    fail("send", r);
    return false;
  }
  out_.clear();
  out_pos_ = 0;
  return true;
}

void SocketConn::want_write() {
  event_add(write_ev_.get(), nullptr);
}
void SocketConn::pause_reading() {
  reading_ = false;
  event_del(read_ev_.get());
}
void SocketConn::resume_reading() {
  if (closing()) return;
  reading_ = true;
  event_add(read_ev_.get(), nullptr);
  read_buffered();
}
void SocketConn::arm_timer(int64_t ms) {
  add_after_ms(timer_ev_.get(), ms);
}
void SocketConn::cancel_timer() {
  event_del(timer_ev_.get());
}
bool SocketConn::timer_pending() const {
  return evtimer_pending(timer_ev_.get(), nullptr);
}

void SocketConn::count_in(size_t n) noexcept {
  bytes_in_ += n;
  svc_.control->workers().counters(svc_.slot).bytes_in.add(n);
  client().add_in(n);
  if (also_in_ != nullptr) also_in_->add(n);
}

void SocketConn::count_out(size_t n) noexcept {
  bytes_out_ += n;
  svc_.control->workers().counters(svc_.slot).bytes_out.add(n);
  client().add_out(n);
  if (also_out_ != nullptr) also_out_->add(n);
}

void SocketConn::fail(const char* call, const IoResult& r) {
  if (r.status == Io::kClosed) return close("peer closed the connection");
  close(std::string(call) + "() failed (" + transport_->error_text(r) + ")");
}

}  // namespace srs::worker
