// The worker process: one libevent loop (see worker.hpp).
#include "worker/worker.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "base/log.hpp"
#include "worker/access/gatekeeper.hpp"
#include "worker/api/api_server.hpp"
#include "worker/api/traffic_sampler.hpp"
#include "worker/core/accept_gate.hpp"
#include "worker/core/connections.hpp"
#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"
#include "worker/core/summary.hpp"
#include "worker/directory/stream_directory.hpp"
#include "worker/dvr/dvr_sink.hpp"
#include "worker/edge/edge.hpp"
#include "worker/forward/forwarding.hpp"
#include "worker/hls/hls_factory.hpp"
#include "worker/hooks/hook_client.hpp"
#include "worker/hooks/hooks.hpp"
#include "worker/http/http_server.hpp"
#include "worker/net/acceptor.hpp"
#include "worker/net/tls_server.hpp"
#include "worker/output/outputs.hpp"
#include "worker/rtmp/rtmp_conn.hpp"
#include "worker/stream/stream_hub.hpp"

namespace srs::worker {
namespace {

class Worker {
 public:
  explicit Worker(const WorkerContext& ctx) : ctx_(ctx) {}
  int run();

 private:
  bool setup();
  void setup_services();
  bool setup_listeners(const ApiIdentity& id);
  bool setup_tls();
  void watch(int fd_or_signal, short what, event_callback_fn cb);
  void begin_drain(const char* why);
  void maybe_exit();
  void report_ready();

  static void on_signal(evutil_socket_t signo, short, void* arg);
  static void on_master_watch(evutil_socket_t fd, short, void* arg);

  // Members go in the reverse order of their declaration: the connections
  // first (publishers stop, players leave the hub), then what they used,
  // the event base last.
  const WorkerContext& ctx_;
  EventBasePtr base_;
  std::vector<EventPtr> events_;  // signals, the master watch
  Services svc_;
  std::unique_ptr<AcceptGate> accept_gate_;
  std::unique_ptr<StreamHub> hub_;
  std::unique_ptr<Summary> summary_;
  std::unique_ptr<TrafficSampler> traffic_;
  std::unique_ptr<HookClient> hook_client_;
  std::unique_ptr<Hooks> hooks_;      // pending callbacks are cancelled when it goes
  std::unique_ptr<Outputs> outputs_;  // finishes HLS and DVR files, joins its thread
  std::unique_ptr<Forwarding> forwarding_;
  std::unique_ptr<Edge> edge_;  // after the outputs: a pull's unpublish reaches them
  std::unique_ptr<Gatekeeper> gatekeeper_;
  std::unique_ptr<StreamDirectory> directory_;
  std::unique_ptr<TlsServer> tls_;  // before the acceptors, which point at it
  std::unique_ptr<Acceptor> rtmp_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<Connections> conns_;
  bool draining_ = false;
  int exit_status_ = 0;
};

void Worker::watch(int fd_or_signal, short what, event_callback_fn cb) {
  EventPtr ev = make_event(base_.get(), fd_or_signal, what, cb, this);
  event_add(ev.get(), nullptr);
  events_.push_back(std::move(ev));
}

bool Worker::setup() {
  base_.reset(event_base_new());
  if (!base_) {
    LOG_ERROR("event_base_new() failed while starting worker slot %d", ctx_.slot);
    return false;
  }
  setup_services();
  for (int signo : {SIGQUIT, SIGTERM, SIGUSR1, SIGHUP})
    watch(signo, EV_SIGNAL | EV_PERSIST, on_signal);
  // The master stops workers with SIGTERM. A terminal's Ctrl-C reaches the
  // whole process group: workers leave it to the master, so that a stop
  // reads as a stop and not as workers dying on their own.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  watch(ctx_.master_watch_fd, EV_READ | EV_PERSIST, on_master_watch);
  ApiIdentity id{ctx_.server_id, base::new_context_id().c_str(), ctx_.slot, ctx_.generation};
  hook_client_ = std::make_unique<HookClient>(base_.get());
  hooks_ = std::make_unique<Hooks>(*hook_client_, ctx_.server_id, id.service);
  svc_.hooks = hooks_.get();
  std::vector<std::unique_ptr<OutputFactory>> outputs;
  outputs.push_back(std::make_unique<HlsFactory>(*ctx_.config, *ctx_.control));
  outputs.push_back(std::make_unique<DvrFactory>(&ctx_.control->registry()));
  outputs_ = std::make_unique<Outputs>(svc_, std::move(outputs));
  svc_.publish_observers.push_back(outputs_.get());
  forwarding_ = std::make_unique<Forwarding>(svc_);
  svc_.publish_observers.push_back(forwarding_.get());
  edge_ = std::make_unique<Edge>(svc_);
  svc_.edge = edge_.get();
  gatekeeper_ = std::make_unique<Gatekeeper>(svc_);
  svc_.gatekeeper = gatekeeper_.get();
  directory_ = std::make_unique<StreamDirectory>(svc_);
  if (directory_->enabled()) {
    svc_.directory = directory_.get();
    svc_.publish_observers.push_back(directory_.get());
  }
  return setup_listeners(id);
}

// What every connection reaches (core/services.hpp), and the worker's own parts.
void Worker::setup_services() {
  svc_.base = base_.get();
  svc_.config = ctx_.config;
  svc_.control = ctx_.control;
  svc_.wakeups = ctx_.wakeups;
  svc_.slot = uint32_t(ctx_.slot);
  svc_.generation = ctx_.generation;
  svc_.pid = uint32_t(::getpid());
  svc_.server_id = ctx_.server_id;
  conns_ = std::make_unique<Connections>(base_.get());
  conns_->on_reaped([this] { maybe_exit(); });
  svc_.conns = conns_.get();
  accept_gate_ = std::make_unique<AcceptGate>(base_.get(), ctx_.control->workers(), svc_.slot);
  svc_.accept_gate = accept_gate_.get();
  hub_ = std::make_unique<StreamHub>(svc_);
  svc_.hub = hub_.get();
  summary_ = std::make_unique<Summary>(svc_);
  traffic_ = std::make_unique<TrafficSampler>(base_.get(), *ctx_.control);
  svc_.traffic = traffic_.get();
}

// RTMP on the rtmp listeners; HTTP-FLV, files and the API on one HTTP/1.1
// server (a listener in both http_server.listen and http_api.listen serves both).
bool Worker::setup_listeners(const ApiIdentity& id) {
  rtmp_ = std::make_unique<Acceptor>(svc_, "rtmp");
  if (!setup_tls()) return false;
  for (const ListenerFd& l : ctx_.listeners) {
    bool ok = true;
    const TlsServer* tls = (l.services & kServiceTls) ? tls_.get() : nullptr;
    if (l.services & kServiceRtmp) {
      ok = rtmp_->listen(
          l.fd, l.address,
          [this](std::unique_ptr<Transport> t, std::string peer) {
            return std::make_unique<RtmpConn>(svc_, std::move(t), std::move(peer));
          },
          tls);
    } else if (l.services & (kServiceApi | kServiceHttp)) {
      if (!http_) http_ = std::make_unique<HttpServer>(svc_, id);
      ok = http_->listen(l.fd, l.services, l.address, tls);
    } else {
      ::close(l.fd);
    }
    if (!ok) return false;
  }
  return true;
}

// The TLS contexts, when a listener speaks TLS.
bool Worker::setup_tls() {
  bool wanted = std::any_of(ctx_.listeners.begin(), ctx_.listeners.end(),
                            [](const ListenerFd& l) { return (l.services & kServiceTls) != 0; });
  if (!wanted) return true;
  tls_ = std::make_unique<TlsServer>();
  if (std::string error = tls_->setup(*ctx_.config); !error.empty()) {
    LOG_ERROR("worker slot %d cannot serve TLS: %s", ctx_.slot, error.c_str());
    return false;
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

void Worker::begin_drain(const char* why) {
  if (draining_) return;
  draining_ = true;
  svc_.draining = true;
  (void)ctx_.control->workers().set_draining(uint32_t(ctx_.slot));
  rtmp_->stop();
  if (http_) {
    http_->stop_accepting();
    http_->close_idle();  // keep-alive connections between requests: nothing to finish
  }
  LOG_INFO("worker slot %d generation %u draining (%s): stopped accepting, %zu connections left",
           ctx_.slot, ctx_.generation, why, conns_->size());
  maybe_exit();
}

void Worker::maybe_exit() {
  if (!draining_ || conns_->size() > 0) return;
  LOG_INFO("worker slot %d generation %u drained, exiting", ctx_.slot, ctx_.generation);
  event_base_loopexit(base_.get(), nullptr);
}

void Worker::on_signal(evutil_socket_t signo, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  switch (signo) {
    case SIGQUIT:
      self->begin_drain("SIGQUIT");
      break;
    case SIGTERM:
      LOG_INFO("worker slot %d: SIGTERM, exiting now with %zu connections", self->ctx_.slot,
               self->conns_->size());
      event_base_loopbreak(self->base_.get());
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
  for (EventPtr& ev : self->events_) {
    if (event_get_fd(ev.get()) == fd) event_del(ev.get());
  }
  self->begin_drain("master exited");
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
  event_base_dispatch(base_.get());
  return exit_status_;
}

}  // namespace

int run(const WorkerContext& ctx) noexcept {
  Worker worker(ctx);
  return worker.run();
}

}  // namespace srs::worker
