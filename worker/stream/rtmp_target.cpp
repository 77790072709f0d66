// Upstream addresses made concrete (see rtmp_target.hpp).
#include "worker/stream/rtmp_target.hpp"

#include "conf/config.hpp"
#include "proto/rtmp/url.hpp"

namespace srs::worker {
namespace {

// One pass: what a template puts in is never expanded again (a stream
// named "cam[param]" stays so).
std::string expand(std::string_view text, const HookInfo& source, std::string_view vhost) {
  const std::pair<std::string_view, std::string_view> fields[] = {{"[vhost]", vhost},
                                                                  {"[app]", source.app},
                                                                  {"[stream]", source.stream},
                                                                  {"[param]", source.param}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [name, value] : fields) {
      if (text.substr(i, name.size()) != name) continue;
      out += value;
      i += name.size();
      replaced = true;
      break;
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

RtmpTarget rtmp_target(const conf::RtmpUrl& dest, const HookInfo& source, std::string_view vhost) {
  RtmpTarget t;
  t.host = dest.host;
  t.port = dest.port;
  t.app = dest.app.empty() ? source.app : expand(dest.app, source, vhost);
  if (dest.stream.empty()) {
    t.stream = source.stream + source.param;
  } else {
    t.stream = expand(dest.stream, source, vhost);
    if (!dest.query.empty()) {
      t.stream += t.stream.find('?') == std::string::npos ? '?' : '&';
      t.stream += expand(dest.query, source, vhost);
    }
  }
  bool v6 = t.host.find(':') != std::string::npos;
  std::string authority = (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
  t.tc_url = "rtmp://" + authority + "/" + t.app;
  if (vhost != conf::kDefaultVhost) t.tc_url += "?vhost=" + std::string(vhost);
  t.url = proto::rtmp::redact_param("rtmp://" + authority + "/" + t.app + "/" + t.stream);
  return t;
}

}  // namespace srs::worker
