// The access rules of publish and play (see gatekeeper.hpp).
#include "worker/access/gatekeeper.hpp"

#include <strings.h>

#include <algorithm>
#include <ctime>

#include "base/log.hpp"

namespace srs::worker {
namespace {

namespace auth = proto::auth;

const char* action_name(AccessAction a) noexcept {
  return a == AccessAction::kPlay ? "play" : "publish";
}

// A client's text for a log line: control characters become '?'.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

bool listed(const std::vector<conf::Cidr>& ranges, std::string_view ip) noexcept {
  return std::any_of(ranges.begin(), ranges.end(),
                     [ip](const conf::Cidr& r) { return conf::cidr_contains(r, ip); });
}

}  // namespace

std::string_view page_host(std::string_view url) noexcept {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

bool host_in_domain(std::string_view host, std::string_view domain) noexcept {
  if (host.size() < domain.size() || domain.empty()) return false;
  std::string_view tail = host.substr(host.size() - domain.size());
  if (strncasecmp(tail.data(), domain.data(), domain.size()) != 0) return false;
  return host.size() == domain.size() || host[host.size() - domain.size() - 1] == '.';
}

Gatekeeper::Gatekeeper(Services& svc) : svc_(svc) {
  for (const conf::VhostConfig& vhost : svc.config->vhosts) {
    const conf::AuthConfig& a = vhost.auth;
    if (a.jwt_secret.empty() && a.jwt_public_key_pem.empty()) continue;
    auth::TokenKeys keys;
    std::string error = auth::TokenKeys::make(a.jwt_secret, a.jwt_public_key_pem, &keys);
    if (!error.empty()) {
      LOG_ERROR("vhosts.%s.auth: %s; every token of this vhost is refused", vhost.name.c_str(),
                error.c_str());
    }
    keys_.emplace_back(&vhost, std::move(keys));
  }
}

const auth::TokenKeys* Gatekeeper::keys_of(const conf::VhostConfig& vhost) const {
  for (const auto& [v, keys] : keys_) {
    if (v == &vhost) return &keys;
  }
  return nullptr;
}

AccessVerdict Gatekeeper::refuse(shm::Atomic32& counter, std::string why) {
  counter.fetch_add(1, std::memory_order_relaxed);
  return {false, std::move(why)};
}

AccessVerdict Gatekeeper::admit(const conf::VhostConfig& vhost, AccessAction action,
                                std::string_view app, std::string_view stream,
                                const Visitor& visitor) {
  shm::WorkerCounters& c = svc_.control->workers().counters(svc_.slot);
  const bool play = action == AccessAction::kPlay;
  const conf::SecurityConfig& sec = vhost.security;
  const std::vector<conf::Cidr>& deny = play ? sec.play_deny : sec.publish_deny;
  const std::vector<conf::Cidr>& allow = play ? sec.play_allow : sec.publish_allow;
  const std::string rule = std::string("security.") + action_name(action);
  if (listed(deny, visitor.ip))
    return refuse(c.refused_address,
                  "address " + std::string(visitor.ip) + " is in " + rule + "_deny");
  if (!allow.empty() && !listed(allow, visitor.ip))
    return refuse(c.refused_address,
                  "address " + std::string(visitor.ip) + " is not in " + rule + "_allow");

  const std::vector<std::string>& domains = play ? vhost.refer.play : vhost.refer.publish;
  if (vhost.refer.enabled && !domains.empty()) {
    std::string_view host = page_host(visitor.page_url);
    bool ok = std::any_of(domains.begin(), domains.end(),
                          [host](const std::string& d) { return host_in_domain(host, d); });
    if (!ok) {
      std::string page = visitor.page_url.empty()
                             ? std::string("no page URL")
                             : "page '" + printable(visitor.page_url.substr(0, 128)) + "'";
      return refuse(c.refused_refer,
                    page + " is not of refer." + action_name(action) + "'s domains");
    }
  }

  if (!(play ? vhost.auth.play : vhost.auth.publish)) return {};
  static const auth::TokenKeys kNoKeys;
  const auth::TokenKeys* keys = keys_of(vhost);
  auth::TokenCheck check =
      auth::check_token(visitor.token, keys ? *keys : kNoKeys,
                        play ? auth::TokenAction::kPlay : auth::TokenAction::kPublish, app, stream,
                        int64_t(std::time(nullptr)));
  if (check.verdict == auth::TokenVerdict::kValid) return {};
  std::string why = std::string("token refused: ") + auth::token_verdict_text(check.verdict);
  if (!check.detail.empty() && check.detail != auth::token_verdict_text(check.verdict))
    why += " (" + check.detail + ")";
  return refuse(c.refused_token, std::move(why));
}

AccessVerdict Gatekeeper::within_limits(const conf::VhostConfig& vhost, AccessAction action,
                                        const std::string& key) {
  shm::WorkerCounters& c = svc_.control->workers().counters(svc_.slot);
  const shm::Registry& registry = svc_.control->registry();
  if (action == AccessAction::kPlay) {
    uint32_t max = vhost.play.max_players;
    if (max == 0) return {};
    base::Result<shm::StreamInfo> s = registry.find(key);
    if (!s.is_ok() || s->players < max) return {};
    return refuse(c.refused_players, key + " has " + std::to_string(s->players) +
                                         " players, play.max_players " + std::to_string(max));
  }
  uint32_t max = vhost.publish.max_publishers;
  if (max == 0) return {};
  std::string prefix = vhost.name + "/";
  uint32_t live = 0;
  shm::StreamInfo info;
  for (uint32_t slot = 0; slot < registry.capacity(); ++slot) {
    if (!registry.read(slot, &info) || info.state != shm::StreamState::kLive) continue;
    std::string_view k(info.key);
    if (k == key) return {};  // a takeover: the count does not change
    if (k.substr(0, prefix.size()) == prefix) ++live;
  }
  if (live < max) return {};
  return refuse(c.refused_publishers, "vhost " + vhost.name + " has " + std::to_string(live) +
                                          " live streams, publish.max_publishers " +
                                          std::to_string(max));
}

}  // namespace srs::worker
