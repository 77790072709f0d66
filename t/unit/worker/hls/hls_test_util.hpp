// Test support for the HLS output: a configuration whose default vhost
// writes HLS under a temporary HTTP root, a mailbox that keeps its notes,
// and an AVC + AAC stream fed to a sink the way the output feed gives records.
#pragma once

#include <string>
#include <vector>

#include "conf/config.hpp"
#include "t/unit/worker/ring_fixture.hpp"
#include "t/unit/worker/temp_dir.hpp"
#include "worker/output/sink.hpp"

namespace srs::test {

struct NoteBox final : worker::Mailbox {
  std::vector<worker::OutputNote> notes;
  void post(worker::OutputNote note) override { notes.push_back(std::move(note)); }
  bool said(const std::string& part) const {
    for (const auto& n : notes)
      if (n.text.find(part) != std::string::npos) return true;
    return false;
  }
  std::vector<worker::OutputNote> callbacks() const {
    std::vector<worker::OutputNote> out;
    for (const auto& n : notes)
      if (n.notify) out.push_back(n);
    return out;
  }
};

// HLS of the default vhost under `root`: 1 s fragments, disposed 5 s after
// the publisher leaves.
inline conf::Config hls_config(const std::string& root) {
  conf::Config c;
  c.http_server.dir = root;
  conf::VhostConfig& v = c.vhosts[0];
  v.hls.enabled = true;
  v.hls.fragment = conf::Duration(1000);
  v.hls.window = conf::Duration(60000);
  v.hls.dispose = conf::Duration(5000);
  return c;
}

inline worker::PublishEvent hls_event(const conf::Config& c, const char* stream = "cam") {
  worker::PublishEvent e;
  e.key = std::string(conf::kDefaultVhost) + "/live/" + stream;
  e.vhost = &c.vhosts[0];
  e.source.app = "live";
  e.source.stream = stream;
  e.source.client_id = "pub00009";
  return e;
}

// The sequence headers, then 25 fps video with a keyframe every second and
// AAC every 23 ms, timestamps [0, ms) from `ts0`; the clock is `now0` + media time.
inline void feed_av(worker::OutputSink& sink, uint32_t ts0, uint32_t ms, uint64_t now0) {
  using worker::MediaKind;
  using worker::MediaRecord;
  auto avc = avc_sequence_header(), aac = aac_sequence_header();
  sink.on_record(MediaRecord{MediaKind::kVideo, ts0, avc}, now0);
  sink.on_record(MediaRecord{MediaKind::kAudio, ts0, aac}, now0);
  uint32_t a = 0;
  for (uint32_t t = 0; t < ms; t += 40) {
    for (; a <= t; a += 23) {
      auto frame = aac_frame();
      sink.on_record(MediaRecord{MediaKind::kAudio, ts0 + a, frame}, now0 + a);
    }
    auto frame = avc_frame(t % 1000 == 0, 0, 400);
    sink.on_record(MediaRecord{MediaKind::kVideo, ts0 + t, frame}, now0 + t);
  }
}

}  // namespace srs::test
