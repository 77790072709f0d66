// The configuration as typed structs, parsed once from YAML (conf/loader.cpp)
// and then immutable: one snapshot per worker generation, inherited by fork.
//
// Every default lives here, in the member initializers, and nowhere else.
// etc/srs.yaml is the commented reference copy of these defaults; it is also
// the configuration embedded in the binary (so `srs` with no -c runs it), and
// a unit test checks that loading it gives exactly these defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "conf/cidr.hpp"
#include "conf/hook_url.hpp"
#include "conf/redis_url.hpp"
#include "conf/rtmp_url.hpp"
#include "conf/stream_pattern.hpp"
#include "conf/tls_identity.hpp"

namespace srs::conf {

// Durations are written with a unit in YAML ("350ms", "10s", "5m", "1h").
using Duration = std::chrono::milliseconds;

// A listening address. `host` empty means "every address": the master then
// binds 0.0.0.0 and [::] (IPv6-only) for the port. Written in YAML as a port
// (1935), "host:port" ("127.0.0.1:1935") or "[v6]:port" ("[::1]:1935").
struct Endpoint {
  std::string host;
  uint16_t port = 0;

  std::string to_string() const;  // "1935", "127.0.0.1:1935", "[::1]:1935"
  bool operator==(const Endpoint&) const = default;
};

// The master's ffmpeg children (transcode, ingest) and exec commands.
struct FfmpegConfig {
  std::string program = "ffmpeg";  // a path, or a name looked up in PATH
  // One log file per child, ffmpeg-KIND-NAME.log, reopened with the server's
  // log (SIGUSR1); "/dev/null": none; empty: the master's log.
  std::string log_dir;
  std::string log_level = "warning";  // ffmpeg's -loglevel
  // A transcode or ingest whose output stream gets no media this long is restarted.
  Duration stall_timeout{10000};
  bool operator==(const FfmpegConfig&) const = default;
};

struct LogConfig {
  base::LogLevel level = base::LogLevel::kInfo;
  std::string file;                  // empty: stderr
  Duration summary_interval{10000};  // periodic stream/client summaries
  bool operator==(const LogConfig&) const = default;
};

struct RtmpConfig {
  std::vector<Endpoint> listen{Endpoint{"", 1935}};
  std::vector<Endpoint> listen_tls;  // RTMPS (tls.certificate); none by default
  uint32_t chunk_size = 60000;       // out chunk size, 128..65536
  uint32_t max_connections = 1000;   // per worker
  // Connections (RTMP and HTTP) from one address, whole server; 0: no limit.
  uint32_t max_connections_per_ip = 0;
  // A client that has not completed the handshake and connect by then is
  // closed (a scanner, a slowloris trickling bytes).
  Duration handshake_timeout{10000};
  // When a publisher leaves (or its worker dies), its players wait this long
  // for a republish before they are told the stream ended.
  Duration republish_grace{30000};
  bool operator==(const RtmpConfig&) const = default;
};

struct HttpServerConfig {
  bool enabled = true;
  std::vector<Endpoint> listen{Endpoint{"", 8080}};
  std::vector<Endpoint> listen_tls;  // HTTPS (tls.certificate); none by default
  std::string dir = "./objs/nginx/html";
  bool crossdomain = true;
  // An HTTP-FLV request for a stream not (yet) published waits this long, then gets 404.
  Duration wait_publisher{10000};
  Duration keepalive_timeout{15000};  // an idle keep-alive connection is closed after this
  // A request head (a new connection's first, or one begun on a keep-alive
  // connection) must be complete this long after it was due or began.
  Duration header_timeout{10000};
  bool operator==(const HttpServerConfig&) const = default;
};

// HTTP Basic authentication of the API (and /metrics). The loader rejects
// enabled with an empty username or password.
struct HttpApiAuth {
  bool enabled = false;
  std::string username;
  std::string password;
  bool operator==(const HttpApiAuth&) const = default;
};

// SRS's raw API (/api/v1/raw): rpc=reload sends the master SIGHUP. Off by default.
struct HttpApiRawApi {
  bool enabled = false;
  bool allow_reload = false;
  bool operator==(const HttpApiRawApi&) const = default;
};

struct HttpApiConfig {
  bool enabled = true;
  std::vector<Endpoint> listen{Endpoint{"", 1985}};
  std::vector<Endpoint> listen_tls;  // HTTPS (tls.certificate); none by default
  bool crossdomain = true;
  HttpApiAuth auth;
  std::vector<Cidr> allow;  // clients allowed to use the API; empty: anyone
  HttpApiRawApi raw_api;
  // The web console's files, served under /console/ with the API's access
  // rules; relative to the server's working directory (the source tree's
  // console/ for `make run`; make install points it at PREFIX/share/srs/console).
  std::string console_dir = "./console";
  bool operator==(const HttpApiConfig&) const = default;
};

// The origin cluster (worker/directory/): origins that share a stream
// directory in Redis. Each origin takes a lease on every stream published
// on it (SET NX with a TTL, renewed while it publishes), so a second origin
// refuses the same stream; an edge looks the holder up there instead of
// walking its origin list. Without a directory nothing changes.
struct OriginClusterConfig {
  std::optional<RedisUrl> directory;
  bool redirect = false;  // an origin asked for a stream it does not hold redirects (302)
  Duration lease{5000};   // the lease's TTL, renewed every third of it
  std::string advertise;  // how other servers reach this one (a host); empty: the listeners'
  // The endpoints written in the lease, derived at load: "host:port".
  std::string rtmp_endpoint, http_endpoint;
  bool operator==(const OriginClusterConfig&) const = default;
};

// Sizes of the shared memory, fixed when the master starts (a reload cannot
// change them; the loader reports an attempt as an error).
struct ShmConfig {
  uint32_t max_streams = 64;
  uint64_t ring_bytes = 16ull << 20;  // per live stream, power of two
  uint32_t max_clients = 4096;        // client table entries, whole server
  bool operator==(const ShmConfig&) const = default;
};

// Per-player timestamp correction (SRS's time_jitter).
enum class TimeJitter : uint8_t { kFull, kZero, kOff };
// What happens to a player a quarter of the ring behind the publisher.
enum class SlowPlayer : uint8_t { kSkip, kDisconnect };

// play.merge_window: how much media one write to a player carries. `auto`
// follows the worker's load (worker/stream/write_load.hpp), from each frame
// as it comes up to the vhost's merge_ceiling; a fixed window holds that long.
struct MergeWindow {
  bool automatic = true;
  Duration fixed{0};  // when not automatic; 0: realtime
  bool operator==(const MergeWindow&) const = default;
};

struct PlayConfig {
  bool gop_cache = true;  // start new players at the latest keyframe
  TimeJitter time_jitter = TimeJitter::kFull;
  MergeWindow merge_window;
  Duration merge_ceiling{350};  // the longest an automatic window holds media
  SlowPlayer slow_player = SlowPlayer::kSkip;
  uint32_t max_players = 0;  // per stream, whole server (RTMP and HTTP-FLV); 0: no limit
  // SO_SNDBUF of a player's socket: bounds the kernel memory and the delay a
  // slow player can pile up before the skip/disconnect policy sees it.
  // 0: the kernel's autotuning (up to net.ipv4.tcp_wmem, megabytes).
  uint64_t send_buffer = 512ull << 10;
  bool operator==(const PlayConfig&) const = default;
};

struct PublishConfig {
  bool takeover = false;        // a new publisher of a live name replaces the old one
  uint32_t max_publishers = 0;  // live streams of the vhost, whole server; 0: no limit
  bool operator==(const PublishConfig&) const = default;
};

// HLS output, written by the publisher's worker under the vhost's HTTP root.
struct HlsConfig {
  bool enabled = true;
  Duration fragment{10000};  // segment duration (cut at keyframes)
  Duration window{60000};    // playlist duration
  double td_ratio = 1.5;     // target duration = ceil(fragment * td_ratio)
  std::string m3u8_file = "[app]/[stream].m3u8";
  std::string ts_file = "[app]/[stream]-[seq].ts";
  std::string entry_prefix;  // prefix of segment URIs; empty: relative
  Duration dispose{120000};  // files removed this long after the publisher left; 0: kept
  bool operator==(const HlsConfig&) const = default;
};

// DVR: each publish recorded to FLV or MP4 files by the publisher's worker
// (worker/dvr/dvr_sink.hpp; SRS's dvr, research/srs.md 1.12).
enum class DvrPlan : uint8_t { kSession, kSegment };
struct DvrConfig {
  bool enabled = false;
  // [vhost] [app] [stream] [timestamp] [2006] [01] [02] [15] [04] [05] [999] (worker/dvr_path.hpp);
  // ending in .mp4: MP4 files (worker/dvr/mp4_writer.hpp); else FLV
  std::string path = "./objs/nginx/html/[app]/[stream].[timestamp].flv";
  DvrPlan plan = DvrPlan::kSession;  // session: one file per publish; segment: cut every duration
  Duration duration{30000};          // segment plan: cut at the first keyframe after this
  std::vector<StreamPattern> apply;  // the streams recorded; empty: every stream of the vhost
  bool applies_to(std::string_view app, std::string_view stream) const {
    return apply.empty() || any_matches(apply, app, stream);
  }
  bool operator==(const DvrConfig&) const = default;
};

// Forward (SRS's forward, research/srs.md 1.8): every stream published on
// the vhost is published again to each destination (worker/forward/).
struct ForwardConfig {
  std::vector<RtmpUrl> destinations;
  // POSTed SRS's on_forward JSON at each publish; answers more URLs.
  std::optional<HookUrl> backend;
  bool operator==(const ForwardConfig&) const = default;
};

// Cluster (SRS's cluster, research/srs.md 1.9): an edge vhost pulls each
// stream from an origin on its first player, and relays publishes to one
// (worker/edge/). Origins are tried in order, round robin on failure.
enum class ClusterMode : uint8_t { kOrigin, kEdge };
struct ClusterConfig {
  ClusterMode mode = ClusterMode::kOrigin;
  std::vector<RtmpUrl> origins;  // required for an edge
  Duration idle_timeout{5000};   // the pull stops this long after the last player left
  Duration stall_timeout{3000};  // an origin that sends no media this long is left
  bool operator==(const ClusterConfig&) const = default;
};

// One transcoding recipe (SRS's engine): what `ffmpeg` does to a stream it
// plays from this server before publishing the result (master/ffmpeg_args).
// A vcodec/acodec of "copy" keeps that track as is, "none" drops it; any
// other value is an ffmpeg encoder name, with the settings below (0 or
// empty: the encoder's default).
struct TranscodeEngine {
  std::string name;
  bool enabled = true;
  std::string vcodec = "libx264";
  uint32_t vbitrate = 0;  // kbit/s
  double vfps = 0;
  uint32_t width = 0, height = 0;  // `size: WxH`
  std::string vprofile, vpreset;
  std::vector<std::pair<std::string, std::string>> vparams;  // -KEY VALUE, in order
  std::string acodec = "aac";
  uint32_t abitrate = 0;  // kbit/s
  uint32_t asample_rate = 0;
  uint32_t achannels = 0;
  std::vector<std::pair<std::string, std::string>> aparams;
  std::string filters;  // a video filter graph (-vf)
  // [vhost] [app] [stream] [engine] [host] [port]: the stream's names, this
  // engine's, and the RTMP listener the children use (conf/child_template.hpp).
  std::string output = "rtmp://[host]:[port]/[app]/[stream]_[engine]?vhost=[vhost]";
  bool operator==(const TranscodeEngine&) const = default;
};

// Transcode (SRS's transcode): each live stream of the vhost that `apply`
// matches gets one ffmpeg child per enabled engine, started with the stream
// and stopped when it ends (master/child_room.hpp). A transcoder's output is
// never transcoded again.
struct TranscodeConfig {
  bool enabled = false;
  std::vector<StreamPattern> apply;  // app/stream, app/*, */stream, */*; empty: every stream
  bool applies_to(std::string_view app, std::string_view stream) const {
    return apply.empty() || any_matches(apply, app, stream);
  }
  std::vector<TranscodeEngine> engines;
  bool operator==(const TranscodeConfig&) const = default;
};

// Ingest (SRS's ingest): an ffmpeg child, started with the server, that
// reads `input` (a file, or any URL ffmpeg reads) and publishes it as
// `stream` ("app/stream") of the vhost, through `engine` (a name of
// transcode.engines; empty: both tracks copied).
struct IngestConfig {
  std::string name;
  bool enabled = true;
  std::string input;
  bool loop = false;  // a file starts over at its end
  std::string stream;
  std::string engine;
  bool operator==(const IngestConfig&) const = default;
};

// Exec (nginx-rtmp's exec_publish/exec_publish_done): commands run once when
// a stream of the vhost starts and when it ends. Each is split into words at
// load (quotes group words; no shell runs it), then [vhost] [app] [stream]
// [host] [port] are replaced in each word.
struct ExecConfig {
  std::vector<std::vector<std::string>> on_publish, on_unpublish;
  bool operator==(const ExecConfig&) const = default;
};

// HTTP callbacks (SRS's http_hooks): each list is called in order; for
// connect, publish and play the client waits for the verdict (see
// worker/hooks.hpp). URLs are checked at load (conf/hook_url.hpp).
struct HttpHooksConfig {
  bool enabled = false;
  Duration timeout{5000};   // per call; a timeout rejects connect/publish/play
  bool tls_verify = true;   // https: check the certificate and the host name
  std::string tls_ca_file;  // https: PEM CAs to trust; empty: the system's
  std::vector<HookUrl> on_connect, on_close, on_publish, on_unpublish, on_play, on_stop, on_hls,
      on_dvr;
  bool operator==(const HttpHooksConfig&) const = default;
};

// Signed tokens (worker/access/): a JWT in ?token= (or, over HTTP, an
// Authorization: Bearer header) with the claims stream, act and exp
// (proto/auth/jwt.hpp), signed HS256 with jwt_secret or RS256 with the
// public key. play/publish: true requires one for that action.
struct AuthConfig {
  std::string jwt_secret;
  std::string jwt_public_key;      // a PEM file
  std::string jwt_public_key_pem;  // its contents, read at load
  bool play = false;
  bool publish = false;
  bool operator==(const AuthConfig&) const = default;
};

// Address lists per action (SRS's security): a client in a deny list is
// refused; when an allow list is not empty, only clients in it are let in.
struct SecurityConfig {
  std::vector<Cidr> publish_allow, publish_deny, play_allow, play_deny;
  bool operator==(const SecurityConfig&) const = default;
};

// The page a player or publisher comes from (SRS's refer): RTMP's pageUrl,
// HTTP's Referer. When enabled, its host must be one of the domains (or a
// subdomain of one) of the action's list; an empty list lets anyone in.
struct ReferConfig {
  bool enabled = false;
  std::vector<std::string> play, publish;
  bool operator==(const ReferConfig&) const = default;
};

struct VhostConfig {
  std::string name;
  bool enabled = true;
  std::string http_dir;  // its HTTP files root (by Host); empty: http_server.dir
  TlsIdentity tls;       // served to TLS clients that ask for this name (SNI)
  AuthConfig auth;
  SecurityConfig security;
  ReferConfig refer;
  PlayConfig play;
  PublishConfig publish;
  HlsConfig hls;
  DvrConfig dvr;
  ForwardConfig forward;
  ClusterConfig cluster;
  HttpHooksConfig http_hooks;
  TranscodeConfig transcode;
  std::vector<IngestConfig> ingests;  // `ingest:` a map of names
  ExecConfig exec;
  bool operator==(const VhostConfig&) const = default;
};

inline constexpr const char kDefaultVhost[] = "__defaultVhost__";

struct Config {
  std::string source;        // file path, or "<embedded>"; not compared
  std::string server_id;     // empty: generated at start
  int worker_processes = 0;  // 0 means "auto": one per online core
  bool daemon = false;
  std::string pid_file = "./objs/srs.pid";
  std::string user;           // drop to this user after binding (root only)
  Duration drain_timeout{0};  // 0: old workers drain until their last client leaves
  LogConfig log;
  TlsIdentity tls;  // the certificate of the TLS listeners (listen_tls)
  RtmpConfig rtmp;
  HttpServerConfig http_server;
  HttpApiConfig http_api;
  ShmConfig shm;
  FfmpegConfig ffmpeg;
  OriginClusterConfig origin_cluster;
  std::vector<VhostConfig> vhosts{VhostConfig{kDefaultVhost}};

  // Compares settings, not where they came from.
  bool same_settings(const Config& other) const;
  // Every member, `source` included (same_settings is usually what you want).
  bool operator==(const Config&) const = default;
  // The vhost named `name`, else the default vhost if configured, else null.
  const VhostConfig* find_vhost(std::string_view name) const;
  // worker_processes with "auto" resolved to the number of online cores.
  int resolved_workers() const;
};

// One problem found while loading: where (file:line:column), which key
// (a path such as "vhosts.__defaultVhost__.enabled"), and what was expected.
struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown (unreadable file)
  int column = 0;
  std::string path;
  std::string message;
  // "etc/srs.yaml:12:3: rtmp.chunk_size: expected an integer in 128..65536, got 10"
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;     // set only when `errors` is empty
  std::vector<ConfigError> errors;  // every problem, not just the first
  bool ok() const { return config.has_value(); }
  // Every error's to_string(), one per line.
  std::string error_text() const;
};

LoadResult load_file(const std::string& path);
LoadResult load_text(std::string_view yaml, const std::string& name);
LoadResult load_default();  // the embedded copy of etc/srs.yaml

// Checks that a reload from `running` to `next` is allowed (shm sizes, daemon
// and pid_file cannot change while running). Appends to `errors`.
void check_reload(const Config& running, const Config& next, std::vector<ConfigError>* errors);

extern const char kDefaultConfigYaml[];

}  // namespace srs::conf
