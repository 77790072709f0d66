// The children the configuration and the live streams call for (see child_room.hpp).
#include "master/child_room.hpp"

#include <algorithm>
#include <ctime>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "conf/child_template.hpp"
#include "master/ffmpeg_args.hpp"

namespace srs::master {
namespace {

static_assert(static_cast<uint32_t>(shm::ChildPhase::kStopping) ==
              static_cast<uint32_t>(ChildState::kStopping));

struct StreamName {
  std::string vhost, app, stream;
};

// "vhost/app/stream" (the app may hold '/').
bool split_key(const std::string& key, StreamName* out) {
  size_t first = key.find('/'), last = key.rfind('/');
  if (first == std::string::npos || first == last) return false;
  *out = {key.substr(0, first), key.substr(first + 1, last - first - 1), key.substr(last + 1)};
  return true;
}

// How a child reaches this server's RTMP: its first listener, loopback for a wildcard.
struct Loopback {
  std::string host, port;
};
Loopback loopback(const conf::Config& c) {
  const conf::Endpoint& e = c.rtmp.listen.front();
  std::string host = e.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return {host, std::to_string(e.port)};
}

std::string stream_url(const Loopback& at, const StreamName& n) {
  std::string url = "rtmp://" + at.host + ":" + at.port + "/" + n.app + "/" + n.stream;
  if (n.vhost != conf::kDefaultVhost) url += "?vhost=" + n.vhost;
  return url;
}

std::string query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
      return std::string(pair.substr(key.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

bool is_loopback_host(const conf::Config& c, const std::string& host) {
  if (host == "localhost" || host.starts_with("127.") || host == "::1") return true;
  return std::any_of(c.rtmp.listen.begin(), c.rtmp.listen.end(),
                     [&](const conf::Endpoint& e) { return !e.host.empty() && e.host == host; });
}

// The registry key `url` publishes to on this server, or "" when it goes elsewhere.
std::string local_key(const conf::Config& c, const std::string& url) {
  conf::RtmpUrl u;
  if (!conf::parse_rtmp_url(url, &u).empty() || u.app.empty() || u.stream.empty()) return {};
  bool our_port = std::any_of(c.rtmp.listen.begin(), c.rtmp.listen.end(),
                              [&](const conf::Endpoint& e) { return e.port == u.port; });
  if (!our_port || !is_loopback_host(c, u.host)) return {};
  std::string vhost = query_value(u.query, "vhost");
  const conf::VhostConfig* v = c.find_vhost(vhost.empty() ? u.host : vhost);
  return v == nullptr ? std::string() : v->name + "/" + u.app + "/" + u.stream;
}

// A name safe in a file name: other bytes become '_'.
std::string file_safe(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.' || ch == '_';
    if (!ok) ch = '_';
  }
  return out;
}

std::string log_path(const conf::FfmpegConfig& f, const std::string& file_name) {
  if (f.log_dir.empty() || f.log_dir == "/dev/null") return f.log_dir;
  return f.log_dir + "/" + file_name + ".log";
}

const conf::VhostConfig* vhost_named(const conf::Config& c, const std::string& name) {
  for (const conf::VhostConfig& v : c.vhosts) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

const conf::TranscodeEngine* engine_named(const conf::VhostConfig& v, const std::string& name) {
  for (const conf::TranscodeEngine& e : v.transcode.engines) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

ChildSpec ffmpeg_spec(const conf::Config& c, std::string name, std::string file_name,
                      std::vector<std::string> argv, ChildTags tags, const Credentials& creds) {
  ChildSpec spec;
  spec.name = std::move(name);
  spec.argv = std::move(argv);
  spec.log_path = log_path(c.ffmpeg, "ffmpeg-" + file_safe(file_name));
  spec.policy = RestartPolicy::ffmpeg();
  spec.creds = creds;
  spec.tags = std::move(tags);
  return spec;
}

void add_ingests(const conf::Config& c, const Credentials& creds,
                 std::map<std::string, WantedChild>* out) {
  Loopback at = loopback(c);
  for (const conf::VhostConfig& v : c.vhosts) {
    if (!v.enabled) continue;
    for (const conf::IngestConfig& ingest : v.ingests) {
      StreamName n;
      if (!ingest.enabled || !split_key(v.name + "/" + ingest.stream, &n)) continue;
      const conf::TranscodeEngine* engine =
          ingest.engine.empty() ? nullptr : engine_named(v, ingest.engine);
      std::string key = v.name + "/" + ingest.stream;
      WantedChild w;
      w.output_key = key;
      w.spec = ffmpeg_spec(c, "ingest " + v.name + "/" + ingest.name,
                           "ingest-" + v.name + "-" + ingest.name,
                           ingest_args(c.ffmpeg, ingest, engine, stream_url(at, n)),
                           {shm::ChildKind::kIngest, ingest.name, ingest.input, key}, creds);
      (*out)["ingest " + v.name + "/" + ingest.name] = std::move(w);
    }
  }
}

// Every transcode the live streams call for, outputs of transcodes included.
std::map<std::string, WantedChild> transcode_candidates(const conf::Config& c,
                                                        const std::vector<LiveStream>& streams,
                                                        const Credentials& creds) {
  std::map<std::string, WantedChild> out;
  Loopback at = loopback(c);
  for (const LiveStream& s : streams) {
    StreamName n;
    if (!split_key(s.key, &n)) continue;
    const conf::VhostConfig* v = vhost_named(c, n.vhost);
    if (v == nullptr || !v->enabled || !v->transcode.enabled) continue;
    if (!v->transcode.applies_to(n.app, n.stream)) continue;
    for (const conf::TranscodeEngine& e : v->transcode.engines) {
      if (!e.enabled) continue;
      conf::TemplateValues values{n.vhost, n.app, n.stream, e.name, at.host, at.port};
      std::string output = conf::expand(e.output, values);
      WantedChild w;
      w.input_key = s.key;
      w.output_key = local_key(c, output);
      w.spec =
          ffmpeg_spec(c, "transcode " + s.key + " " + e.name, "transcode-" + s.key + "-" + e.name,
                      transcode_args(c.ffmpeg, e, stream_url(at, n), output),
                      {shm::ChildKind::kTranscode, e.name, s.key, w.output_key}, creds);
      out["transcode " + s.key + " " + e.name] = std::move(w);
    }
  }
  return out;
}

}  // namespace

std::map<std::string, WantedChild> wanted_children(const conf::Config& config,
                                                   const std::vector<LiveStream>& streams,
                                                   const std::set<std::string>& running_outputs,
                                                   const Credentials& creds) {
  std::map<std::string, WantedChild> out;
  add_ingests(config, creds, &out);
  std::map<std::string, WantedChild> transcodes = transcode_candidates(config, streams, creds);
  std::set<std::string> outputs = running_outputs;
  for (const auto& [key, w] : transcodes) {
    if (!w.output_key.empty()) outputs.insert(w.output_key);
  }
  for (auto& [key, w] : transcodes) {
    if (outputs.count(w.input_key) == 0) out[key] = std::move(w);  // never a transcode's output
  }
  return out;
}

std::vector<ChildSpec> exec_children(const conf::Config& config, const std::string& event,
                                     const std::string& key, const Credentials& creds) {
  std::vector<ChildSpec> out;
  StreamName n;
  if (!split_key(key, &n)) return out;
  const conf::VhostConfig* v = vhost_named(config, n.vhost);
  if (v == nullptr) return out;
  const auto& commands = event == "on_publish" ? v->exec.on_publish : v->exec.on_unpublish;
  Loopback at = loopback(config);
  conf::TemplateValues values{n.vhost, n.app, n.stream, "", at.host, at.port};
  for (const std::vector<std::string>& words : commands) {
    ChildSpec spec;
    spec.name = "exec " + event + " " + key;
    for (const std::string& w : words) spec.argv.push_back(conf::expand(w, values));
    spec.log_path = log_path(config.ffmpeg, "exec");
    spec.creds = creds;
    spec.once = true;
    spec.tags = {shm::ChildKind::kExec, event, key, ""};
    out.push_back(std::move(spec));
  }
  return out;
}

void ChildRoom::configure(std::shared_ptr<const conf::Config> config, const Credentials& creds,
                          int64_t now_ms) {
  if (stopping_) return;
  config_ = std::move(config);
  creds_ = creds;
  next_tick_ms_ = now_ms;
  tick(now_ms);
}

void ChildRoom::tick(int64_t now_ms) {
  if (!config_ || stopping_ || now_ms < next_tick_ms_) return;
  next_tick_ms_ = now_ms + kTickMs;
  std::vector<LiveStream> streams = read_streams();
  run_exec(streams, now_ms);
  reconcile(streams, now_ms);
  check_stalls(streams, now_ms);
  publish(now_ms);
}

std::vector<LiveStream> ChildRoom::read_streams() const {
  std::vector<LiveStream> out;
  const shm::Registry& r = control_->registry();
  for (uint32_t slot = 0; slot < r.capacity(); ++slot) {
    shm::StreamInfo info;
    if (!r.read(slot, &info)) continue;
    if (info.state != shm::StreamState::kLive && info.state != shm::StreamState::kLost) continue;
    out.push_back(
        {info.key, info.generation, info.state == shm::StreamState::kLive, info.messages});
  }
  return out;
}

void ChildRoom::remember_outputs(const std::vector<LiveStream>& streams) {
  std::set<std::string> live;
  for (const LiveStream& s : streams) live.insert(s.key);
  std::set<std::string> held;
  for (const auto& [key, h] : held_) {
    if (h.wanted.spec.tags.kind == shm::ChildKind::kTranscode && !h.wanted.output_key.empty())
      held.insert(h.wanted.output_key);
  }
  std::erase_if(transcoder_outputs_,
                [&](const std::string& k) { return live.count(k) == 0 && held.count(k) == 0; });
  transcoder_outputs_.insert(held.begin(), held.end());
}

void ChildRoom::reconcile(const std::vector<LiveStream>& streams, int64_t now_ms) {
  remember_outputs(streams);
  std::map<std::string, WantedChild> wanted =
      wanted_children(*config_, streams, transcoder_outputs_, creds_);
  for (auto it = held_.begin(); it != held_.end();) {
    auto w = wanted.find(it->first);
    if (w != wanted.end() && w->second.spec.same_run(it->second.wanted.spec)) {
      ++it;
      continue;
    }
    LOG_INFO(
        "%s: %s", it->first.c_str(),
        w == wanted.end() ? "no longer wanted, stopping it" : "its command changed, replacing it");
    supervisor_->stop(it->second.id, now_ms);
    it = held_.erase(it);
  }
  // A replaced child's output is taken until its old run exits: the new one
  // starts at a later tick instead of being refused as a second publisher.
  std::set<std::string> stopping_outputs;
  for (const ChildInfo& c : supervisor_->list()) {
    if (c.state == ChildState::kStopping && !c.tags.output.empty())
      stopping_outputs.insert(c.tags.output);
  }
  for (auto& [key, w] : wanted) {
    if (held_.count(key) != 0 || stopping_outputs.count(w.output_key) != 0) continue;
    base::Result<ChildId> id = supervisor_->start(w.spec, now_ms);
    if (!id.is_ok()) continue;  // the master is stopping
    Held& h = held_[key];
    h.id = *id;
    h.wanted = std::move(w);
    h.output_moved_ms = now_ms;
  }
}

void ChildRoom::run_exec(const std::vector<LiveStream>& streams, int64_t now_ms) {
  std::set<std::pair<std::string, uint32_t>> live;
  for (const LiveStream& s : streams) {
    if (s.live) live.insert({s.key, s.generation});
  }
  auto run = [&](const char* event, const std::string& key) {
    for (ChildSpec& spec : exec_children(*config_, event, key, creds_))
      (void)supervisor_->start(std::move(spec), now_ms);  // a failure is logged
  };
  for (const auto& p : live) {
    if (published_.count(p) == 0) run("on_publish", p.first);
  }
  for (const auto& p : published_) {
    if (live.count(p) == 0) run("on_unpublish", p.first);
  }
  published_ = std::move(live);
}

void ChildRoom::check_stalls(const std::vector<LiveStream>& streams, int64_t now_ms) {
  std::map<std::string, const LiveStream*> by_key;
  for (const LiveStream& s : streams) by_key[s.key] = &s;
  std::map<ChildId, ChildInfo> running;
  for (ChildInfo& c : supervisor_->list()) running[c.id] = std::move(c);
  int64_t timeout = config_->ffmpeg.stall_timeout.count();
  for (auto& [key, h] : held_) {
    auto c = running.find(h.id);
    if (h.wanted.output_key.empty() || c == running.end() ||
        c->second.state != ChildState::kRunning || c->second.pid != h.pid) {
      if (c != running.end()) h.pid = c->second.pid;
      h.output_moved_ms = now_ms;  // a new run, or none: nothing to blame yet
      continue;
    }
    auto out = by_key.find(h.wanted.output_key);
    uint64_t out_messages = out == by_key.end() ? 0 : out->second->messages;
    if (out_messages != h.output_messages) h.output_moved_ms = now_ms;
    h.output_messages = out_messages;
    if (!h.wanted.input_key.empty()) {  // a transcode is not to blame for a quiet input
      auto in = by_key.find(h.wanted.input_key);
      uint64_t in_messages = in == by_key.end() || !in->second->live ? 0 : in->second->messages;
      if (in_messages == h.input_messages) h.output_moved_ms = now_ms;
      h.input_messages = in_messages;
    }
    if (now_ms - h.output_moved_ms < timeout) continue;
    ++stalls_;
    supervisor_->restart(h.id,
                         "its output " + h.wanted.output_key + " got no media for " +
                             std::to_string(timeout) + " ms",
                         now_ms);
    h.output_moved_ms = now_ms;
  }
}

void ChildRoom::publish(int64_t now_ms) {
  if (supervisor_->changes() == written_changes_ && now_ms - written_ms_ < 1000) return;
  written_changes_ = supervisor_->changes();
  written_ms_ = now_ms;
  write_table();
}

void ChildRoom::write_table() {
  shm::ChildTable& table = control_->children();
  int64_t now_mono = base::mono_ms();
  int64_t now_wall = int64_t(std::time(nullptr));
  uint32_t i = 0;
  for (const ChildInfo& c : supervisor_->list()) {
    if (i >= shm::kMaxChildren) break;
    shm::ChildRecord r;
    r.id = c.id;
    r.kind = c.tags.kind;
    r.state = static_cast<shm::ChildPhase>(c.state);
    r.pid = uint32_t(c.pid);
    r.restarts = c.restarts;
    r.started_at = uint32_t(now_wall - (now_mono - c.first_started_ms) / 1000);
    r.name = c.tags.name;
    r.source = c.tags.source;
    r.output = c.tags.output;
    r.last_exit = c.last_exit;
    table.write(i++, r);
  }
  table.clear_from(i);
  const SupervisorTotals& t = supervisor_->totals();
  table.set_totals({t.starts, t.restarts, stalls_, t.crash_loops});
}

void ChildRoom::stop(int64_t now_ms) {
  stopping_ = true;
  supervisor_->stop_all(now_ms);
  held_.clear();
  publish(now_ms);
}

}  // namespace srs::master
