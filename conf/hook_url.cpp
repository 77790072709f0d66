// Parsing the URL of an HTTP callback (see hook_url.hpp). RFC 3986 section 3
// (scheme "://" authority path-abempty ["?" query]), restricted to what an
// HTTP/1.1 client needs: no userinfo, no fragment, no spaces or controls.
#include "conf/hook_url.hpp"

#include <algorithm>

#include "conf/authority.hpp"

namespace srs::conf {

std::string parse_hook_url(std::string_view text, HookUrl* out) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  HookUrl url;
  url.tls = text.substr(0, kHttps.size()) == kHttps;
  if (!url.tls && text.substr(0, kHttp.size()) != kHttp)
    return "expected an http:// or https:// URL";
  url.port = url.default_port();  // RFC 9110 section 4.2.1 (http) and 4.2.2 (https)
  if (std::any_of(text.begin(), text.end(), bad_url_char))
    return "spaces or control characters in the URL";
  if (text.find('#') != std::string_view::npos)
    return "a fragment ('#') has no meaning in a callback URL";
  std::string_view rest = text.substr(url.tls ? kHttps.size() : kHttp.size());
  size_t slash = std::min(rest.find('/'), rest.find('?'));
  std::string_view authority = rest.substr(0, slash);
  if (std::string problem = parse_authority(authority, &url.host, &url.port); !problem.empty())
    return problem;
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (url.target[0] == '?') url.target = "/" + url.target;
  url.text = std::string(text);
  *out = std::move(url);
  return {};
}

}  // namespace srs::conf
