// HlsFactory: the HLS output (an OutputFactory, on the output thread). For
// each publish on a vhost with hls.enabled it gives the feed a sink that
// feeds the stream's HlsStream, which it keeps across publishes:
//
//  * a republish on this worker continues the same Segmenter;
//  * one on another worker reads the playlist left on disk to continue its
//    media sequence (with EXT-X-DISCONTINUITY);
//  * when the publisher leaves, the playlist and segments are removed
//    hls.dispose later, unless the stream was published again meanwhile
//    (on any worker: the shared registry says so).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "conf/config.hpp"
#include "shm/control.hpp"
#include "worker/hls/hls_stream.hpp"
#include "worker/output/sink.hpp"

namespace srs::worker {

class HlsFactory final : public OutputFactory {
 public:
  HlsFactory(const conf::Config& config, const shm::Control& control)
      : config_(config), control_(control) {}

  std::unique_ptr<OutputSink> make(const PublishEvent& e, Mailbox& mailbox) override;
  void on_tick(uint64_t now_ms, Mailbox& mailbox) override;

 private:
  std::shared_ptr<HlsStream> open(const PublishEvent& e, Mailbox& mailbox);

  const conf::Config& config_;
  const shm::Control& control_;
  // Shared with the sinks feeding them: a sink may outlive the entry.
  std::map<std::string, std::shared_ptr<HlsStream>> streams_;
};

}  // namespace srs::worker
