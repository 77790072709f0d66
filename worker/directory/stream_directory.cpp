// The origin cluster's stream directory (see stream_directory.hpp).
#include "worker/directory/stream_directory.hpp"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include "base/json_writer.hpp"
#include "base/log.hpp"

namespace srs::worker {
namespace {

// Renews the lease when it is still this value's; 0 when another holds it,
// -1 when nobody does (it expired, or Redis restarted empty).
constexpr const char* kRenewScript =
    "local v = redis.call('get', KEYS[1]) "
    "if v == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
    "elseif v == false then return -1 else return 0 end";
// Deletes the lease when it is still this value's.
constexpr const char* kReleaseScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) else return 0 end";

bool is_ok(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_STATUS && std::string(r->str, r->len) == "OK";
}

}  // namespace

std::string lease_field(const std::string& value, const char* name) {
  const std::string tag = std::string("\"") + name + "\":\"";
  size_t at = value.find(tag);
  if (at == std::string::npos) return {};
  at += tag.size();
  size_t end = value.find('"', at);
  return end == std::string::npos ? std::string() : value.substr(at, end - at);
}

StreamDirectory::StreamDirectory(Services& svc) : svc_(svc), self_(svc.server_id) {
  const conf::OriginClusterConfig& c = svc.config->origin_cluster;
  if (!c.directory) return;
  link_ =
      std::make_unique<RedisLink>(svc.base, *c.directory, [this](bool up) { on_link_state(up); });
  renew_timer_ = make_event(svc.base, -1, EV_PERSIST, on_renew_cb, this);
  const int64_t period = c.lease.count() / 3;
  timeval tv{time_t(period / 1000), suseconds_t((period % 1000) * 1000)};
  event_add(renew_timer_.get(), &tv);
}

StreamDirectory::~StreamDirectory() {
  link_.reset();  // before the maps its callbacks use
}

std::string StreamDirectory::value_for(const std::string& cid) const {
  const conf::OriginClusterConfig& c = svc_.config->origin_cluster;
  base::JsonWriter w;
  w.begin_object();
  w.key("server").value(svc_.server_id);
  w.key("rtmp").value(c.rtmp_endpoint);
  w.key("http").value(c.http_endpoint);
  w.key("cid").value(cid);
  w.key("pid").value(int64_t(::getpid()));
  w.end_object();
  return w.str();
}

uint64_t StreamDirectory::claim(const std::string& key, const std::string& cid, Verdict done) {
  if (!link_) return 0;
  Lease& lease = leases_[key];
  lease.value = value_for(cid);
  lease.confirmed = false;
  if (!link_->up()) {
    LOG_WARN("directory: redis is down; %s publishes without a lease until it is back",
             key.c_str());
    return 0;
  }
  const uint64_t ticket = next_ticket_++;
  lease.claiming = true;
  waiting_[ticket] = std::move(done);
  set_nx(key, ticket);
  return ticket;
}

void StreamDirectory::cancel(uint64_t ticket) {
  waiting_.erase(ticket);
  finding_.erase(ticket);
}

bool StreamDirectory::redirect() const noexcept {
  return svc_.config->origin_cluster.redirect;
}

uint64_t StreamDirectory::find_holder(const std::string& key, HolderFound done) {
  const uint64_t ticket = next_ticket_++;
  finding_[ticket] = std::move(done);
  link_->command({"GET", key}, [this, ticket](const redisReply* r) {
    auto it = finding_.find(ticket);
    if (it == finding_.end()) return;  // the player left
    HolderFound found = std::move(it->second);
    finding_.erase(it);
    Holder h;
    if (r != nullptr && r->type == REDIS_REPLY_STRING) {
      const std::string v(r->str, r->len);
      h = Holder{lease_field(v, "server"), lease_field(v, "rtmp"), lease_field(v, "http")};
    }
    found(h);
  });
  return ticket;
}

void StreamDirectory::set_nx(const std::string& key, uint64_t ticket) {
  const std::string lease_ms = std::to_string(svc_.config->origin_cluster.lease.count());
  link_->command({"SET", key, leases_[key].value, "NX", "PX", lease_ms},
                 [this, key, ticket](const redisReply* r) { after_set(key, ticket, r); });
}

void StreamDirectory::after_set(const std::string& key, uint64_t ticket, const redisReply* r) {
  auto it = leases_.find(key);
  if (it == leases_.end()) return decide(key, ticket, true, {});
  if (is_ok(r)) {
    it->second.confirmed = true;
    return decide(key, ticket, true, {});
  }
  if (r == nullptr ||
      r->type != REDIS_REPLY_NIL) {  // no answer, or an error: never block a publish
    LOG_WARN("directory: no lease for %s (%s); publishing without one until redis answers",
             key.c_str(), r == nullptr ? "no answer" : std::string(r->str, r->len).c_str());
    return decide(key, ticket, true, {});
  }
  link_->command({"GET", key},
                 [this, key, ticket](const redisReply* g) { after_get(key, ticket, g); });
}

// The key was held: by this server (take it over) or by another origin (refused).
void StreamDirectory::after_get(const std::string& key, uint64_t ticket, const redisReply* r) {
  auto it = leases_.find(key);
  if (it == leases_.end() || r == nullptr || r->type == REDIS_REPLY_ERROR)
    return decide(key, ticket, true, {});
  if (r->type == REDIS_REPLY_NIL) return set_nx(key, ticket);  // it just expired: again
  const std::string holder(r->str, r->len);
  const std::string server = lease_field(holder, "server");
  if (server == svc_.server_id) {
    const std::string lease_ms = std::to_string(svc_.config->origin_cluster.lease.count());
    link_->command({"SET", key, it->second.value, "XX", "PX", lease_ms},
                   [this, key](const redisReply* s) {
                     auto l = leases_.find(key);
                     if (l != leases_.end()) l->second.confirmed = is_ok(s);
                   });
    return decide(key, ticket, true, {});
  }
  leases_.erase(it);
  decide(key, ticket, false,
         "the stream is held by origin " + server + " (rtmp " + lease_field(holder, "rtmp") +
             ", publisher " + lease_field(holder, "cid") + ")");
}

void StreamDirectory::decide(const std::string& key, uint64_t ticket, bool ok,
                             const std::string& why) {
  if (auto l = leases_.find(key); l != leases_.end()) l->second.claiming = false;
  auto it = waiting_.find(ticket);
  if (it == waiting_.end()) return;  // the client left
  Verdict done = std::move(it->second);
  waiting_.erase(it);
  done(ok, why);
}

void StreamDirectory::lookup(const std::string& key, Found done) {
  if (!link_) return done({});
  link_->command({"GET", key}, [done = std::move(done)](const redisReply* r) {
    if (r == nullptr || r->type != REDIS_REPLY_STRING) return done({});
    done(lease_field(std::string(r->str, r->len), "rtmp"));
  });
}

void StreamDirectory::on_publish(const PublishEvent& e) {
  if (!link_ || e.kind != PublishSource::kClient || e.vhost == nullptr ||
      e.vhost->cluster.mode != conf::ClusterMode::kOrigin)
    return;
  Lease& lease = leases_[e.key];
  if (lease.value.empty()) lease.value = value_for(e.source.client_id);
  lease.publishing = true;
}

void StreamDirectory::on_unpublish(const PublishEvent& e) {
  auto it = leases_.find(e.key);
  if (it == leases_.end() || e.kind != PublishSource::kClient) return;
  release(e.key);
}

void StreamDirectory::release(const std::string& key) {
  auto it = leases_.find(key);
  if (it == leases_.end()) return;
  if (it->second.confirmed) {
    link_->command({"EVAL", kReleaseScript, "1", key, it->second.value}, [](const redisReply*) {});
  }
  leases_.erase(it);
}

void StreamDirectory::on_renew_cb(evutil_socket_t, short, void* arg) {
  static_cast<StreamDirectory*>(arg)->renew_all();
}

// Every lease this worker publishes under is renewed (or, unconfirmed,
// taken); one no publish uses any more is given back.
void StreamDirectory::renew_all() {
  if (!link_->up()) return;
  const std::string lease_ms = std::to_string(svc_.config->origin_cluster.lease.count());
  std::vector<std::string> unused;
  for (auto& [key, lease] : leases_) {
    if (lease.claiming) continue;
    if (!lease.publishing) {
      unused.push_back(key);
      continue;
    }
    if (!lease.confirmed) {
      take(key);
      continue;
    }
    link_->command({"EVAL", kRenewScript, "1", key, lease.value, lease_ms},
                   [this, key = key](const redisReply* r) {
                     auto it = leases_.find(key);
                     if (it == leases_.end() || r == nullptr || r->type != REDIS_REPLY_INTEGER ||
                         r->integer > 0)
                       return;
                     it->second.confirmed = false;
                     if (r->integer < 0) {  // gone: taken again at once, quietly
                       LOG_INFO(
                           "directory: the lease of %s was gone (redis restarted?); taking it "
                           "again",
                           key.c_str());
                       return take(key);
                     }
                     LOG_ERROR(
                         "directory: the lease of %s is no longer this server's; taking it "
                         "again when it is free",
                         key.c_str());
                   });
  }
  for (const std::string& key : unused) release(key);
}

// A lease that is not (or no longer) confirmed, for a stream this worker
// publishes: taken when free, taken over when this server's (an older
// value), and reported once when another origin holds it (both published
// while Redis could not tell them apart).
void StreamDirectory::take(const std::string& key) {
  const std::string lease_ms = std::to_string(svc_.config->origin_cluster.lease.count());
  link_->command({"SET", key, leases_[key].value, "NX", "PX", lease_ms},
                 [this, key, lease_ms](const redisReply* r) {
                   auto it = leases_.find(key);
                   if (it == leases_.end() || r == nullptr) return;
                   if (is_ok(r)) {
                     it->second.confirmed = true;
                     return;
                   }
                   link_->command({"GET", key}, [this, key, lease_ms](const redisReply* g) {
                     auto l = leases_.find(key);
                     if (l == leases_.end() || g == nullptr || g->type != REDIS_REPLY_STRING)
                       return;
                     const std::string holder(g->str, g->len);
                     if (lease_field(holder, "server") == svc_.server_id) {
                       link_->command({"SET", key, l->second.value, "XX", "PX", lease_ms},
                                      [](const redisReply*) {});
                       l->second.confirmed = true;
                     } else if (!l->second.conflict_logged) {
                       l->second.conflict_logged = true;
                       LOG_ERROR(
                           "directory: %s is published here and on origin %s (rtmp %s): "
                           "redis could not tell them apart when this one started",
                           key.c_str(), lease_field(holder, "server").c_str(),
                           lease_field(holder, "rtmp").c_str());
                     }
                   });
                 });
}

void StreamDirectory::on_link_state(bool up) {
  shm::WorkerCounters& c = svc_.control->workers().counters(svc_.slot);
  c.directory_up.store(up ? 1 : 0, std::memory_order_relaxed);
  if (!up) c.directory_failures.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace srs::worker
