// The YAML loader: text -> typed Config, or every problem found, each with
// file:line:column, the key path and what was expected.
//
// This is the only file that includes yaml-cpp and the only place that
// catches its exceptions. yaml-cpp gives us the tree and the marks; every
// value is checked here (scalar.hpp, endpoint.hpp), not by yaml-cpp's own
// conversions, which accept YAML 1.1's yes/no/on/off and bare numbers.
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
#include "conf/config.hpp"
#include "conf/endpoint.hpp"
#include "conf/hook_url.hpp"
#include "conf/listeners.hpp"
#include "conf/scalar.hpp"

namespace srs::conf {
namespace {

using namespace std::chrono_literals;

// Ranges of the typed get() calls: the expected form and its limits.
struct Int {
  uint64_t min;
  uint64_t max;
};
struct AutoOrInt {
  int min;
  int max;
};
struct Span {
  Duration min;
  Duration max;
};
struct Bytes {
  uint64_t min;
  uint64_t max;
  bool power_of_two = false;
};
struct Real {
  double min;
  double max;
};

constexpr uint64_t kKiB = 1ull << 10;
constexpr uint64_t kGiB = 1ull << 30;

// Where a node is written, 1-based (yaml-cpp's marks are 0-based).
struct Where {
  int line = 0;
  int column = 0;
};

Where where_of(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// Everything found while loading one file.
struct Report {
  std::string file;
  std::vector<ConfigError> errors;
  std::map<std::string, Where> listen_at;  // "rtmp.listen[1]" -> where it is written
  // Keys nobody asked for, reported once every section has been read, so that
  // a key written in the wrong section can point at the right one.
  struct Unknown {
    Where at;
    std::string path;
    std::string key;
    std::string hint;  // a close key of the same section, if any
  };
  std::vector<Unknown> unknown;
  std::vector<std::string> known_paths;  // every key path asked for

  void error(Where at, std::string path, std::string message) {
    errors.push_back({file, at.line, at.column, std::move(path), std::move(message)});
  }
};

const char* kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "an empty value";
    default:
      return "a scalar";
  }
}

// Quoted scalars carry the non-specific tag "!"; plain ones "?".
bool is_quoted(const YAML::Node& node) {
  return node.Tag() == "!";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The known key closest to `key`, when it is close enough to be a typo.
std::string closest(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 3;
  for (const std::string& k : known) {
    size_t d = edit_distance(key, k);
    if (d < best_distance && 2 * d < k.size()) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

// One key: value of a map, as written.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  bool used = false;
  bool duplicate = false;
};

// A map of the configuration and its path ("rtmp", "vhosts.x"). Typed get()
// calls read one key each and remember it as known; when the section closes
// (destructor), every key nobody asked for is reported as unknown, with the
// closest known key as a suggestion. An absent or empty section has no
// entries: every get() then keeps the default.
class Section {
 public:
  // The top level of a document.
  Section(Report* report, const YAML::Node& root) : report_(report) { open(root, Where{1, 1}); }
  // The map under `key` of `parent`. `noun` names its keys in messages
  // ("duplicate vhost 'x'").
  Section(Section* parent, const char* key, const char* noun = "key")
      : report_(parent->report_), noun_(noun) {
    path_ = parent->path_of(key);
    Entry* e = parent->find(key);
    if (e != nullptr) open(e->value, where_of(e->key_node.Mark()));
  }
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;
  ~Section() { report_unknown(); }

  bool is_map() const { return is_map_; }

  void get(const char* key, bool* out) {
    scalar(key, "true or false", false, [&](std::string_view t) { return parse_bool(t, out); });
  }
  void get(const char* key, std::string* out) {
    Entry* e = find(key);
    if (e == nullptr) return;
    if (e->value.IsNull()) {
      out->clear();
      return;
    }
    if (!e->value.IsScalar()) return type_error(*e, "a string");
    *out = e->value.Scalar();
  }
  void get(const char* key, base::LogLevel* out) {
    scalar(key, "a log level", true, [&](std::string_view t) { return parse_level(t, out); });
  }
  template <class T>
  void get(const char* key, T* out, Int range) {
    uint64_t v = 0;
    bool ok = scalar(key, "an integer", false, [&](std::string_view t) {
      return parse_integer(t, range.min, range.max, &v);
    });
    if (ok) *out = static_cast<T>(v);
  }
  void get(const char* key, int* out, AutoOrInt range) {
    scalar(key, "auto or an integer", true,
           [&](std::string_view t) { return parse_auto_integer(t, range.min, range.max, out); });
  }
  void get(const char* key, Duration* out, Span range) {
    scalar(key, "a duration", true,
           [&](std::string_view t) { return parse_duration(t, range.min, range.max, out); });
  }
  void get(const char* key, double* out, Real range) {
    scalar(key, "a number", false,
           [&](std::string_view t) { return parse_real(t, range.min, range.max, out); });
  }
  void get(const char* key, uint64_t* out, Bytes range) {
    scalar(key, "a size", true, [&](std::string_view t) { return parse_bytes(t, range, out); });
  }
  // One of a fixed set of words.
  template <class E, size_t N>
  void get(const char* key, E* out, const std::pair<const char*, E> (&choices)[N]) {
    std::string expected = "one of ";
    for (size_t i = 0; i < N; ++i) expected += std::string(i > 0 ? ", " : "") + choices[i].first;
    scalar(key, expected.c_str(), true, [&](std::string_view t) -> std::string {
      for (const auto& [name, value] : choices) {
        if (t == name) {
          *out = value;
          return {};
        }
      }
      return "expected " + expected + ", got '" + std::string(t) + "'";
    });
  }
  // A listen list: one endpoint, or a list of them. Each is also recorded
  // for the collision check across sections.
  void get(const char* key, std::vector<Endpoint>* out);
  // A list of callback URLs (one URL alone is a list of one).
  void get(const char* key, std::vector<HookUrl>* out);
  // A list of RTMP servers (one alone is a list of one).
  void get(const char* key, std::vector<RtmpUrl>* out);
  // One callback URL, or none.
  void get(const char* key, std::optional<HookUrl>* out);
  // An allow list: addresses or CIDR ranges (an empty list: anyone).
  void get(const char* key, std::vector<Cidr>* out);
  // A rule across keys, checked after reading them: reported at `key`.
  void reject(const char* key, std::string message) {
    for (const Entry& e : entries_) {
      if (e.key == key && !e.duplicate) return problem(e, std::move(message));
    }
    report_->error({}, path_of(key), std::move(message));
  }

  // Every entry as a child section (vhosts: a map of names to maps).
  template <class Fn>
  void each(Fn fn) {
    for (Entry& e : entries_) {
      if (e.duplicate) continue;
      e.used = true;
      Section child(this, e);
      fn(e.key, where_of(e.key_node.Mark()), child);
    }
  }

  Report* report() const { return report_; }
  std::string path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

 private:
  Section(Section* parent, Entry& entry) : report_(parent->report_) {
    path_ = parent->path_of(entry.key);
    open(entry.value, where_of(entry.key_node.Mark()));
  }

  void open(const YAML::Node& node, Where key_at);
  void add_entry(const YAML::Node& key, const YAML::Node& value);
  void report_unknown();
  Entry* find(const char* key);
  template <class Parse>
  bool scalar(const char* key, const char* expected, bool quotes_ok, Parse parse);
  void type_error(const Entry& e, const char* expected);
  template <class Url>
  void get_urls(const char* key, std::vector<Url>* out,
                std::string (*parse)(std::string_view, Url*));
  void problem(const Entry& e, std::string message);
  static std::string parse_bytes(std::string_view text, const Bytes& range, uint64_t* out);

  Report* report_;
  std::string path_;
  const char* noun_ = "key";
  bool is_map_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

void Section::open(const YAML::Node& node, Where key_at) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    Where at = node.Mark().is_null() ? key_at : where_of(node.Mark());
    report_->error(at, path_, std::string("expected a map of settings, got ") + kind_of(node));
    return;
  }
  is_map_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) add_entry(it->first, it->second);
}

// yaml-cpp keeps both entries of a key written twice: the second is an error.
void Section::add_entry(const YAML::Node& key, const YAML::Node& value) {
  if (!key.IsScalar()) {
    report_->error(where_of(key.Mark()), path_,
                   std::string("expected a key name, got ") + kind_of(key));
    return;
  }
  Entry entry{key.Scalar(), key, value};
  for (const Entry& e : entries_) {
    if (e.key != entry.key) continue;
    entry.duplicate = true;
    report_->error(where_of(key.Mark()), path_of(entry.key),
                   "duplicate " + std::string(noun_) + " '" + entry.key + "' (first at line " +
                       std::to_string(where_of(e.key_node.Mark()).line) + ")");
    break;
  }
  entries_.push_back(std::move(entry));
}

void Section::report_unknown() {
  for (const Entry& e : entries_) {
    if (e.used || e.duplicate) continue;
    report_->unknown.push_back(
        {where_of(e.key_node.Mark()), path_of(e.key), e.key, closest(e.key, known_)});
  }
}

// "chunk_size" written at the top level: the key exists as "rtmp.chunk_size".
std::string elsewhere(const Report& report, const std::string& key, const std::string& path) {
  for (const std::string& known : report.known_paths) {
    if (known == path || known.size() <= key.size()) continue;
    if (known.ends_with(key) && known[known.size() - key.size() - 1] == '.') return known;
  }
  return {};
}

void report_unknown_keys(Report* report) {
  for (const Report::Unknown& u : report->unknown) {
    std::string message = "unknown key '" + u.key + "'";
    std::string hint = u.hint.empty() ? elsewhere(*report, u.key, u.path) : u.hint;
    if (!hint.empty()) message += "; did you mean '" + hint + "'?";
    report->error(u.at, u.path, message);
  }
}

Entry* Section::find(const char* key) {
  known_.emplace_back(key);
  report_->known_paths.push_back(path_of(key));
  for (Entry& e : entries_) {
    if (e.key != key || e.duplicate) continue;
    e.used = true;
    return &e;
  }
  return nullptr;
}

// Reads a scalar value through `parse` (which returns the problem, if any).
// Maps, lists, empty values and (unless `quotes_ok`) quoted strings are
// type errors. True when the value was present and parsed.
template <class Parse>
bool Section::scalar(const char* key, const char* expected, bool quotes_ok, Parse parse) {
  Entry* e = find(key);
  if (e == nullptr) return false;
  if (!e->value.IsScalar()) {
    type_error(*e, expected);
    return false;
  }
  if (!quotes_ok && is_quoted(e->value)) {
    problem(*e, std::string("expected ") + expected + ", got the quoted string \"" +
                    e->value.Scalar() + "\" (remove the quotes)");
    return false;
  }
  std::string message = parse(e->value.Scalar());
  if (message.empty()) return true;
  problem(*e, std::move(message));
  return false;
}

void Section::type_error(const Entry& e, const char* expected) {
  problem(e, std::string("expected ") + expected + ", got " + kind_of(e.value));
}

// At the value, or at the key when the value is empty (yaml-cpp marks an
// empty value where the next token starts, often on the next line).
void Section::problem(const Entry& e, std::string message) {
  const YAML::Node& at = e.value.IsNull() ? e.key_node : e.value;
  report_->error(where_of(at.Mark()), path_of(e.key), std::move(message));
}

std::string Section::parse_bytes(std::string_view text, const Bytes& range, uint64_t* out) {
  uint64_t v = 0;
  std::string message = parse_size(text, range.min, range.max, &v);
  if (!message.empty()) return message;
  if (range.power_of_two && (v & (v - 1)) != 0) {
    return "expected a power of two in " + format_size(range.min) + ".." + format_size(range.max) +
           ", got " + std::string(text);
  }
  *out = v;
  return {};
}

void Section::get(const char* key, std::vector<Endpoint>* out) {
  Entry* e = find(key);
  if (e == nullptr) return;
  const YAML::Node& value = e->value;
  if (!value.IsScalar() && !value.IsSequence()) return type_error(*e, "an endpoint or a list");
  if (value.IsSequence() && value.size() == 0) return problem(*e, "expected at least one endpoint");
  std::vector<Endpoint> endpoints;
  std::vector<std::pair<std::string, Where>> written;
  bool ok = true;
  size_t count = value.IsScalar() ? 1 : value.size();
  for (size_t i = 0; i < count; ++i) {
    const YAML::Node item = value.IsScalar() ? value : value[i];
    std::string path = path_of(key) + "[" + std::to_string(i) + "]";
    Where at = where_of(item.Mark());
    Endpoint endpoint;
    std::string message = item.IsScalar()
                              ? parse_endpoint(item.Scalar(), &endpoint)
                              : std::string("expected an endpoint, got ") + kind_of(item);
    if (!message.empty()) {
      report_->error(at, path, std::move(message));
      ok = false;
      continue;
    }
    endpoints.push_back(endpoint);
    written.emplace_back(std::move(path), at);
  }
  if (!ok) return;  // the default stays, and its entries are not these
  *out = std::move(endpoints);
  for (auto& [path, at] : written) report_->listen_at[path] = at;
}

template <class Url>
void Section::get_urls(const char* key, std::vector<Url>* out,
                       std::string (*parse)(std::string_view, Url*)) {
  Entry* e = find(key);
  if (e == nullptr || e->value.IsNull()) return;
  const YAML::Node& value = e->value;
  if (!value.IsScalar() && !value.IsSequence()) return type_error(*e, "a URL or a list of URLs");
  std::vector<Url> urls;
  size_t count = value.IsScalar() ? 1 : value.size();
  for (size_t i = 0; i < count; ++i) {
    const YAML::Node item = value.IsScalar() ? value : value[i];
    Url url;
    std::string message = item.IsScalar() ? parse(item.Scalar(), &url)
                                          : std::string("expected a URL, got ") + kind_of(item);
    if (!message.empty()) {
      std::string at = path_of(key) + "[" + std::to_string(i) + "]";
      report_->error(where_of(item.Mark()), at, message);
      continue;
    }
    urls.push_back(std::move(url));
  }
  *out = std::move(urls);
}

void Section::get(const char* key, std::vector<HookUrl>* out) {
  get_urls(key, out, parse_hook_url);
}

void Section::get(const char* key, std::vector<RtmpUrl>* out) {
  get_urls(key, out, parse_rtmp_url);
}

void Section::get(const char* key, std::optional<HookUrl>* out) {
  Entry* e = find(key);
  if (e == nullptr || e->value.IsNull()) return;
  if (!e->value.IsScalar()) return type_error(*e, "a URL");
  if (e->value.Scalar().empty()) return;  // "": none
  HookUrl url;
  if (std::string message = parse_hook_url(e->value.Scalar(), &url); !message.empty())
    return problem(*e, std::move(message));
  *out = std::move(url);
}

void Section::get(const char* key, std::vector<Cidr>* out) {
  Entry* e = find(key);
  if (e == nullptr || e->value.IsNull()) return;
  if (!e->value.IsSequence()) return type_error(*e, "a list of addresses or CIDR ranges");
  std::vector<Cidr> ranges;
  for (size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    Cidr range;
    std::string message = item.IsScalar()
                              ? parse_cidr(item.Scalar(), &range)
                              : std::string("expected an address, got ") + kind_of(item);
    if (!message.empty()) {
      report_->error(where_of(item.Mark()), path_of(key) + "[" + std::to_string(i) + "]", message);
      continue;
    }
    ranges.push_back(std::move(range));
  }
  *out = std::move(ranges);
}

// ---------------------------------------------------------------------------
// The layout: one function per section, one line per key.

void load_log(Section* top, LogConfig* c) {
  Section s(top, "log");
  s.get("level", &c->level);
  s.get("file", &c->file);
  s.get("summary_interval", &c->summary_interval, Span{1s, 1h});
}

void load_rtmp(Section* top, RtmpConfig* c) {
  Section s(top, "rtmp");
  s.get("listen", &c->listen);
  s.get("chunk_size", &c->chunk_size, Int{128, 65536});
  s.get("max_connections", &c->max_connections, Int{1, 1'000'000});
  s.get("republish_grace", &c->republish_grace, Span{0s, 24h});
}

void load_http_server(Section* top, HttpServerConfig* c) {
  Section s(top, "http_server");
  s.get("enabled", &c->enabled);
  s.get("listen", &c->listen);
  s.get("dir", &c->dir);
  s.get("crossdomain", &c->crossdomain);
  s.get("wait_publisher", &c->wait_publisher, Span{0s, 1h});
  s.get("keepalive_timeout", &c->keepalive_timeout, Span{1s, 1h});
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

void load_http_api(Section* top, HttpApiConfig* c) {
  Section s(top, "http_api");
  s.get("enabled", &c->enabled);
  s.get("listen", &c->listen);
  s.get("crossdomain", &c->crossdomain);
  load_http_api_auth(&s, &c->auth);
  s.get("allow", &c->allow);
  load_http_api_raw(&s, &c->raw_api);
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
  s.get("slow_player", &c->slow_player, kSlowPlayers);
  s.get("send_buffer", &c->send_buffer, Bytes{0, kGiB / 16});
}

void load_publish(Section* vhost, PublishConfig* c) {
  Section s(vhost, "publish");
  s.get("takeover", &c->takeover);
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
  if (c->path.ends_with(".mp4"))
    s.reject("path", "MP4 recording is not supported: use a .flv path");
  s.get("plan", &c->plan, kDvrPlans);
  s.get("duration", &c->duration, Span{1s, 24h});
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

void load_vhost(Section* s, VhostConfig* c) {
  s->get("enabled", &c->enabled);
  s->get("http_dir", &c->http_dir);
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
  load_rtmp(top, &c->rtmp);
  load_http_server(top, &c->http_server);
  load_http_api(top, &c->http_api);
  load_shm(top, &c->shm);
  load_vhosts(top, &c->vhosts);
}

// ---------------------------------------------------------------------------

void add_listeners(const char* section, const std::vector<Endpoint>& endpoints,
                   const Report& report, std::vector<Listener>* out) {
  for (size_t i = 0; i < endpoints.size(); ++i) {
    std::string path = std::string(section) + ".listen[" + std::to_string(i) + "]";
    auto it = report.listen_at.find(path);
    Where at = it == report.listen_at.end() ? Where{} : it->second;  // a default: unwritten
    out->push_back({section, path, at.line, at.column, endpoints[i]});
  }
}

// Every endpoint that will be bound, written or default. A disabled section
// binds nothing, so it collides with nothing.
void check_bound_listeners(const Config& c, Report* report) {
  std::vector<Listener> bound;
  add_listeners("rtmp", c.rtmp.listen, *report, &bound);
  if (c.http_server.enabled) add_listeners("http_server", c.http_server.listen, *report, &bound);
  if (c.http_api.enabled) add_listeners("http_api", c.http_api.listen, *report, &bound);
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
