// The worker process: one libevent loop (see worker.hpp).
#include "worker/worker.hpp"

#include <arpa/inet.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "base/log.hpp"
#include "worker/core/accept_gate.hpp"
#include "worker/api/api_server.hpp"
#include "worker/core/connections.hpp"
#include "worker/http/http_server.hpp"
#include "worker/rtmp/rtmp_conn.hpp"
#include "worker/core/services.hpp"
#include "worker/stream/stream_hub.hpp"
#include "worker/core/summary.hpp"
#include "worker/hls/hls_outputs.hpp"
#include "worker/hooks/hook_client.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/api/traffic_sampler.hpp"

namespace srs::worker {
namespace {

std::string peer_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

class Worker {
 public:
  explicit Worker(const WorkerContext& ctx) : ctx_(ctx) {}
  ~Worker();
  int run();

 private:
  bool setup();
  void watch_signal(int signo);
  void begin_drain(const char* why);
  void maybe_exit();
  void report_ready();
  size_t connection_count() const;

  static void on_signal(evutil_socket_t signo, short, void* arg);
  static void on_master_watch(evutil_socket_t fd, short, void* arg);
  static void on_rtmp_accept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int, void* arg);

  const WorkerContext& ctx_;
  event_base* base_ = nullptr;
  std::vector<event*> events_;
  std::vector<evconnlistener*> rtmp_listeners_;
  Services svc_;
  std::unique_ptr<Connections> conns_;
  std::unique_ptr<StreamHub> hub_;
  std::unique_ptr<Summary> summary_;
  std::unique_ptr<HlsOutputs> hls_;
  std::unique_ptr<HookClient> hook_client_;
  std::unique_ptr<Hooks> hooks_;
  std::unique_ptr<TrafficSampler> traffic_;
  std::unique_ptr<AcceptGate> accept_gate_;
  std::unique_ptr<HttpServer> http_;
  bool draining_ = false;
  int exit_status_ = 0;
};

Worker::~Worker() {
  // Connections first (publishers hand their HLS back, players leave the
  // hub), then what they used; every libevent object before the base.
  summary_.reset();
  conns_.reset();
  hooks_.reset();  // pending callbacks are cancelled
  hook_client_.reset();
  traffic_.reset();
  http_.reset();
  hls_.reset();
  hub_.reset();
  accept_gate_.reset();
  for (evconnlistener* l : rtmp_listeners_) evconnlistener_free(l);
  for (event* ev : events_) event_free(ev);
  if (base_) event_base_free(base_);
}

void Worker::watch_signal(int signo) {
  event* ev = evsignal_new(base_, signo, on_signal, this);
  evsignal_add(ev, nullptr);
  events_.push_back(ev);
}

bool Worker::setup() {
  base_ = event_base_new();
  if (!base_) {
    LOG_ERROR("event_base_new() failed while starting worker slot %d", ctx_.slot);
    return false;
  }
  conns_ = std::make_unique<Connections>(base_);
  conns_->on_reaped([this] { maybe_exit(); });
  svc_.base = base_;
  svc_.config = ctx_.config;
  svc_.control = ctx_.control;
  svc_.wakeups = ctx_.wakeups;
  svc_.conns = conns_.get();
  svc_.slot = uint32_t(ctx_.slot);
  svc_.generation = ctx_.generation;
  svc_.pid = uint32_t(::getpid());
  svc_.server_id = ctx_.server_id;
  hub_ = std::make_unique<StreamHub>(svc_);
  svc_.hub = hub_.get();
  summary_ = std::make_unique<Summary>(svc_);
  hls_ = std::make_unique<HlsOutputs>(svc_);
  svc_.hls = hls_.get();
  traffic_ = std::make_unique<TrafficSampler>(base_, *ctx_.control);
  svc_.traffic = traffic_.get();
  accept_gate_ = std::make_unique<AcceptGate>(base_, ctx_.control->workers(), uint32_t(ctx_.slot));
  svc_.accept_gate = accept_gate_.get();
  for (int signo : {SIGQUIT, SIGTERM, SIGINT, SIGUSR1, SIGHUP}) watch_signal(signo);
  ::signal(SIGPIPE, SIG_IGN);

  event* watch = event_new(base_, ctx_.master_watch_fd, EV_READ | EV_PERSIST, on_master_watch, this);
  event_add(watch, nullptr);
  events_.push_back(watch);

  ApiIdentity id{ctx_.server_id, base::new_context_id().c_str(), ctx_.slot, ctx_.generation};
  hook_client_ = std::make_unique<HookClient>(base_);
  hooks_ = std::make_unique<Hooks>(*hook_client_, ctx_.server_id, id.service);
  svc_.hooks = hooks_.get();
  for (const ListenerFd& l : ctx_.listeners) {
    if (l.services & kServiceRtmp) {
      evconnlistener* el = evconnlistener_new(base_, on_rtmp_accept, this,
                                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, l.fd);
      if (!el) {
        LOG_ERROR("evconnlistener_new(%s) failed while starting worker slot %d", l.address.c_str(),
                  ctx_.slot);
        return false;
      }
      rtmp_listeners_.push_back(el);
      accept_gate_->add(el);
    } else if (l.services & (kServiceApi | kServiceHttp)) {
      // HTTP-FLV, files and the API on one HTTP/1.1 server; a listener in
      // both http_server.listen and http_api.listen serves both.
      if (!http_) http_ = std::make_unique<HttpServer>(svc_, id);
      if (!http_->listen(l.fd, l.services, l.address)) return false;
    } else {
      ::close(l.fd);
    }
  }
  return true;
}

void Worker::report_ready() {
  char line[96];
  int n = std::snprintf(line, sizeof line, "ready %d %d %u\n", ctx_.slot, int(::getpid()),
                        unsigned(ctx_.generation));
  // One write under PIPE_BUF is atomic: lines of different workers never mix.
  if (::write(ctx_.events_fd, line, size_t(n)) != n) {
    LOG_WARN("write(events pipe) failed while reporting ready; the master will time out");
  }
}

size_t Worker::connection_count() const {
  return conns_->size();
}

void Worker::begin_drain(const char* why) {
  if (draining_) return;
  draining_ = true;
  svc_.draining = true;
  (void)ctx_.control->workers().set_draining(uint32_t(ctx_.slot));
  for (evconnlistener* l : rtmp_listeners_) {
    accept_gate_->remove(l);
    evconnlistener_free(l);
  }
  rtmp_listeners_.clear();
  if (http_) {
    http_->stop_accepting();
    http_->close_idle();  // keep-alive connections between requests: nothing to finish
  }
  LOG_INFO("worker slot %d generation %u draining (%s): stopped accepting, %zu connections left",
           ctx_.slot, ctx_.generation, why, connection_count());
  maybe_exit();
}

void Worker::maybe_exit() {
  if (!draining_ || conns_->size() > 0) return;
  LOG_INFO("worker slot %d generation %u drained, exiting", ctx_.slot, ctx_.generation);
  event_base_loopexit(base_, nullptr);
}

void Worker::on_signal(evutil_socket_t signo, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  switch (signo) {
    case SIGQUIT:
      self->begin_drain("SIGQUIT");
      break;
    case SIGTERM:
    case SIGINT:
      LOG_INFO("worker slot %d: %s, exiting now with %zu connections", self->ctx_.slot,
               signo == SIGTERM ? "SIGTERM" : "SIGINT", self->connection_count());
      event_base_loopbreak(self->base_);
      break;
    case SIGUSR1:
      if (base::Status s = base::Log::reopen(); !s.is_ok()) {
        LOG_ERROR("reopening the log failed: %s", s.to_string().c_str());
      }
      break;
    default:
      break;  // SIGHUP: reloads are the master's business
  }
}

void Worker::on_master_watch(evutil_socket_t fd, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  char buf[16];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0 || (n < 0 && errno == EAGAIN)) return;
  LOG_WARN("the master is gone: worker slot %d stops accepting and drains", self->ctx_.slot);
  for (event* ev : self->events_) {
    if (event_get_fd(ev) == fd) event_del(ev);
  }
  self->begin_drain("master exited");
}

void Worker::on_rtmp_accept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  if (self->conns_->size() >= self->ctx_.config->rtmp.max_connections) {
    LOG_WARN("rtmp client %s refused: max_connections %u reached on worker slot %d",
             peer_text(sa).c_str(), self->ctx_.config->rtmp.max_connections, self->ctx_.slot);
    ::close(fd);
    self->accept_gate_->after_accept(self->ctx_.config->rtmp.max_connections);
    return;
  }
  evutil_make_socket_nonblocking(fd);
  self->conns_->add(std::make_unique<RtmpConn>(self->svc_, fd, peer_text(sa)));
  self->accept_gate_->after_accept(self->ctx_.config->rtmp.max_connections);
}

int Worker::run() {
  if (!setup()) return 1;
  LOG_INFO("worker slot %d generation %u started, pid %d", ctx_.slot, ctx_.generation,
           int(::getpid()));
  if (base::Status s = ctx_.control->workers().set_ready(uint32_t(ctx_.slot), uint32_t(::getpid()));
      !s.is_ok()) {
    LOG_WARN("worker slot %d: marking the shared slot ready failed: %s", ctx_.slot,
             s.to_string().c_str());
  }
  report_ready();
  event_base_dispatch(base_);
  return exit_status_;
}

}  // namespace

int run(const WorkerContext& ctx) noexcept {
  Worker worker(ctx);
  return worker.run();
}

}  // namespace srs::worker
