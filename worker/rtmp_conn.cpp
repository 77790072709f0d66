// The RTMP connection skeleton (see rtmp_conn.hpp).
#include "worker/rtmp_conn.hpp"

#include <event2/buffer.h>

namespace srs::worker {
namespace {
constexpr timeval kRecvTimeout{30, 0};  // SRS: 30 s without a byte closes the connection
}

RtmpConn::RtmpConn(Connections* owner, event_base* base, evutil_socket_t fd, std::string peer)
    : owner_(owner), peer_(std::move(peer)) {
  bev_ = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(bev_, on_read, nullptr, on_event, this);
  bufferevent_set_timeouts(bev_, &kRecvTimeout, nullptr);
  bufferevent_enable(bev_, EV_READ);
  base::LogContext ctx(cid());
  LOG_INFO("rtmp client %s connected", peer_.c_str());
}

RtmpConn::~RtmpConn() {
  if (bev_) bufferevent_free(bev_);
}

void RtmpConn::on_read(bufferevent* bev, void* arg) {
  auto* self = static_cast<RtmpConn*>(arg);
  evbuffer* in = bufferevent_get_input(bev);
  self->bytes_in_ += evbuffer_get_length(in);
  evbuffer_drain(in, evbuffer_get_length(in));
}

void RtmpConn::on_event(bufferevent*, short what, void* arg) {
  auto* self = static_cast<RtmpConn*>(arg);
  if (what & BEV_EVENT_TIMEOUT) return self->close("receive timeout");
  if (what & BEV_EVENT_EOF) return self->close("peer closed");
  if (what & BEV_EVENT_ERROR) return self->close("socket error");
}

void RtmpConn::close(const char* why) {
  base::LogContext ctx(cid());
  LOG_INFO("rtmp client %s closed: %s, %llu bytes in", peer_.c_str(), why,
           (unsigned long long)bytes_in_);
  bufferevent_free(bev_);
  bev_ = nullptr;
  owner_->close(this);
}

}  // namespace srs::worker
