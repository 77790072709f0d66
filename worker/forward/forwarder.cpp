// One publish forwarded to one destination (see forwarder.hpp).
#include "worker/forward/forwarder.hpp"

#include <algorithm>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "worker/core/connections.hpp"
#include "worker/forward/via.hpp"

namespace srs::worker {

Forwarder::Forwarder(Services& svc, Resolver& resolver, const PublishEvent& publish,
                     std::vector<RtmpTarget> targets)
    : svc_(svc),
      publish_(publish),
      targets_(std::move(targets)),
      cid_(base::new_context_id()),
      connector_(svc.base, resolver),
      timer_(make_timer(svc.base, on_timer_cb, this)),
      link_(svc, shm::LinkKind::kForward, cid_, target().url, publish.stream_slot,
            publish.generation, "forward " + publish.key) {
  LOG_INFO("forward %s -> %s: starting (forwarder cid=%s)", publish_.key.c_str(),
           target().url.c_str(), cid_.c_str());
  connect();
}

Forwarder::~Forwarder() {
  connector_.cancel();
  if (conn_ != nullptr) {
    ForwardConn* conn = std::exchange(conn_, nullptr);
    conn->detach();
    conn->close("forward stopped: the publish ended");
  }
}

void Forwarder::connect() {
  if (targets_.size() > 1) link_.set_url(target().url);
  link_.set_state(shm::LinkState::kConnecting);
  connector_.start(target().host, target().port,
                   [this](base::Result<Connected> r) { on_connected(std::move(r)); });
}

proto::rtmp::ClientConfig Forwarder::client_config() const {
  proto::rtmp::ClientConfig c;
  c.role = proto::rtmp::ClientRole::kPublish;
  c.tc_url = target().tc_url;
  c.app = target().app;
  c.stream = target().stream;
  c.chunk_size = svc_.config->rtmp.chunk_size;
  c.identity = our_identity(cid_);
  c.identity.via = via_after(publish_.source.via, svc_.server_id);
  return c;
}

void Forwarder::on_connected(base::Result<Connected> r) {
  base::LogContext ctx(cid_);
  if (!r.is_ok()) return retry("connecting failed: " + r.status().to_string());
  auto conn = std::make_unique<ForwardConn>(svc_, *this, cid_, std::move(*r), client_config(),
                                            publish_.key, *publish_.vhost);
  conn->count_also(link_.bytes_in(), link_.bytes_out());
  conn_ = conn.get();
  svc_.conns->add(std::move(conn));
  conn_->start(kSetupTimeoutMs);
}

void Forwarder::on_forward_live(ForwardConn& conn) {
  live_ = true;
  backoff_ms_ = kFirstRetryMs;
  link_.set_state(shm::LinkState::kLive, conn.upstream().id);
  LOG_INFO("forward %s -> %s: publishing", publish_.key.c_str(), target().url.c_str());
}

void Forwarder::on_forward_closed(const std::string& why) {
  conn_ = nullptr;
  live_ = false;
  retry(why);
}

void Forwarder::retry(const std::string& why) {
  base::LogContext ctx(cid_);
  link_.set_state(shm::LinkState::kRetrying);
  link_.count_retry();
  svc_.control->workers().counters(svc_.slot).forward_retries.fetch_add(1,
                                                                        std::memory_order_relaxed);
  const std::string failed = target().url;
  current_ = (current_ + 1) % targets_.size();  // an edge's push: the next origin
  if (targets_.size() > 1) {
    LOG_WARN("forward %s -> %s: %s; trying %s in %lld ms", publish_.key.c_str(), failed.c_str(),
             why.c_str(), target().url.c_str(), (long long)backoff_ms_);
  } else {
    LOG_WARN("forward %s -> %s: %s; retry in %lld ms", publish_.key.c_str(), failed.c_str(),
             why.c_str(), (long long)backoff_ms_);
  }
  add_after_ms(timer_.get(), backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, kMaxRetryMs);
}

void Forwarder::on_timer_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Forwarder*>(arg);
  base::LogContext ctx(self->cid_);
  self->connect();
}

}  // namespace srs::worker
