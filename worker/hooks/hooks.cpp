// The HTTP callbacks of a vhost: events, payloads, the verdict across URLs
// (see hooks.hpp).
#include "worker/hooks/hooks.hpp"

#include "base/json_writer.hpp"
#include "proto/http/hook_reply.hpp"
#include "shm/registry.hpp"

namespace srs::worker {
namespace {

namespace http = proto::http;

bool blocking(HookEvent e) {
  return e == HookEvent::kConnect || e == HookEvent::kPublish || e == HookEvent::kPlay;
}

// SRS's srs_generate_stream_url: "/app/stream", prefixed by the vhost unless default.
std::string stream_url(const HookInfo& info) {
  std::string url = info.vhost == conf::kDefaultVhost ? std::string() : info.vhost;
  return url + "/" + info.app + "/" + info.stream;
}

void stream_fields(base::JsonWriter& w, HookEvent event, const HookInfo& info) {
  w.key("vhost").value(info.vhost);
  w.key("app").value(info.app);
  if (event == HookEvent::kConnect || event == HookEvent::kClose) {
    w.key("tcUrl").value(info.tc_url);
  } else {
    w.key("stream").value(info.stream);
  }
  w.key("param").value(info.param);
  if (event == HookEvent::kConnect || event == HookEvent::kPlay)
    w.key("pageUrl").value(info.page_url);
  if (event != HookEvent::kConnect && event != HookEvent::kClose) {
    w.key("tcUrl").value(info.tc_url);
    w.key("stream_url").value(stream_url(info));
    w.key("stream_id").value(info.stream_id);
  }
}

void hls_fields(base::JsonWriter& w, const HookInfo& info) {
  w.key("duration").value(info.duration_s);
  w.key("cwd").value(info.cwd);
  w.key("file").value(info.file);
  w.key("url").value(info.url);
  w.key("m3u8").value(info.m3u8);
  w.key("m3u8_url").value(info.m3u8_url);
  w.key("seq_no").value(info.seq_no);
}

}  // namespace

std::string api_stream_id(const shm::Control& control, const std::string& key) {
  base::Result<shm::StreamInfo> info = control.registry().find(key);
  if (!info.is_ok() || info->state != shm::StreamState::kLive) return {};
  return "s" + std::to_string(info->slot) + "-" + std::to_string(info->generation);
}

const char* hook_action(HookEvent event) noexcept {
  switch (event) {
    case HookEvent::kConnect:
      return "on_connect";
    case HookEvent::kClose:
      return "on_close";
    case HookEvent::kPublish:
      return "on_publish";
    case HookEvent::kUnpublish:
      return "on_unpublish";
    case HookEvent::kPlay:
      return "on_play";
    case HookEvent::kStop:
      return "on_stop";
    case HookEvent::kHls:
      return "on_hls";
    case HookEvent::kDvr:
      return "on_dvr";
    case HookEvent::kForward:
      return "on_forward";
  }
  return "on_unknown";
}

const std::vector<conf::HookUrl>& hook_urls(const conf::HttpHooksConfig& c,
                                            HookEvent event) noexcept {
  switch (event) {
    case HookEvent::kConnect:
      return c.on_connect;
    case HookEvent::kClose:
      return c.on_close;
    case HookEvent::kPublish:
      return c.on_publish;
    case HookEvent::kUnpublish:
      return c.on_unpublish;
    case HookEvent::kPlay:
      return c.on_play;
    case HookEvent::kStop:
      return c.on_stop;
    case HookEvent::kHls:
      return c.on_hls;
    case HookEvent::kDvr:
      return c.on_dvr;
    case HookEvent::kForward:
      break;  // forward.backend, not a list of http_hooks
  }
  static const std::vector<conf::HookUrl> kNone;
  return kNone;
}

std::string hook_payload(HookEvent event, const HookInfo& info, std::string_view server_id,
                         std::string_view service_id) {
  base::JsonWriter w;
  w.begin_object();
  w.key("server_id").value(server_id);
  w.key("service_id").value(service_id);
  w.key("action").value(hook_action(event));
  w.key("client_id").value(info.client_id);
  w.key("ip").value(info.ip);
  stream_fields(w, event, info);
  if (event == HookEvent::kClose) {
    w.key("send_bytes").value(info.send_bytes);
    w.key("recv_bytes").value(info.recv_bytes);
  }
  if (event == HookEvent::kHls) hls_fields(w, info);
  if (event == HookEvent::kDvr) {  // SRS's SrsHttpHooks::on_dvr
    w.key("cwd").value(info.cwd);
    w.key("file").value(info.file);
  }
  w.end_object();
  return w.take();
}

// --- the calls ----------------------------------------------------------------

// One event's walk through its URLs.
struct Hooks::Chain {
  uint64_t ticket = 0;
  HookEvent event = HookEvent::kConnect;
  const std::vector<conf::HookUrl>* urls = nullptr;  // in the generation's configuration
  size_t index = 0;
  conf::Duration timeout{0};
  std::string body;
  base::ContextId cid;
  uint64_t call = 0;  // the HookClient call in flight
  Verdict verdict;    // empty for notify()
};

Hooks::Hooks(HookClient& client, std::string server_id, std::string service_id)
    : client_(client), server_id_(std::move(server_id)), service_id_(std::move(service_id)) {}

Hooks::~Hooks() {
  for (auto& [ticket, chain] : chains_) client_.cancel(chain->call);
}

uint64_t Hooks::check(const conf::VhostConfig& vhost, HookEvent event, const HookInfo& info,
                      Verdict verdict, std::string* why) {
  if (hook_urls(vhost.http_hooks, event).empty()) {
    if (why) *why = std::string(hook_action(event)) + " has no URL";
    return 0;
  }
  auto chain = std::make_unique<Chain>();
  chain->ticket = next_ticket_++;
  chain->event = event;
  chain->urls = &hook_urls(vhost.http_hooks, event);
  chain->timeout = vhost.http_hooks.timeout;
  chain->body = hook_payload(event, info, server_id_, service_id_);
  chain->cid = base::current_context();
  chain->verdict = std::move(verdict);
  if (!next(*chain)) {
    if (why)
      *why = std::string(hook_action(event)) +
             " could not be called (too many pending callbacks, see the log)";
    return 0;
  }
  uint64_t ticket = chain->ticket;
  chains_.emplace(ticket, std::move(chain));
  return ticket;
}

uint64_t Hooks::query(const conf::HookUrl& url, conf::Duration timeout, HookEvent event,
                      const HookInfo& info, HookClient::Done done) {
  return client_.post(url, hook_payload(event, info, server_id_, service_id_), timeout,
                      std::move(done));
}

void Hooks::notify(const conf::VhostConfig& vhost, HookEvent event, const HookInfo& info) {
  if (!wanted(vhost, event)) return;
  (void)check(vhost, event, info, nullptr, nullptr);
}

void Hooks::cancel(uint64_t ticket) {
  auto it = chains_.find(ticket);
  if (it == chains_.end()) return;
  base::LogContext ctx(it->second->cid);
  LOG_INFO("callback %s cancelled: the connection closed", hook_action(it->second->event));
  client_.cancel(it->second->call);
  chains_.erase(it);
}

// Posts to the chain's current URL; false when the client refused it.
bool Hooks::next(Chain& chain) {
  const conf::HookUrl& url = (*chain.urls)[chain.index];
  uint64_t ticket = chain.ticket;
  chain.call = client_.post(url, chain.body, chain.timeout,
                            [this, ticket](const HookResult& r) { on_result(ticket, r); });
  return chain.call != 0;
}

void Hooks::on_result(uint64_t ticket, const HookResult& r) {
  auto it = chains_.find(ticket);
  if (it == chains_.end()) return;
  Chain& chain = *it->second;
  base::LogContext ctx(chain.cid);
  const char* action = hook_action(chain.event);
  const std::string& url = (*chain.urls)[chain.index].text;
  http::HookReply verdict =
      r.error.empty() ? http::parse_hook_reply(r.status, r.body) : http::HookReply::kBadStatus;
  bool ok = verdict == http::HookReply::kAccept;
  std::string what =
      r.error.empty() ? "HTTP " + std::to_string(r.status) + ", " + http::hook_reply_text(verdict)
                      : r.error;
  if (ok) {
    LOG_INFO("callback %s %s: %s in %lld ms", action, url.c_str(), what.c_str(),
             (long long)r.elapsed_ms);
  } else {
    std::string body = r.body.substr(0, 128);
    LOG_WARN("callback %s %s: %s in %lld ms%s%s", action, url.c_str(), what.c_str(),
             (long long)r.elapsed_ms, body.empty() ? "" : "; body: ", body.c_str());
  }
  bool waits = blocking(chain.event) && chain.verdict;
  if (!ok && waits) return finish(ticket, false, std::string(action) + " " + url + ": " + what);
  if (++chain.index >= chain.urls->size()) return finish(ticket, true, {});
  if (!next(chain)) finish(ticket, !waits, std::string(action) + ": too many pending callbacks");
}

void Hooks::finish(uint64_t ticket, bool ok, const std::string& why) {
  auto it = chains_.find(ticket);
  if (it == chains_.end()) return;
  Verdict verdict = std::move(it->second->verdict);
  chains_.erase(it);
  if (verdict) verdict(ok, why);
}

}  // namespace srs::worker
