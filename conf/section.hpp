// Section: one map of the YAML configuration as the loader reads it
// (loader.cpp): typed get() calls that check each value (scalar.hpp,
// endpoint.hpp, hook_url.hpp, rtmp_url.hpp), remember the keys asked for,
// and report every problem with file:line:column and the key's path; the
// keys nobody asked for are reported once every section was read, with the
// closest known key as a hint.
//
// Internal to conf/: only loader.cpp and section.cpp include it, the only
// files that include yaml-cpp and catch its exceptions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conf/config.hpp"
#include "conf/scalar.hpp"

namespace srs::conf::load {

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

inline Where where_of(const YAML::Mark& mark) {
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

inline const char* kind_of(const YAML::Node& node) {
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
inline bool is_quoted(const YAML::Node& node) {
  return node.Tag() == "!";
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
  void get(const char* key, MergeWindow* out, Span range) {
    scalar(key, "auto or a duration", true,
           [&](std::string_view t) { return parse_merge_window(t, range.min, range.max, out); });
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
  // `may_be_empty`: `[]` means none (listen_tls), else it is an error.
  void get(const char* key, std::vector<Endpoint>* out, bool may_be_empty = false);
  // A list of words, each checked by `check` (empty: fine; else the problem).
  void get(const char* key, std::vector<std::string>* out, std::string (*check)(std::string_view));
  // A list of callback URLs (one URL alone is a list of one).
  void get(const char* key, std::vector<HookUrl>* out);
  // A list of RTMP servers (one alone is a list of one).
  void get(const char* key, std::vector<RtmpUrl>* out);
  // One callback URL, or none.
  void get(const char* key, std::optional<HookUrl>* out);
  // An allow list: addresses or CIDR ranges (an empty list: anyone).
  void get(const char* key, std::vector<Cidr>* out);
  // A list of commands, each split into words (conf/child_template.hpp),
  // each word checked by `check_word` (empty: fine; else the problem).
  void get(const char* key, std::vector<std::vector<std::string>>* out,
           std::string (*check_word)(std::string_view));
  // A map of option names to values ({threads: 2}), in the order written.
  void get(const char* key, std::vector<std::pair<std::string, std::string>>* out);
  // A list of stream patterns ("app/stream", "app/*"; one alone is a list
  // of one); empty: none.
  void get(const char* key, std::vector<StreamPattern>* out);
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
  template <class Item, class Parse>
  void get_list(const char* key, const char* noun, std::vector<Item>* out, Parse parse);
  void problem(const Entry& e, std::string message);
  static std::string parse_bytes(std::string_view text, const Bytes& range, uint64_t* out);

  Report* report_;
  std::string path_;
  const char* noun_ = "key";
  bool is_map_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

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

// The unknown keys of the whole file, once every section was read.
void report_unknown_keys(Report* report);

}  // namespace srs::conf::load
