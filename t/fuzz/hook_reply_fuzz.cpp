// libFuzzer target: the verdict of a callback server's reply must never
// crash or recurse without bound, must be a pure function of its input, and
// must only accept replies that are a JSON number 0 or an object (the first
// non-space byte is '0', '-' or '{'); the URL parser of the callbacks must
// never crash and, when it accepts, give a target starting with '/'. The
// forward backend's reply gives the same verdict, and URLs only with an
// accept (at most 64); the RTMP URL parser of forward destinations and edge
// origins never crashes and, when it accepts, names a host.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "conf/hook_url.hpp"
#include "conf/rtmp_url.hpp"
#include "proto/http/hook_reply.hpp"

namespace http = srs::proto::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  http::HookReply r = http::parse_hook_reply(200, body);
  if (http::parse_hook_reply(200, body) != r) std::abort();
  if (http::parse_hook_reply(500, body) != http::HookReply::kBadStatus) std::abort();
  if (r == http::HookReply::kAccept) {
    size_t first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) std::abort();
    char c = body[first];
    if (c != '0' && c != '-' && c != '{') std::abort();
  }
  std::vector<std::string> urls;
  if (http::parse_forward_reply(200, body, &urls) != r) std::abort();
  if (urls.size() > 64 || (r != http::HookReply::kAccept && !urls.empty())) std::abort();
  srs::conf::RtmpUrl rtmp;
  if (srs::conf::parse_rtmp_url(body, &rtmp).empty() && rtmp.host.empty()) std::abort();
  srs::conf::HookUrl url;
  if (srs::conf::parse_hook_url(body, &url).empty()) {
    if (url.target.empty() || url.target[0] != '/' || url.host.empty()) std::abort();
  }
  return 0;
}
