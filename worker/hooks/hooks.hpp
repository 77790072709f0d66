// Hooks: the HTTP callbacks of a vhost (SRS's http_hooks; research/srs.md
// section 1.14), on top of the worker's HookClient.
//
//   on_connect, on_publish, on_play   check(): the client waits; every URL
//                                     of the list is called in order and
//                                     the first rejection wins
//   on_close, on_unpublish, on_stop,  notify(): fire and forget, every URL,
//   on_hls, on_dvr                    failures logged
//
// A reply accepts only as SRS's SrsHttpHooks::do_post does (HTTP 200/201 and
// a body of 0 or {"code":0}: proto/http/hook_reply.hpp); a timeout or an
// error rejects. Hooks disabled, or an empty list: allowed at once (wanted()
// is false; no allocation, no latency). The vhost's settings come from the
// configuration snapshot of this worker's generation: a reload changes them
// for new connections (new workers).
//
// The JSON carries SRS's field names (server_id, service_id, action,
// client_id, ip, vhost, app, stream, param, tcUrl, stream_url, stream_id,
// pageUrl, send_bytes, recv_bytes; on_hls: duration, cwd, file, url, m3u8,
// m3u8_url, seq_no; on_dvr: cwd, file), so existing SRS callback servers work unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/log.hpp"
#include "conf/config.hpp"
#include "shm/control.hpp"
#include "worker/hooks/hook_client.hpp"

namespace srs::worker {

enum class HookEvent : uint8_t {
  kConnect,
  kClose,
  kPublish,
  kUnpublish,
  kPlay,
  kStop,
  kHls,
  kDvr,
  kForward,  // forward.backend's on_forward (query(): the reply's URLs are the answer)
};

// "on_connect", ...
const char* hook_action(HookEvent event) noexcept;
const std::vector<conf::HookUrl>& hook_urls(const conf::HttpHooksConfig& c,
                                            HookEvent event) noexcept;

// What a callback tells about its client and stream.
struct HookInfo {
  std::string client_id;  // the connection's context id (the one its log lines carry)
  std::string ip;
  std::string vhost, app, stream;
  std::string param;  // "?token=..." of the stream name or tcUrl, with its '?'
  std::string tc_url;
  std::string page_url;
  std::string stream_id;  // the API's id of the stream, when known
  std::string via;        // publish: the server ids the stream came through (a forwarder's srs_via)
  uint64_t send_bytes = 0, recv_bytes = 0;  // on_close
  // on_hls (cwd and file: on_dvr too)
  double duration_s = 0;
  std::string cwd, file, url, m3u8, m3u8_url;
  uint64_t seq_no = 0;
};

// The id /api/v1/streams gives the live stream `key` ("s3-1": registry slot
// and generation, worker/streams_view.cpp), or "" when it is not live.
std::string api_stream_id(const shm::Control& control, const std::string& key);

// The JSON body POSTed for `event`.
std::string hook_payload(HookEvent event, const HookInfo& info, std::string_view server_id,
                         std::string_view service_id);

class Hooks {
 public:
  using Verdict = std::function<void(bool ok, const std::string& why)>;

  Hooks(HookClient& client, std::string server_id, std::string service_id);
  ~Hooks();
  Hooks(const Hooks&) = delete;
  Hooks& operator=(const Hooks&) = delete;

  // True when `vhost` calls a URL for `event`; false: go ahead at once.
  static bool wanted(const conf::VhostConfig& vhost, HookEvent event) noexcept {
    return vhost.http_hooks.enabled && !hook_urls(vhost.http_hooks, event).empty();
  }

  // Calls every URL of `event` in order (wanted() must be true). `verdict`
  // runs later, from the loop, once, unless cancel(ticket) ran first.
  // Returns 0 when the check could not start (too many pending calls; `why`
  // says so): reject the client at once.
  uint64_t check(const conf::VhostConfig& vhost, HookEvent event, const HookInfo& info,
                 Verdict verdict, std::string* why);
  void cancel(uint64_t ticket);
  // Posts `event`'s JSON to `url` alone and hands `done` the whole reply
  // (the forward backend answers URLs). 0: it could not start.
  uint64_t query(const conf::HookUrl& url, conf::Duration timeout, HookEvent event,
                 const HookInfo& info, HookClient::Done done);
  void cancel_query(uint64_t id) { client_.cancel(id); }
  // Fire and forget (nothing when not wanted()).
  void notify(const conf::VhostConfig& vhost, HookEvent event, const HookInfo& info);

  size_t pending() const { return chains_.size(); }

 private:
  struct Chain;
  bool next(Chain& chain);
  void on_result(uint64_t ticket, const HookResult& r);
  void finish(uint64_t ticket, bool ok, const std::string& why);

  HookClient& client_;
  std::string server_id_;
  std::string service_id_;
  uint64_t next_ticket_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Chain>> chains_;
};

}  // namespace srs::worker
