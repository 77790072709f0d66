// RedisLink: one worker's connection to the origin cluster's Redis, on the
// worker's libevent loop (hiredis's libevent adapter: never a blocking
// call). Commands go out as argument vectors; each reply callback runs
// exactly once: with the reply, or with null when the link is down, drops,
// or Redis does not answer within kReplyTimeoutMs.
//
// A link that fails is logged once ("redis ... down: why; retrying"), then
// retried with back-off (1 s doubling to 30 s) without a line per attempt,
// and logged again when it is back. on_state hears each change.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conf/redis_url.hpp"
#include "worker/core/ev.hpp"

struct redisAsyncContext;
struct redisReply;

namespace srs::worker {

class RedisLink {
 public:
  static constexpr int64_t kReplyTimeoutMs = 2000;
  static constexpr int64_t kFirstRetryMs = 1000;
  static constexpr int64_t kMaxRetryMs = 30000;

  using Reply = std::function<void(const redisReply* reply)>;  // null: no answer

  RedisLink(event_base* base, conf::RedisUrl url, std::function<void(bool up)> on_state);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  bool up() const noexcept { return up_; }
  const conf::RedisUrl& url() const noexcept { return url_; }
  // Sends `argv`; `reply` runs once, later (never inside this call).
  void command(std::vector<std::string> argv, Reply reply);

 private:
  struct Pending {
    Reply reply;
    int64_t deadline_ms;
  };
  void connect();
  void went_down(const std::string& why);
  void fail_all();
  void answer(uint64_t id, const redisReply* reply);
  static void on_connect_cb(const redisAsyncContext* ac, int status);
  static void on_disconnect_cb(const redisAsyncContext* ac, int status);
  static void on_reply_cb(redisAsyncContext* ac, void* reply, void* privdata);
  static void on_timer_cb(evutil_socket_t, short, void* arg);
  void tick();

  event_base* base_;
  conf::RedisUrl url_;
  std::function<void(bool)> on_state_;
  redisAsyncContext* ctx_ = nullptr;  // hiredis owns and frees it after a disconnect
  bool up_ = false;
  bool logged_down_ = false;
  int64_t retry_ms_ = kFirstRetryMs;
  int64_t next_attempt_ms_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Pending> pending_;
  std::vector<std::pair<uint64_t, Reply>> failed_;  // answered null on the next tick
  EventPtr timer_;
};

}  // namespace srs::worker
