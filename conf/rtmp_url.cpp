// Parsing RTMP server addresses (see rtmp_url.hpp).
#include "conf/rtmp_url.hpp"

#include <algorithm>

#include "conf/authority.hpp"

namespace srs::conf {
namespace {

constexpr std::string_view kScheme = "rtmp://";
constexpr std::string_view kTemplates[] = {"[vhost]", "[app]", "[stream]", "[param]"};

// Every '[' starts one of the templates.
std::string check_templates(std::string_view part) {
  for (size_t at = part.find('['); at != std::string_view::npos; at = part.find('[', at + 1)) {
    std::string_view rest = part.substr(at);
    bool known = std::any_of(std::begin(kTemplates), std::end(kTemplates),
                             [&](std::string_view t) { return rest.starts_with(t); });
    if (!known) {
      size_t close = rest.find(']');
      std::string_view name = close == std::string_view::npos ? rest : rest.substr(0, close + 1);
      return "unknown template '" + std::string(name) +
             "' (expected [vhost], [app], [stream] or [param])";
    }
  }
  return {};
}

}  // namespace

std::string parse_rtmp_url(std::string_view text, RtmpUrl* out) {
  if (std::any_of(text.begin(), text.end(), bad_url_char))
    return "spaces or control characters in the URL";
  RtmpUrl url;
  std::string_view rest = text;
  bool full = rest.starts_with(kScheme);
  if (full) {
    rest.remove_prefix(kScheme.size());
  } else if (rest.find("://") != std::string_view::npos) {
    return "expected host:port or an rtmp:// URL";
  }
  size_t slash = std::min(rest.find('/'), rest.find('?'));
  if (!full && slash != std::string_view::npos)
    return "expected host:port (write rtmp://host:port/app/stream for a path)";
  if (std::string problem = parse_authority(rest.substr(0, slash), &url.host, &url.port);
      !problem.empty()) {
    return problem;
  }
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    if (path[0] == '?') return "a query needs an app and a stream: rtmp://host/app/stream?query";
    path.remove_prefix(1);
    size_t q = path.find('?');
    std::string_view query = q == std::string_view::npos ? "" : path.substr(q + 1);
    path = path.substr(0, q);
    size_t app_end = path.find('/');
    url.app = std::string(path.substr(0, app_end));
    if (app_end != std::string_view::npos) url.stream = std::string(path.substr(app_end + 1));
    url.query = std::string(query);
    if (url.app.empty()) return "empty app in the path";
    if (app_end != std::string_view::npos && url.stream.empty()) return "empty stream in the path";
    if (q != std::string_view::npos && url.stream.empty())
      return "a query needs an app and a stream: rtmp://host/app/stream?query";
    for (std::string_view part :
         {std::string_view(url.app), std::string_view(url.stream), std::string_view(url.query)}) {
      if (std::string problem = check_templates(part); !problem.empty()) return problem;
    }
  }
  url.text = std::string(text);
  *out = std::move(url);
  return {};
}

}  // namespace srs::conf
