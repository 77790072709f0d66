// The YAML loader: text -> typed Config, or every problem found, each with
// file:line:column, the key path and what was expected.
//
// With section.cpp, the only files that include yaml-cpp and the only place
// that catches its exceptions. yaml-cpp gives us the tree and the marks;
// every value is checked by Section (section.hpp: scalar.hpp, endpoint.hpp
// ...), not by yaml-cpp's own conversions, which accept YAML 1.1's
// yes/no/on/off and bare numbers. This file is the layout: one function per
// section, one line per key, and the checks across keys.
//
// Adding a key: the member (with its default) in config.hpp, one get() line in
// the section's function below, and its commented line in etc/srs.yaml.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <tuple>
#include <utility>

#include "base/log.hpp"
#include "conf/child_template.hpp"
#include "conf/config.hpp"
#include "conf/endpoint.hpp"
#include "conf/hook_url.hpp"
#include "conf/listeners.hpp"
#include "conf/pem_file.hpp"
#include "conf/scalar.hpp"
#include "conf/section.hpp"

namespace srs::conf {
namespace {

using namespace std::chrono_literals;
using namespace load;

// ---------------------------------------------------------------------------
// The layout: one function per section, one line per key.

// tls: {certificate, key}, at the top (the TLS listeners') or in a vhost (SNI).
void load_tls(Section* parent, TlsIdentity* c) {
  Section s(parent, "tls");
  s.get("certificate", &c->certificate);
  s.get("key", &c->key);
  if (c->empty()) return;
  const char* which = "certificate";
  if (std::string problem = load_tls_identity(c, &which); !problem.empty()) {
    s.reject(which, std::move(problem));
  } else if (std::string warning = tls_validity_warning(*c); !warning.empty()) {
    LOG_WARN("%s: %s", s.path_of("certificate").c_str(), warning.c_str());
  }
}

void load_log(Section* top, LogConfig* c) {
  Section s(top, "log");
  s.get("level", &c->level);
  s.get("file", &c->file);
  s.get("summary_interval", &c->summary_interval, Span{1s, 1h});
}

// TLS listeners need the top-level certificate (a vhost's is only for SNI).
void get_listen_tls(Section* s, const TlsIdentity& tls, std::vector<Endpoint>* out) {
  s->get("listen_tls", out, true);
  if (!out->empty() && tls.empty())
    s->reject("listen_tls", "TLS listeners need a certificate: set tls.certificate and tls.key");
}

void load_rtmp(Section* top, const TlsIdentity& tls, RtmpConfig* c) {
  Section s(top, "rtmp");
  s.get("listen", &c->listen);
  get_listen_tls(&s, tls, &c->listen_tls);
  s.get("chunk_size", &c->chunk_size, Int{128, 65536});
  s.get("max_connections", &c->max_connections, Int{1, 1'000'000});
  s.get("max_connections_per_ip", &c->max_connections_per_ip, Int{0, 1'000'000});
  s.get("handshake_timeout", &c->handshake_timeout, Span{1s, 5min});
  s.get("republish_grace", &c->republish_grace, Span{0s, 24h});
}

void load_http_server(Section* top, const TlsIdentity& tls, HttpServerConfig* c) {
  Section s(top, "http_server");
  s.get("enabled", &c->enabled);
  s.get("listen", &c->listen);
  get_listen_tls(&s, tls, &c->listen_tls);
  s.get("dir", &c->dir);
  s.get("crossdomain", &c->crossdomain);
  s.get("wait_publisher", &c->wait_publisher, Span{0s, 1h});
  s.get("keepalive_timeout", &c->keepalive_timeout, Span{1s, 1h});
  s.get("header_timeout", &c->header_timeout, Span{1s, 10min});
}

void load_http_api_auth(Section* api, HttpApiAuth* c) {
  Section s(api, "auth");
  s.get("enabled", &c->enabled);
  s.get("username", &c->username);
  s.get("password", &c->password);
  if (c->enabled && (c->username.empty() || c->password.empty())) {
    s.reject("enabled", "authentication needs a username and a password");
  }
}

void load_http_api_raw(Section* api, HttpApiRawApi* c) {
  Section s(api, "raw_api");
  s.get("enabled", &c->enabled);
  s.get("allow_reload", &c->allow_reload);
}

void load_http_api(Section* top, const TlsIdentity& tls, HttpApiConfig* c) {
  Section s(top, "http_api");
  s.get("enabled", &c->enabled);
  s.get("listen", &c->listen);
  get_listen_tls(&s, tls, &c->listen_tls);
  s.get("crossdomain", &c->crossdomain);
  load_http_api_auth(&s, &c->auth);
  s.get("allow", &c->allow);
  load_http_api_raw(&s, &c->raw_api);
  s.get("console_dir", &c->console_dir);
}

constexpr std::string_view kFfmpegLevels[] = {"quiet", "panic",   "fatal", "error", "warning",
                                              "info",  "verbose", "debug", "trace"};

void load_ffmpeg(Section* top, FfmpegConfig* c) {
  Section s(top, "ffmpeg");
  s.get("program", &c->program);
  if (c->program.empty()) s.reject("program", "expected the ffmpeg program (a path or a name)");
  s.get("log_dir", &c->log_dir);
  s.get("log_level", &c->log_level);
  if (std::find(std::begin(kFfmpegLevels), std::end(kFfmpegLevels), c->log_level) ==
      std::end(kFfmpegLevels))
    s.reject("log_level",
             "expected one of ffmpeg's log levels (quiet, panic, fatal, error, "
             "warning, info, verbose, debug, trace), got '" +
                 c->log_level + "'");
  s.get("stall_timeout", &c->stall_timeout, Span{1s, 1h});
}

// "host:port" of the first of `listen`, with `advertise` as the host when
// given; empty when the listener is every address and nothing says how
// other servers reach it.
std::string endpoint_for_others(const std::vector<Endpoint>& listen, const std::string& advertise) {
  if (listen.empty()) return {};
  std::string host = advertise.empty() ? listen[0].host : advertise;
  if (host.empty()) return {};
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(listen[0].port);
}

void load_origin_cluster(Section* top, Config* config) {
  Section s(top, "origin_cluster");
  OriginClusterConfig* c = &config->origin_cluster;
  std::string directory;
  s.get("directory", &directory);
  s.get("redirect", &c->redirect);
  s.get("lease", &c->lease, Span{1s, 5min});
  s.get("advertise", &c->advertise);
  if (c->advertise.find_first_of(":/ ") != std::string::npos && c->advertise.front() != '[')
    s.reject("advertise", "expected a host name or address (the ports are the listeners'), got '" +
                              c->advertise + "'");
  if (directory.empty()) return;
  RedisUrl url;
  if (std::string problem = parse_redis_url(directory, &url); !problem.empty())
    return s.reject("directory", problem);
  c->directory = url;
  c->rtmp_endpoint = endpoint_for_others(config->rtmp.listen, c->advertise);
  if (config->http_server.enabled)
    c->http_endpoint = endpoint_for_others(config->http_server.listen, c->advertise);
  if (c->rtmp_endpoint.empty())
    s.reject("directory",
             "the RTMP listener " + config->rtmp.listen[0].to_string() +
                 " is every address: set origin_cluster.advertise to how other servers reach "
                 "this one");
}

void load_shm(Section* top, ShmConfig* c) {
  Section s(top, "shm");
  s.get("max_streams", &c->max_streams, Int{1, 65536});
  s.get("ring_bytes", &c->ring_bytes, Bytes{64 * kKiB, kGiB, true});
  s.get("max_clients", &c->max_clients, Int{1, 1'000'000});
}

constexpr std::pair<const char*, TimeJitter> kTimeJitters[] = {
    {"full", TimeJitter::kFull}, {"zero", TimeJitter::kZero}, {"off", TimeJitter::kOff}};
constexpr std::pair<const char*, SlowPlayer> kSlowPlayers[] = {
    {"skip", SlowPlayer::kSkip}, {"disconnect", SlowPlayer::kDisconnect}};

void load_play(Section* vhost, PlayConfig* c) {
  Section s(vhost, "play");
  s.get("gop_cache", &c->gop_cache);
  s.get("time_jitter", &c->time_jitter, kTimeJitters);
  s.get("merge_window", &c->merge_window, Span{0s, 10s});
  s.get("merge_ceiling", &c->merge_ceiling, Span{1ms, 10s});
  s.get("slow_player", &c->slow_player, kSlowPlayers);
  s.get("max_players", &c->max_players, Int{0, 10'000'000});
  s.get("send_buffer", &c->send_buffer, Bytes{0, kGiB / 16});
}

void load_publish(Section* vhost, PublishConfig* c) {
  Section s(vhost, "publish");
  s.get("takeover", &c->takeover);
  s.get("max_publishers", &c->max_publishers, Int{0, 1'000'000});
}

void load_hls(Section* vhost, HlsConfig* c) {
  Section s(vhost, "hls");
  s.get("enabled", &c->enabled);
  s.get("fragment", &c->fragment, Span{1s, 60s});
  s.get("window", &c->window, Span{1s, 24h});
  s.get("td_ratio", &c->td_ratio, Real{1.0, 10.0});
  s.get("m3u8_file", &c->m3u8_file);
  s.get("ts_file", &c->ts_file);
  s.get("entry_prefix", &c->entry_prefix);
  s.get("dispose", &c->dispose, Span{0s, 7 * 24h});
}

constexpr std::pair<const char*, DvrPlan> kDvrPlans[] = {{"session", DvrPlan::kSession},
                                                         {"segment", DvrPlan::kSegment}};

void load_dvr(Section* vhost, DvrConfig* c) {
  Section s(vhost, "dvr");
  s.get("enabled", &c->enabled);
  s.get("path", &c->path);
  if (c->path.empty()) s.reject("path", "expected a file path template, got an empty string");
  s.get("plan", &c->plan, kDvrPlans);
  s.get("duration", &c->duration, Span{1s, 24h});
  s.get("apply", &c->apply);
}

// Empty when `path` opens and holds something; else why it cannot be used.
std::string unreadable(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  int e = errno;
  bool empty = f != nullptr && std::fgetc(f) == EOF;
  if (f != nullptr && std::ferror(f)) e = errno;  // EISDIR
  bool failed = f == nullptr || std::ferror(f);
  if (f != nullptr) std::fclose(f);
  if (failed)
    return "cannot read '" + path + "' (" + std::to_string(e) + ": " + std::strerror(e) + ")";
  if (empty) return "'" + path + "' is empty";
  return {};
}

// http_hooks.tls_*: checked once here, then copied into each URL, which is
// all the worker's HookClient sees.
void apply_hook_tls(Section* s, HttpHooksConfig* c) {
  if (!c->tls_ca_file.empty()) {
    if (std::string problem = unreadable(c->tls_ca_file); !problem.empty())
      s->reject("tls_ca_file", std::move(problem));
  }
  bool any_https = false;
  for (auto* list : {&c->on_connect, &c->on_close, &c->on_publish, &c->on_unpublish, &c->on_play,
                     &c->on_stop, &c->on_hls, &c->on_dvr}) {
    for (HookUrl& url : *list) {
      url.tls_verify = c->tls_verify;
      url.tls_ca_file = c->tls_ca_file;
      any_https = any_https || url.tls;
    }
  }
  if (any_https && !c->tls_verify)
    LOG_WARN("%s is false: https callbacks accept any certificate (no protection from an impostor)",
             s->path_of("tls_verify").c_str());
}

void load_forward(Section* vhost, ForwardConfig* c) {
  Section s(vhost, "forward");
  s.get("destinations", &c->destinations);
  s.get("backend", &c->backend);
}

constexpr std::pair<const char*, ClusterMode> kClusterModes[] = {{"origin", ClusterMode::kOrigin},
                                                                 {"edge", ClusterMode::kEdge}};

void load_cluster(Section* vhost, ClusterConfig* c) {
  Section s(vhost, "cluster");
  s.get("mode", &c->mode, kClusterModes);
  s.get("origins", &c->origins);
  s.get("idle_timeout", &c->idle_timeout, Span{0s, 1h});
  s.get("stall_timeout", &c->stall_timeout, Span{500ms, 60s});
  if (c->mode == ClusterMode::kEdge && c->origins.empty())
    s.reject("origins", "an edge needs at least one origin (host:port or rtmp:// URL)");
}

bool valid_child_name(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
  });
}

// "640x360" -> 640, 360; false when it is not two positive even integers.
bool parse_size(std::string_view text, uint32_t* width, uint32_t* height) {
  size_t x = text.find('x');
  if (x == std::string_view::npos) return false;
  uint64_t w = 0, h = 0;
  if (!parse_integer(text.substr(0, x), 2, 16384, &w).empty()) return false;
  if (!parse_integer(text.substr(x + 1), 2, 16384, &h).empty()) return false;
  if (w % 2 != 0 || h % 2 != 0) return false;  // libx264 with yuv420p needs even sizes
  *width = uint32_t(w);
  *height = uint32_t(h);
  return true;
}

// A codec: copy, none, or an ffmpeg encoder name.
std::string check_codec(std::string_view text) {
  bool word = !text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
  if (word) return {};
  return "expected copy, none or an ffmpeg encoder name (libx264, aac ...), got '" +
         std::string(text) + "'";
}

// The output template expands to an RTMP URL (checked with sample names).
std::string check_output(std::string_view text) {
  std::string problem = check_template(text, {"vhost", "app", "stream", "engine", "host", "port"});
  if (!problem.empty()) return problem;
  RtmpUrl url;
  TemplateValues sample{"v", "app", "stream", "engine", "127.0.0.1", "1935"};
  problem = parse_rtmp_url(expand(text, sample), &url);
  if (!problem.empty()) return "expected an rtmp:// URL template: " + problem;
  return {};
}

void load_engine(Section* s, const std::string& name, TranscodeEngine* c) {
  c->name = name;
  s->get("enabled", &c->enabled);
  s->get("vcodec", &c->vcodec);
  if (std::string p = check_codec(c->vcodec); !p.empty()) s->reject("vcodec", p);
  s->get("vbitrate", &c->vbitrate, Int{0, 1'000'000});
  s->get("vfps", &c->vfps, Real{0, 240});
  std::string size;
  s->get("size", &size);
  if (!size.empty() && !parse_size(size, &c->width, &c->height))
    s->reject("size", "expected WIDTHxHEIGHT with even numbers (640x360), got '" + size + "'");
  s->get("vprofile", &c->vprofile);
  s->get("vpreset", &c->vpreset);
  s->get("vparams", &c->vparams);
  s->get("acodec", &c->acodec);
  if (std::string p = check_codec(c->acodec); !p.empty()) s->reject("acodec", p);
  s->get("abitrate", &c->abitrate, Int{0, 10'000});
  s->get("asample_rate", &c->asample_rate, Int{0, 192'000});
  s->get("achannels", &c->achannels, Int{0, 8});
  s->get("aparams", &c->aparams);
  s->get("filters", &c->filters);
  s->get("output", &c->output);
  if (std::string p = check_output(c->output); !p.empty()) s->reject("output", p);
  if (c->vcodec == "none" && c->acodec == "none")
    s->reject("acodec", "an engine with vcodec none and acodec none outputs nothing");
}

void load_transcode(Section* vhost, TranscodeConfig* c) {
  Section s(vhost, "transcode");
  s.get("enabled", &c->enabled);
  s.get("apply", &c->apply);
  Section engines(&s, "engines", "engine");
  engines.each([&](const std::string& name, Where at, Section& e) {
    if (!valid_child_name(name)) {
      engines.report()->error(
          at, engines.path_of(name),
          "expected an engine name of letters, digits, '-' and '_', got '" + name + "'");
    }
    TranscodeEngine engine;
    load_engine(&e, name, &engine);
    c->engines.push_back(std::move(engine));
  });
  if (c->enabled && c->engines.empty())
    s.reject("enabled", "transcode is enabled but transcode.engines names no engine");
}

// "app/stream": where an ingest publishes.
std::string check_ingest_stream(std::string_view text) {
  size_t slash = text.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() ||
      text.find_first_of("*?[] \t") != std::string_view::npos) {
    return "expected app/stream (the stream this ingest publishes), got '" + std::string(text) +
           "'";
  }
  return {};
}

void load_ingest(Section* s, const std::string& name, const TranscodeConfig& transcode,
                 IngestConfig* c) {
  c->name = name;
  s->get("enabled", &c->enabled);
  s->get("input", &c->input);
  if (c->input.empty()) s->reject("input", "an ingest needs an input (a file or a URL)");
  s->get("loop", &c->loop);
  s->get("stream", &c->stream);
  if (std::string p = check_ingest_stream(c->stream); !p.empty()) s->reject("stream", p);
  s->get("engine", &c->engine);
  bool known = c->engine.empty() ||
               std::any_of(transcode.engines.begin(), transcode.engines.end(),
                           [&](const TranscodeEngine& e) { return e.name == c->engine; });
  if (!known)
    s->reject("engine", "no engine '" + c->engine + "' in this vhost's transcode.engines");
}

void load_ingests(Section* vhost, const TranscodeConfig& transcode,
                  std::vector<IngestConfig>* out) {
  Section s(vhost, "ingest", "ingest");
  s.each([&](const std::string& name, Where at, Section& i) {
    if (!valid_child_name(name)) {
      s.report()->error(
          at, s.path_of(name),
          "expected an ingest name of letters, digits, '-' and '_', got '" + name + "'");
    }
    IngestConfig ingest;
    load_ingest(&i, name, transcode, &ingest);
    out->push_back(std::move(ingest));
  });
}

// A word of an exec command: the templates exec knows.
std::string check_exec_word(std::string_view word) {
  return check_template(word, {"vhost", "app", "stream", "host", "port"});
}

void load_exec(Section* vhost, ExecConfig* c) {
  Section s(vhost, "exec");
  s.get("on_publish", &c->on_publish, check_exec_word);
  s.get("on_unpublish", &c->on_unpublish, check_exec_word);
}

void load_http_hooks(Section* vhost, HttpHooksConfig* c) {
  Section s(vhost, "http_hooks");
  s.get("enabled", &c->enabled);
  s.get("timeout", &c->timeout, Span{100ms, 60s});
  s.get("on_connect", &c->on_connect);
  s.get("on_close", &c->on_close);
  s.get("on_publish", &c->on_publish);
  s.get("on_unpublish", &c->on_unpublish);
  s.get("on_play", &c->on_play);
  s.get("on_stop", &c->on_stop);
  s.get("on_hls", &c->on_hls);
  s.get("on_dvr", &c->on_dvr);
  s.get("tls_verify", &c->tls_verify);
  s.get("tls_ca_file", &c->tls_ca_file);
  apply_hook_tls(&s, c);
}

void load_auth(Section* vhost, AuthConfig* c) {
  Section s(vhost, "auth");
  s.get("jwt_secret", &c->jwt_secret);
  s.get("jwt_public_key", &c->jwt_public_key);
  s.get("play", &c->play);
  s.get("publish", &c->publish);
  if (!c->jwt_public_key.empty()) {
    std::string problem = read_pem_file(c->jwt_public_key, &c->jwt_public_key_pem);
    if (problem.empty()) problem = check_public_key_pem(c->jwt_public_key_pem, c->jwt_public_key);
    if (!problem.empty()) s.reject("jwt_public_key", std::move(problem));
  }
  bool no_key = c->jwt_secret.empty() && c->jwt_public_key.empty();
  if (no_key && (c->play || c->publish))
    s.reject(c->publish ? "publish" : "play",
             "tokens need a key: jwt_secret (HS256) or jwt_public_key (RS256)");
  if (c->jwt_secret.find("-----BEGIN") != std::string::npos)
    s.reject("jwt_secret",
             "the secret looks like a PEM key; an RSA public key goes in jwt_public_key");
  else if (!c->jwt_secret.empty() && (c->jwt_secret.size() < 32 || c->jwt_secret.size() > 4096))
    s.reject("jwt_secret",
             "expected a secret of 32 to 4096 bytes (HS256 wants 256 bits or more), got " +
                 std::to_string(c->jwt_secret.size()) + " bytes");
}

void load_security(Section* vhost, SecurityConfig* c) {
  Section s(vhost, "security");
  s.get("publish_allow", &c->publish_allow);
  s.get("publish_deny", &c->publish_deny);
  s.get("play_allow", &c->play_allow);
  s.get("play_deny", &c->play_deny);
}

// A domain of refer's lists: letters, digits, '-' and '.', no scheme or path.
std::string check_domain(std::string_view text) {
  bool ok = !text.empty() && text.front() != '.' && text.back() != '.' &&
            std::all_of(text.begin(), text.end(), [](char ch) {
              return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
            });
  if (ok) return {};
  return "expected a domain (example.com; no scheme, port or path), got '" + std::string(text) +
         "'";
}

void load_refer(Section* vhost, ReferConfig* c) {
  Section s(vhost, "refer");
  s.get("enabled", &c->enabled);
  s.get("play", &c->play, check_domain);
  s.get("publish", &c->publish, check_domain);
}

void load_vhost(Section* s, VhostConfig* c) {
  s->get("enabled", &c->enabled);
  s->get("http_dir", &c->http_dir);
  load_tls(s, &c->tls);
  load_auth(s, &c->auth);
  load_security(s, &c->security);
  load_refer(s, &c->refer);
  load_play(s, &c->play);
  load_publish(s, &c->publish);
  load_cluster(s, &c->cluster);
  // HLS is off by default on an edge (HLS belongs to origins, as in SRS);
  // hls.enabled still turns it on.
  c->hls.enabled = c->cluster.mode != ClusterMode::kEdge;
  load_hls(s, &c->hls);
  load_dvr(s, &c->dvr);
  load_forward(s, &c->forward);
  load_http_hooks(s, &c->http_hooks);
  load_transcode(s, &c->transcode);
  load_ingests(s, c->transcode, &c->ingests);
  load_exec(s, &c->exec);
  if (c->forward.backend) {  // a callback URL of the vhost: its TLS settings too
    c->forward.backend->tls_verify = c->http_hooks.tls_verify;
    c->forward.backend->tls_ca_file = c->http_hooks.tls_ca_file;
  }
}

bool valid_vhost_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-' || ch == '_';
  });
}

// A map from vhost name to that vhost's keys. Absent or empty: the default
// (one __defaultVhost__) stays; `vhosts: {}` means no vhost at all.
void load_vhosts(Section* top, std::vector<VhostConfig>* out) {
  Section s(top, "vhosts", "vhost");
  if (!s.is_map()) return;
  out->clear();
  s.each([&](const std::string& name, Where at, Section& v) {
    if (!valid_vhost_name(name)) {
      s.report()->error(
          at, s.path_of(name),
          "expected a vhost name of letters, digits, '.', '-' and '_', got '" + name + "'");
    }
    VhostConfig vhost{name};
    load_vhost(&v, &vhost);
    out->push_back(std::move(vhost));
  });
}

void load_top(Section* top, Config* c) {
  top->get("server_id", &c->server_id);
  top->get("worker_processes", &c->worker_processes, AutoOrInt{1, 64});
  top->get("daemon", &c->daemon);
  top->get("pid_file", &c->pid_file);
  top->get("user", &c->user);
  top->get("drain_timeout", &c->drain_timeout, Span{0s, 7 * 24h});
  load_log(top, &c->log);
  load_tls(top, &c->tls);
  load_rtmp(top, c->tls, &c->rtmp);
  load_http_server(top, c->tls, &c->http_server);
  load_http_api(top, c->tls, &c->http_api);
  load_shm(top, &c->shm);
  load_ffmpeg(top, &c->ffmpeg);
  load_origin_cluster(top, c);
  load_vhosts(top, &c->vhosts);
}

// ---------------------------------------------------------------------------

void add_listeners(const char* section, const std::vector<Endpoint>& endpoints, bool tls,
                   const Report& report, std::vector<Listener>* out) {
  for (size_t i = 0; i < endpoints.size(); ++i) {
    std::string path =
        std::string(section) + (tls ? ".listen_tls[" : ".listen[") + std::to_string(i) + "]";
    auto it = report.listen_at.find(path);
    Where at = it == report.listen_at.end() ? Where{} : it->second;  // a default: unwritten
    out->push_back({section, path, at.line, at.column, endpoints[i], tls});
  }
}

// Every endpoint that will be bound, written or default. A disabled section
// binds nothing, so it collides with nothing.
void check_bound_listeners(const Config& c, Report* report) {
  std::vector<Listener> bound;
  for (bool tls : {false, true}) {
    add_listeners("rtmp", tls ? c.rtmp.listen_tls : c.rtmp.listen, tls, *report, &bound);
    if (c.http_server.enabled)
      add_listeners("http_server", tls ? c.http_server.listen_tls : c.http_server.listen, tls,
                    *report, &bound);
    if (c.http_api.enabled)
      add_listeners("http_api", tls ? c.http_api.listen_tls : c.http_api.listen, tls, *report,
                    &bound);
  }
  check_listeners(bound, report->file, &report->errors);
}

// Counts documents and where each starts, without building nodes.
class DocumentCounter : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Checks that the text is one document. yaml-cpp 0.7 never consumes a stray
// ',' outside a flow collection: it yields empty documents at the same place
// forever (YAML::LoadAll then allocates until the process dies; found by
// fuzzing). So documents are counted first, at most three, and one that
// starts where the previous one did is reported as the syntax error it is.
bool one_document(std::string_view yaml, Report* report) {
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  DocumentCounter counter;
  std::vector<YAML::Mark> starts;
  while (starts.size() < 3 && parser.HandleNextDocument(counter)) {
    const YAML::Mark& at = counter.start;
    if (!starts.empty() && at.pos == starts.back().pos) {
      char c = static_cast<size_t>(at.pos) < yaml.size() ? yaml[static_cast<size_t>(at.pos)] : '?';
      report->error(where_of(at), "", std::string("unexpected '") + c + "'");
      return false;
    }
    starts.push_back(at);
  }
  if (starts.size() <= 1) return true;
  report->error(where_of(starts[1]), "",
                "expected one YAML document, found more (remove the '---' separators)");
  return false;
}

// Parses the text into `root`; false (with the error reported) on a syntax error.
bool parse_yaml(std::string_view yaml, Report* report, YAML::Node* root) {
  try {
    if (!one_document(yaml, report)) return false;
    *root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    report->error(where_of(e.mark), "", e.msg);
    return false;
  } catch (const YAML::Exception& e) {
    report->error(where_of(e.mark), "", e.msg);
    return false;
  }
  return true;
}

LoadResult finish(Report* report, Config config) {
  std::stable_sort(report->errors.begin(), report->errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  LoadResult result;
  result.errors = std::move(report->errors);
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

// A configuration is small; the cap keeps `-c /dev/zero` from eating memory.
constexpr size_t kMaxFileBytes = 16u << 20;

std::string system_error(const char* what, int err) {
  return std::string(what) + " (" + std::to_string(err) + ": " + std::strerror(err) + ")";
}

// The whole file into `text`; else the problem, with the errno text.
std::string read_file(const std::string& path, std::string* text) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return system_error("cannot open the configuration", errno);
  char buf[4096];
  size_t n = 0;
  while (text->size() <= kMaxFileBytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text->append(buf, n);
  }
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err != 0) return system_error("cannot read the configuration", err);
  if (text->size() > kMaxFileBytes) {
    return "the configuration is larger than " + format_size(kMaxFileBytes) +
           "; is it the right file?";
  }
  return {};
}

}  // namespace

LoadResult load_text(std::string_view yaml, const std::string& name) {
  Report report{name};
  Config config;
  config.source = name;
  YAML::Node root;
  if (!parse_yaml(yaml, &report, &root)) return finish(&report, std::move(config));
  try {
    {
      Section top(&report, root);  // an empty document is null: every default
      load_top(&top, &config);
    }
    report_unknown_keys(&report);
    check_bound_listeners(config, &report);
  } catch (const YAML::Exception& e) {
    // Not expected (values are read as text), but never let one escape.
    report.error(where_of(e.mark), "", e.msg);
  }
  return finish(&report, std::move(config));
}

LoadResult load_file(const std::string& path) {
  std::string text;
  std::string problem = read_file(path, &text);
  if (problem.empty()) return load_text(text, path);
  LoadResult result;
  result.errors.push_back({path, 0, 0, "", problem});
  return result;
}

LoadResult load_default() {
  return load_text(kDefaultConfigYaml, "<embedded>");
}

}  // namespace srs::conf
