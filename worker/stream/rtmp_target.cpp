// Upstream addresses made concrete (see rtmp_target.hpp).
#include "worker/stream/rtmp_target.hpp"

#include "conf/config.hpp"

namespace srs::worker {
namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::string expand(std::string text, const HookInfo& source, std::string_view vhost) {
  replace_all(text, "[vhost]", vhost);
  replace_all(text, "[app]", source.app);
  replace_all(text, "[stream]", source.stream);
  replace_all(text, "[param]", source.param);
  return text;
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
  t.url = "rtmp://" + authority + "/" + t.app + "/" + t.stream;
  return t;
}

}  // namespace srs::worker
