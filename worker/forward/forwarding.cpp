// Forwarders started and stopped with the publishes (see forwarding.hpp).
#include "worker/forward/forwarding.hpp"

#include "base/log.hpp"
#include "proto/http/hook_reply.hpp"

namespace srs::worker {

Forwarding::Forwarding(Services& svc) : svc_(svc), resolver_(svc.base) {}

Forwarding::~Forwarding() {
  for (auto& [key, publish] : publishes_) cancel_backend(*publish);
}

void Forwarding::on_publish(const PublishEvent& e) {
  const conf::ForwardConfig& c = e.vhost->forward;
  if (e.kind == PublishSource::kEdgePull) return;  // it came from the origins
  const bool push = e.vhost->cluster.mode == conf::ClusterMode::kEdge;
  if (c.destinations.empty() && !c.backend && !push) return;
  auto publish = std::make_unique<Publish>();
  publish->event = e;
  Publish& p = *publish;
  publishes_[{e.stream_slot, e.generation}] = std::move(publish);
  if (push) push_to_origins(p);
  for (const conf::RtmpUrl& dest : c.destinations) start(p, dest);
  if (c.backend) ask_backend(p, *c.backend);
}

void Forwarding::on_unpublish(const PublishEvent& e) {
  auto it = publishes_.find({e.stream_slot, e.generation});
  if (it == publishes_.end()) return;
  cancel_backend(*it->second);
  publishes_.erase(it);
}

void Forwarding::start(Publish& p, const conf::RtmpUrl& dest) {
  std::vector<RtmpTarget> one{rtmp_target(dest, p.event.source, p.event.vhost->name)};
  p.forwarders.push_back(std::make_unique<Forwarder>(svc_, resolver_, p.event, std::move(one)));
}

// An edge relays its publishes to its origins, the same fail-over list its
// pulls use; its own players of the stream read the local ring.
void Forwarding::push_to_origins(Publish& p) {
  std::vector<RtmpTarget> origins;
  for (const conf::RtmpUrl& origin : p.event.vhost->cluster.origins)
    origins.push_back(rtmp_target(origin, p.event.source, p.event.vhost->name));
  p.forwarders.push_back(std::make_unique<Forwarder>(svc_, resolver_, p.event, std::move(origins)));
}

// SRS's on_forward: the backend answers the URLs of this publish.
void Forwarding::ask_backend(Publish& p, const conf::HookUrl& backend) {
  if (svc_.hooks == nullptr) return;
  HookInfo info = p.event.source;
  info.stream_id = api_stream_id(*svc_.control, p.event.key);
  const Key key{p.event.stream_slot, p.event.generation};
  p.backend_call =
      svc_.hooks->query(backend, p.event.vhost->http_hooks.timeout, HookEvent::kForward, info,
                        [this, key](const HookResult& r) { on_backend(key, r); });
  if (p.backend_call == 0)
    LOG_ERROR("forward %s: calling the backend %s failed: too many pending calls",
              p.event.key.c_str(), backend.text.c_str());
}

void Forwarding::on_backend(Key key, const HookResult& r) {
  auto it = publishes_.find(key);
  if (it == publishes_.end()) return;
  Publish& p = *it->second;
  p.backend_call = 0;
  base::LogContext ctx(base::ContextId::of(p.event.source.client_id));
  const std::string& backend = p.event.vhost->forward.backend->text;
  if (!r.error.empty()) {
    LOG_ERROR("forward %s: the backend %s failed: %s; no dynamic destinations", p.event.key.c_str(),
              backend.c_str(), r.error.c_str());
    return;
  }
  std::vector<std::string> urls;
  proto::http::HookReply verdict = proto::http::parse_forward_reply(r.status, r.body, &urls);
  if (verdict != proto::http::HookReply::kAccept) {
    LOG_ERROR("forward %s: the backend %s answered HTTP %d: %s; no dynamic destinations",
              p.event.key.c_str(), backend.c_str(), r.status,
              proto::http::hook_reply_text(verdict));
    return;
  }
  LOG_INFO("forward %s: the backend %s answered %zu destinations", p.event.key.c_str(),
           backend.c_str(), urls.size());
  for (const std::string& text : urls) {
    conf::RtmpUrl dest;
    if (std::string problem = conf::parse_rtmp_url(text, &dest); !problem.empty()) {
      LOG_ERROR("forward %s: the backend's destination '%s' is not used: %s", p.event.key.c_str(),
                text.c_str(), problem.c_str());
      continue;
    }
    start(p, dest);
  }
}

void Forwarding::cancel_backend(Publish& p) {
  if (p.backend_call != 0 && svc_.hooks != nullptr) svc_.hooks->cancel_query(p.backend_call);
  p.backend_call = 0;
}

}  // namespace srs::worker
