// Gatekeeper: who may publish and play a vhost's streams, decided on this
// worker before any callback or upstream work, for RTMP, HTTP-FLV and HLS
// alike. Three rules, each off until configured, checked in this order:
//
//   security  the client's address: in a deny list, refused; with an allow
//             list, only addresses in it (vhosts.NAME.security)
//   refer     the page the client comes from (RTMP's pageUrl, HTTP's
//             Referer): its host must be one of the action's domains or a
//             subdomain of one (vhosts.NAME.refer)
//   auth      a signed token (proto/auth/jwt.hpp) naming the stream and the
//             action, in ?token= or, over HTTP, "Authorization: Bearer"
//             (vhosts.NAME.auth)
//
// Each refusal is counted in the worker's counters (the API's workers and
// /metrics' srs_access_refused_total{reason}); the caller logs it and tells
// the client (an onStatus, an HTTP 403) what failed, never the secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conf/config.hpp"
#include "proto/auth/jwt.hpp"
#include "worker/core/services.hpp"

namespace srs::worker {

enum class AccessAction : uint8_t { kPlay, kPublish };

// What a client brings to a publish or a play.
struct Visitor {
  std::string_view ip;        // its numeric address
  std::string_view token;     // empty: none
  std::string_view page_url;  // empty: none
};

struct AccessVerdict {
  bool allowed = true;
  // For the log line and the client: "token expired 42 s ago",
  // "address 10.1.2.3 is in security.play_deny"; empty when allowed.
  std::string why;
};

class Gatekeeper {
 public:
  // Builds each vhost's token keys (the loader checked them; a failure here
  // is OpenSSL's own, logged, and that vhost then refuses every token).
  explicit Gatekeeper(Services& svc);

  AccessVerdict admit(const conf::VhostConfig& vhost, AccessAction action, std::string_view app,
                      std::string_view stream, const Visitor& visitor);
  // The vhost's limits, from the registry: live streams of the vhost
  // (publish.max_publishers; a takeover of a live stream is let in) or
  // players of the stream (play.max_players). `key` is vhost/app/stream.
  AccessVerdict within_limits(const conf::VhostConfig& vhost, AccessAction action,
                              const std::string& key);

 private:
  const proto::auth::TokenKeys* keys_of(const conf::VhostConfig& vhost) const;
  AccessVerdict refuse(shm::Atomic32& counter, std::string why);

  Services& svc_;
  std::vector<std::pair<const conf::VhostConfig*, proto::auth::TokenKeys>> keys_;
};

// The host of a page URL ("https://www.example.com:8443/live.html" ->
// "www.example.com"); empty when it has none.
std::string_view page_host(std::string_view url) noexcept;
// True when `host` is `domain` or one of its subdomains (case-insensitive).
bool host_in_domain(std::string_view host, std::string_view domain) noexcept;

}  // namespace srs::worker
