// on_hls: the HTTP callback of each closed HLS segment (see worker/hooks.hpp
// and SRS's SrsHttpHooks::on_hls): fire and forget, from the publisher's
// worker, with the segment's file, URL, duration and number.
#include <unistd.h>

#include <climits>

#include "worker/hls/hls_outputs.hpp"
#include "worker/hooks/hooks.hpp"

namespace srs::worker {

void HlsOutputs::hook_segments(HlsStream* hs, const conf::VhostConfig& vhost,
                               const HookInfo& source, const std::string& m3u8) {
  hs->on_segment = nullptr;
  if (!Hooks::wanted(vhost, HookEvent::kHls) || !svc_.hooks) return;
  std::string root = vhost.http_dir.empty() ? svc_.config->http_server.dir : vhost.http_dir;
  const conf::VhostConfig* v = &vhost;  // the generation's snapshot outlives the worker's streams
  hs->on_segment = [this, v, source, root, m3u8](uint64_t seq, uint32_t duration_ms,
                                                 const std::string& path) {
    HookInfo info = source;  // the publisher feeding the segmenter: client_id, ip, param, tcUrl
    info.vhost = v->name;
    const std::string& app = info.app;
    const std::string& stream = info.stream;
    info.duration_s = double(duration_ms) / 1000.0;
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd)) info.cwd = cwd;
    info.file = root + "/" + path;
    info.url = path;
    info.m3u8 = root + "/" + m3u8;
    info.m3u8_url = m3u8;
    info.seq_no = seq;
    info.stream_id = api_stream_id(*svc_.control, v->name + "/" + app + "/" + stream);
    if (svc_.hooks) svc_.hooks->notify(*v, HookEvent::kHls, info);
  };
}

}  // namespace srs::worker
