// An HTTP connection: socket I/O, request parsing, keep-alive and timeouts
// (see http_conn.hpp; what each request gets is in http_conn_routes.cpp).
#include "worker/http/http_conn.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.hpp"
#include "worker/net/socket_io.hpp"
#include "worker/http/http_flv_player.hpp"
#include "worker/http/http_server.hpp"
#include "worker/core/listener.hpp"

namespace srs::worker {
namespace {

constexpr size_t kReadBufferSize = 16 * 1024;
constexpr size_t kMaxBufferedInput = 256 * 1024;  // pipelined requests waiting for their turn
constexpr int64_t kSendStallMs = 30000;           // a response that makes no progress this long
constexpr size_t kSendfileChunk = 1u << 20;

}  // namespace

HttpConn::HttpConn(Services& svc, HttpServer& server, evutil_socket_t fd, std::string peer,
                   uint8_t services)
    : svc_(svc), server_(server), fd_(fd), peer_(std::move(peer)), services_(services) {
  tracked_ = server_.track(this);
  read_ev_ = event_new(svc.base, fd, EV_READ | EV_PERSIST, on_read_cb, this);
  write_ev_ = event_new(svc.base, fd, EV_WRITE, on_write_cb, this);
  timer_ev_ = evtimer_new(svc.base, on_timer_cb, this);
  event_add(read_ev_, nullptr);
  arm_timer(svc.config->http_server.keepalive_timeout.count());
  shm::WorkerCounters& c = svc.control->workers().counters(svc.slot);
  c.connections_now.fetch_add(1, std::memory_order_relaxed);
  c.connections_total.fetch_add(1, std::memory_order_relaxed);
  base::LogContext ctx(cid());
  LOG_DEBUG("http client %s connected", peer_.c_str());
  // SRS does not list API calls: a connection to an API-only port is
  // http-api (hidden by /api/v1/clients) from the start.
  client().claim(svc,
                 (services_ & kServiceHttp) ? shm::ClientType::kUnknown : shm::ClientType::kHttpApi,
                 cid(), peer_);
}

HttpConn::~HttpConn() {
  end_flv_hooks();
  player_.reset();  // detaches from its stream
  server_.untrack(tracked_);
  if (read_ev_) event_free(read_ev_);
  if (write_ev_) event_free(write_ev_);
  if (timer_ev_) event_free(timer_ev_);
  if (fd_ >= 0) ::close(fd_);
  svc_.control->workers().counters(svc_.slot).connections_now.fetch_sub(1,
                                                                        std::memory_order_relaxed);
}

bool HttpConn::idle() const {
  // A connection accepted just before the drain has not sent its first
  // request yet (its bytes may be in flight): it is served, not closed.
  return !closing() && requests_ > 0 && state_ == State::kReading && parser_.idle() &&
         in_.empty();
}

void HttpConn::close(const std::string& why) {
  if (closing()) return;
  base::LogContext ctx(cid());
  LOG_INFO("http client %s closed: %s; %llu requests, %llu bytes in, %llu bytes out", peer_.c_str(),
           why.c_str(), (unsigned long long)requests_, (unsigned long long)bytes_in_,
           (unsigned long long)bytes_out_);
  event_del(read_ev_);
  event_del(write_ev_);
  event_del(timer_ev_);
  end_flv_hooks();
  svc_.conns->close(this);
}

void HttpConn::on_read_cb(evutil_socket_t, short, void* arg) {
  static_cast<HttpConn*>(arg)->on_readable();
}
void HttpConn::on_write_cb(evutil_socket_t, short, void* arg) {
  static_cast<HttpConn*>(arg)->on_writable();
}
void HttpConn::on_timer_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<HttpConn*>(arg);
  base::LogContext ctx(self->cid());
  self->on_timer();
}

void HttpConn::arm_timer(int64_t ms) {
  timeval tv{time_t(ms / 1000), suseconds_t((ms % 1000) * 1000)};
  progress_ = false;
  event_add(timer_ev_, &tv);
}

void HttpConn::want_write() {
  event_add(write_ev_, nullptr);
}

void HttpConn::count_out(size_t n) {
  bytes_out_ += n;
  progress_ = true;
  svc_.control->workers().counters(svc_.slot).bytes_out.add(n);
  client().add_out(n);
}

void HttpConn::on_readable() {
  base::LogContext ctx(cid());
  char buf[kReadBufferSize];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      bytes_in_ += size_t(n);
      svc_.control->workers().counters(svc_.slot).bytes_in.add(uint64_t(n));
      client().add_in(uint64_t(n));
      // A streaming player sends nothing we use: its bytes are dropped.
      if (state_ != State::kStreaming) in_.append(buf, size_t(n));
      if (in_.size() > kMaxBufferedInput) return close("too many pipelined request bytes");
      if (size_t(n) < sizeof buf) break;
      continue;
    }
    if (n == 0) return close("peer closed the connection");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return close(std::string("recv() failed (") + std::strerror(errno) + ")");
  }
  process();
}

void HttpConn::on_writable() {
  if (closing()) return;
  base::LogContext ctx(cid());
  if (player_) {
    (void)player_->on_writable();
    return;
  }
  if (state_ == State::kWriting && send_response()) process();
}

void HttpConn::on_timer() {
  switch (state_) {
    case State::kReading:
      if (parser_.idle() && in_.empty()) return close("idle keep-alive timeout");
      return close("request timeout: the head did not arrive in time");
    case State::kWriting:
      if (!progress_) return close("send timeout: the client stopped reading");
      return arm_timer(kSendStallMs);
    case State::kStreaming:
      if (!player_ || player_->started()) return;
      LOG_INFO("http-flv %s: no publisher within %lld ms", player_->key().c_str(),
               (long long)svc_.config->http_server.wait_publisher.count());
      player_.reset();
      state_ = State::kWriting;
      keep_alive_ = false;
      reply(404, "text/plain; charset=utf-8", "stream not found\n");
      if (send_response()) process();
      return;
  }
}

void HttpConn::on_flv_started() {
  event_del(timer_ev_);
}

// Parses what arrived and answers each complete request in order.
void HttpConn::process() {
  while (!closing() && state_ == State::kReading && !in_.empty()) {
    size_t used = 0;
    proto::http::ParseResult r =
        parser_.feed(reinterpret_cast<const uint8_t*>(in_.data()), in_.size(), &used);
    in_.erase(0, used);
    if (r == proto::http::ParseResult::kNeedMore) return;
    requests_++;
    state_ = State::kWriting;
    arm_timer(kSendStallMs);
    if (r == proto::http::ParseResult::kError) {
      keep_alive_ = false;
      reply_error(parser_.error_status(), parser_.error());
    } else {
      handle(parser_.request());
    }
    parser_.reset();
    if (state_ == State::kWriting && !send_response()) return;
  }
}

bool HttpConn::flush_out() {
  size_t sent = 0;
  SendResult r = send_buffered(fd_, out_.data(), out_.size(), &out_pos_, &sent);
  if (sent > 0) count_out(sent);
  if (r == SendResult::kBlocked) {
    want_write();
    return false;
  }
  if (r == SendResult::kError) {
    close(std::string("send() failed (") + std::strerror(errno) + ")");
    return false;
  }
  out_.clear();
  out_pos_ = 0;
  return !closing();
}

// The file after the head, zero copy.
bool HttpConn::send_file() {
  while (file_left_ > 0) {
    off_t off = off_t(file_offset_);
    size_t chunk = size_t(std::min<uint64_t>(file_left_, kSendfileChunk));
    ssize_t n = ::sendfile(fd_, file_.get(), &off, chunk);
    if (n > 0) {
      file_offset_ += uint64_t(n);
      file_left_ -= uint64_t(n);
      count_out(size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      want_write();
      return false;
    }
    // 0: the file shrank under us; the promised length cannot be kept.
    close(n == 0 ? std::string("sendfile(): the file was truncated while sending")
                 : std::string("sendfile() failed (") + std::strerror(errno) + ")");
    return false;
  }
  file_.reset();
  return true;
}

// Sends the current response; true when all of it went out.
bool HttpConn::send_response() {
  if (!flush_out() || !send_file()) return false;
  finish_response();
  return !closing();
}

void HttpConn::finish_response() {
  if (!keep_alive_) return close("response sent (Connection: close)");
  if (svc_.draining) return close("response sent; the worker drains");
  state_ = State::kReading;
  arm_timer(svc_.config->http_server.keepalive_timeout.count());
}

}  // namespace srs::worker
