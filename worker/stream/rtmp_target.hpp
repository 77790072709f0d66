// Where one stream goes upstream (a forward destination, an edge's origin):
// an address of the configuration (or of the forward backend's answer)
// made concrete for one stream, its templates [vhost] [app] [stream]
// [param] expanded (conf/rtmp_url.hpp).
//
//   127.0.0.2:1935                 + live/cam?token=x -> rtmp://127.0.0.2:1935/live/cam?token=x
//   rtmp://b/[app]_hd/[stream]     + live/cam         -> rtmp://b:1935/live_hd/cam
//
// A stream of another vhost than the default one names its vhost in the
// tcUrl's query (?vhost=NAME), as SRS does, so the destination files it
// under the same vhost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "conf/rtmp_url.hpp"
#include "worker/hooks/hooks.hpp"

namespace srs::worker {

struct RtmpTarget {
  std::string host;
  uint16_t port = 1935;
  std::string app;
  std::string stream;  // the name to publish, with its ?query
  std::string tc_url;  // connect's tcUrl
  std::string url;     // the whole URL, for logs and the API
};

// `source` is the publisher's (app, stream, param); `vhost` its vhost's name.
RtmpTarget rtmp_target(const conf::RtmpUrl& dest, const HookInfo& source, std::string_view vhost);

}  // namespace srs::worker
