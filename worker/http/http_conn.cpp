// An HTTP connection: socket I/O, request parsing, keep-alive and timeouts
// (see http_conn.hpp; what each request gets is in http_conn_routes.cpp).
#include "worker/http/http_conn.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "base/log.hpp"
#include "worker/core/listener.hpp"
#include "worker/http/http_server.hpp"

namespace srs::worker {
namespace {

constexpr size_t kReadBufferSize = 16 * 1024;
constexpr size_t kMaxBufferedInput = 256 * 1024;  // pipelined requests waiting for their turn
constexpr int64_t kSendStallMs = 30000;           // a response that makes no progress this long
constexpr size_t kSendfileChunk = 1u << 20;

}  // namespace

// SRS does not list API calls: a connection to an API-only port is
// http-api (hidden by /api/v1/clients) from the start.
HttpConn::HttpConn(Services& svc, HttpServer& server, std::unique_ptr<Transport> transport,
                   std::string peer, uint8_t services)
    : SocketConn(svc, std::move(transport), std::move(peer), "http",
                 (services & kServiceHttp) ? shm::ClientType::kUnknown : shm::ClientType::kHttpApi),
      server_(server),
      services_(services) {
  tracked_ = server_.track(this);
  arm_head_timer();  // the first request's head is due
  base::LogContext ctx(cid());
  LOG_DEBUG("http client %s connected", this->peer().c_str());
}

HttpConn::~HttpConn() {
  end_flv_hooks();
  player_.reset();  // detaches from its stream
  server_.untrack(tracked_);
}

bool HttpConn::idle() const {
  // A connection accepted just before the drain has not sent its first
  // request yet (its bytes may be in flight): it is served, not closed.
  return !closing() && requests_ > 0 && state_ == State::kReading && parser_.idle() && in_.empty();
}

void HttpConn::on_closing(const std::string&) {
  end_flv_hooks();
}

std::string HttpConn::close_details() const {
  return std::to_string(requests_) + " requests, ";
}

void HttpConn::arm_state_timer(int64_t ms) {
  out_at_timer_ = bytes_out();
  arm_timer(ms);
}

// A request head is under way (or, on a new connection, due): it must be
// complete within http_server.header_timeout of its first byte, however
// slowly it trickles (a slowloris).
void HttpConn::arm_head_timer() {
  head_timer_ = true;
  arm_state_timer(svc_.config->http_server.header_timeout.count());
}

void HttpConn::on_readable() {
  uint8_t buf[kReadBufferSize];
  if (!read_available(buf, sizeof buf, INT_MAX)) return;
  process();
}

bool HttpConn::on_bytes(const uint8_t* data, size_t len) {
  // A streaming player sends nothing we use: its bytes are dropped.
  if (state_ != State::kStreaming) in_.append(reinterpret_cast<const char*>(data), len);
  if (state_ == State::kReading && !head_timer_) arm_head_timer();
  if (in_.size() <= kMaxBufferedInput) return true;
  close("too many pipelined request bytes");
  return false;
}

void HttpConn::on_writable() {
  if (player_) {
    (void)player_->on_writable();
    return;
  }
  if (state_ == State::kWriting && send_response()) process();
}

void HttpConn::on_timer() {
  switch (state_) {
    case State::kReading:
      if (!head_timer_) return close("idle keep-alive timeout");
      svc_.control->workers().counters(svc_.slot).header_timeouts.fetch_add(
          1, std::memory_order_relaxed);
      return close("header timeout: no complete request head within " +
                   std::to_string(svc_.config->http_server.header_timeout.count()) + " ms");
    case State::kWriting:
      if (bytes_out() == out_at_timer_) return close("send timeout: the client stopped reading");
      return arm_state_timer(kSendStallMs);
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
    arm_state_timer(kSendStallMs);
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

// The file after the head, zero copy.
bool HttpConn::send_file() {
  while (file_left_ > 0) {
    off_t off = off_t(file_offset_);
    size_t chunk = size_t(std::min<uint64_t>(file_left_, kSendfileChunk));
    IoResult r = transport().sendfile(file_.get(), &off, chunk);
    file_offset_ += r.bytes;  // also with kWouldBlock: bytes a TLS transport took
    file_left_ -= r.bytes;
    if (r.bytes > 0) count_out(r.bytes);
    if (r.status == Io::kOk) continue;
    if (r.status == Io::kWouldBlock) {
      want_write();
      return false;
    }
    // kClosed: the file shrank under us; the promised length cannot be kept.
    close(r.status == Io::kClosed
              ? std::string("sendfile(): the file was truncated while sending")
              : std::string("sendfile() failed (") + transport().error_text(r) + ")");
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
  head_timer_ = false;
  if (!in_.empty()) return arm_head_timer();  // the next request began (pipelined)
  arm_state_timer(svc_.config->http_server.keepalive_timeout.count());
}

}  // namespace srs::worker
