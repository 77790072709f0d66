// Outputs: the loop's side of the worker's outputs (HLS, DVR). A publish
// observer: at each publish on this worker it maps the stream's ring, puts a
// cursor at the publish's first record and hands both to the output thread
// (the factories there decide which outputs the vhost wants); at each
// unpublish it tells the thread where the publish ended. It also carries the
// thread's notes out on the loop: log lines, and the on_hls/on_dvr callbacks.
#pragma once

#include <memory>
#include <vector>

#include "worker/core/ev.hpp"
#include "worker/core/services.hpp"
#include "worker/output/output_thread.hpp"
#include "worker/stream/publish_observer.hpp"

namespace srs::worker {

class Outputs final : public PublishObserver {
 public:
  Outputs(Services& svc, std::vector<std::unique_ptr<OutputFactory>> factories);
  ~Outputs() override;  // finishes every output (files complete), joins the thread
  Outputs(const Outputs&) = delete;
  Outputs& operator=(const Outputs&) = delete;

  void on_publish(const PublishEvent& e) override;
  void on_unpublish(const PublishEvent& e) override;

 private:
  static void on_notes_cb(evutil_socket_t, short, void* arg);
  void deliver(OutputNote& note);

  Services& svc_;
  OutputThread thread_;
  EventPtr notes_ev_;
};

}  // namespace srs::worker
