// The worker's Redis connection (see redis_link.hpp).
#include "worker/directory/redis_link.hpp"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "base/clock.hpp"
#include "base/log.hpp"

namespace srs::worker {
namespace {

constexpr int64_t kTickMs = 100;

}  // namespace

RedisLink::RedisLink(event_base* base, conf::RedisUrl url, std::function<void(bool up)> on_state)
    : base_(base), url_(std::move(url)), on_state_(std::move(on_state)) {
  timer_ = make_event(base, -1, EV_PERSIST, on_timer_cb, this);
  timeval tv{0, kTickMs * 1000};
  event_add(timer_.get(), &tv);
  connect();
}

RedisLink::~RedisLink() {
  if (ctx_ != nullptr) {
    ctx_->data = nullptr;  // its callbacks find no link
    redisAsyncFree(ctx_);  // runs the pending hiredis callbacks with a null reply
  }
  pending_.clear();
}

void RedisLink::connect() {
  next_attempt_ms_ = 0;
  redisAsyncContext* ac = redisAsyncConnect(url_.host.c_str(), url_.port);
  if (ac == nullptr) return went_down("out of memory");
  if (ac->err != 0) {
    std::string why = ac->errstr;
    redisAsyncFree(ac);
    return went_down(why);
  }
  ac->data = this;
  redisLibeventAttach(ac, base_);
  redisAsyncSetConnectCallback(ac, on_connect_cb);
  redisAsyncSetDisconnectCallback(ac, on_disconnect_cb);
  ctx_ = ac;
  if (url_.db != 0) {
    std::string db = std::to_string(url_.db);
    const char* argv[] = {"SELECT", db.c_str()};
    size_t lens[] = {6, db.size()};
    redisAsyncCommandArgv(ac, nullptr, nullptr, 2, argv, lens);
  }
}

void RedisLink::on_connect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisLink*>(ac->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    self->ctx_ = nullptr;  // hiredis frees it after this callback
    return self->went_down(ac->errstr);
  }
  self->up_ = true;
  self->retry_ms_ = kFirstRetryMs;
  if (self->logged_down_) LOG_INFO("redis %s is up", self->url_.text.c_str());
  self->logged_down_ = false;
  if (self->on_state_) self->on_state_(true);
}

void RedisLink::on_disconnect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisLink*>(ac->data);
  if (self == nullptr) return;
  self->ctx_ = nullptr;
  self->went_down(status == REDIS_OK ? "disconnected" : ac->errstr);
}

// The link is gone: every waiting command is answered null (on the next
// tick, never inside a hiredis callback), the next attempt is scheduled.
void RedisLink::went_down(const std::string& why) {
  const bool counted = up_ || !logged_down_;  // a drop, or the first failed attempt
  up_ = false;
  fail_all();
  if (!logged_down_) {
    LOG_WARN("redis %s down: %s; retrying with back-off, publishing and playing go on",
             url_.text.c_str(), why.c_str());
    logged_down_ = true;
  }
  next_attempt_ms_ = base::mono_ms() + retry_ms_;
  retry_ms_ = std::min(retry_ms_ * 2, kMaxRetryMs);
  if (counted && on_state_) on_state_(false);
}

void RedisLink::fail_all() {
  for (auto& [id, p] : pending_) failed_.emplace_back(id, std::move(p.reply));
  pending_.clear();
}

void RedisLink::command(std::vector<std::string> argv, Reply reply) {
  const uint64_t id = next_id_++;
  if (!up_ || ctx_ == nullptr) {
    failed_.emplace_back(id, std::move(reply));
    return;
  }
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  // The id travels as the callback's privdata: a reply after a timeout
  // finds nothing to answer.
  if (redisAsyncCommandArgv(ctx_, on_reply_cb, reinterpret_cast<void*>(uintptr_t(id)),
                            int(args.size()), args.data(), lens.data()) != REDIS_OK) {
    failed_.emplace_back(id, std::move(reply));
    return;
  }
  pending_[id] = Pending{std::move(reply), base::mono_ms() + kReplyTimeoutMs};
}

void RedisLink::on_reply_cb(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<RedisLink*>(ac->data);
  if (self == nullptr) return;
  self->answer(uint64_t(reinterpret_cast<uintptr_t>(privdata)), static_cast<redisReply*>(reply));
}

void RedisLink::answer(uint64_t id, const redisReply* reply) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // answered null already (timeout, link down)
  Reply r = std::move(it->second.reply);
  pending_.erase(it);
  r(reply);
}

void RedisLink::on_timer_cb(evutil_socket_t, short, void* arg) {
  static_cast<RedisLink*>(arg)->tick();
}

void RedisLink::tick() {
  std::vector<std::pair<uint64_t, Reply>> failed = std::move(failed_);
  failed_.clear();
  for (auto& [id, reply] : failed) reply(nullptr);
  const int64_t now = base::mono_ms();
  bool late = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline_ms > now) {
      ++it;
      continue;
    }
    Reply r = std::move(it->second.reply);
    it = pending_.erase(it);
    late = true;
    r(nullptr);
  }
  if (late && ctx_ != nullptr) {
    LOG_WARN("redis %s did not answer within %lld ms: reconnecting", url_.text.c_str(),
             (long long)kReplyTimeoutMs);
    redisAsyncContext* ac = ctx_;
    redisAsyncFree(
        ac);           // at once (a disconnect would wait for the replies); calls on_disconnect_cb
    if (ctx_ == ac) {  // it was not connected yet: no callback
      ctx_ = nullptr;
      went_down("no answer");
    }
  }
  if (ctx_ == nullptr && next_attempt_ms_ != 0 && now >= next_attempt_ms_) connect();
}

}  // namespace srs::worker
