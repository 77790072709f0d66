// The loop's side of the outputs (see outputs.hpp).
#include "worker/output/outputs.hpp"

#include "worker/hooks/hooks.hpp"

namespace srs::worker {

Outputs::Outputs(Services& svc, std::vector<std::unique_ptr<OutputFactory>> factories)
    : svc_(svc), thread_(std::move(factories), svc.control->workers().counters(svc.slot)) {
  notes_ev_ = make_event(svc.base, thread_.notes_fd(), EV_READ | EV_PERSIST, on_notes_cb, this);
  event_add(notes_ev_.get(), nullptr);
}

Outputs::~Outputs() {
  thread_.stop();
  for (OutputNote& n : thread_.take_notes()) deliver(n);  // the last files' log lines and on_dvr
}

void Outputs::on_publish(const PublishEvent& e) {
  base::Result<shm::Segment> seg =
      shm::Segment::open(svc_.control->ring_name(e.stream_slot, e.ring_epoch));
  if (!seg.is_ok()) {
    LOG_ERROR("outputs of %s: opening the ring failed: %s; no HLS or DVR for this publish",
              e.key.c_str(), seg.status().to_string().c_str());
    return;
  }
  shm::RingReader reader;
  shm::ReaderOptions opts;
  opts.attach_at = shm::AttachAt::kLiveEdge;  // the publish starts here: nothing is written yet
  opts.on_lap = shm::LapPolicy::kJumpToKeyframe;
  if (base::Status s = reader.attach(seg->data(), seg->size(), opts); !s.is_ok()) {
    LOG_ERROR("outputs of %s: attaching to the ring failed: %s; no HLS or DVR for this publish",
              e.key.c_str(), s.to_string().c_str());
    return;
  }
  thread_.add(std::make_unique<OutputFeed>(e, std::move(*seg), reader));
}

void Outputs::on_unpublish(const PublishEvent& e) {
  thread_.finish(e.stream_slot, e.generation, e.tail);
}

void Outputs::on_notes_cb(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Outputs*>(arg);
  for (OutputNote& n : self->thread_.take_notes()) self->deliver(n);
}

void Outputs::deliver(OutputNote& n) {
  base::LogContext ctx(n.cid.empty() ? base::current_context() : base::ContextId::of(n.cid));
  if (!n.text.empty()) SRS_LOG(n.level, "%s", n.text.c_str());
  if (!n.notify || !n.vhost || !svc_.hooks) return;
  n.info.stream_id =
      api_stream_id(*svc_.control, n.vhost->name + "/" + n.info.app + "/" + n.info.stream);
  svc_.hooks->notify(*n.vhost, n.hook, n.info);
}

}  // namespace srs::worker
