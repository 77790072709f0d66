// Reading one map of the configuration (see section.hpp).
#include "conf/section.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "conf/child_template.hpp"
#include "conf/endpoint.hpp"
#include "conf/listeners.hpp"
#include "conf/scalar.hpp"
#include "conf/stream_pattern.hpp"

namespace srs::conf::load {
namespace {

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

}  // namespace

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

void Section::get(const char* key, std::vector<Endpoint>* out, bool may_be_empty) {
  Entry* e = find(key);
  if (e == nullptr) return;
  const YAML::Node& value = e->value;
  if (may_be_empty && (value.IsNull() || (value.IsSequence() && value.size() == 0))) {
    out->clear();
    return;
  }
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

// A scalar alone is a list of one; each item goes through parse(text, &item).
template <class Item, class Parse>
void Section::get_list(const char* key, const char* noun, std::vector<Item>* out, Parse parse) {
  Entry* e = find(key);
  if (e == nullptr || e->value.IsNull()) return;
  const YAML::Node& value = e->value;
  if (!value.IsScalar() && !value.IsSequence())
    return type_error(*e, (std::string(noun) + " or a list of them").c_str());
  std::vector<Item> items;
  size_t count = value.IsScalar() ? 1 : value.size();
  for (size_t i = 0; i < count; ++i) {
    const YAML::Node item_node = value.IsScalar() ? value : value[i];
    Item item;
    std::string message = item_node.IsScalar()
                              ? parse(item_node.Scalar(), &item)
                              : "expected " + std::string(noun) + ", got " + kind_of(item_node);
    if (!message.empty()) {
      std::string at = path_of(key) + "[" + std::to_string(i) + "]";
      report_->error(where_of(item_node.Mark()), at, message);
      continue;
    }
    items.push_back(std::move(item));
  }
  *out = std::move(items);
}

void Section::get(const char* key, std::vector<HookUrl>* out) {
  get_list(key, "a URL", out, parse_hook_url);
}

void Section::get(const char* key, std::vector<RtmpUrl>* out) {
  get_list(key, "a URL", out, parse_rtmp_url);
}

void Section::get(const char* key, std::vector<std::vector<std::string>>* out,
                  std::string (*check_word)(std::string_view)) {
  get_list(key, "a command", out,
           [check_word](std::string_view text, std::vector<std::string>* words) {
             std::string problem = split_command(text, words);
             for (size_t i = 0; problem.empty() && i < words->size(); ++i)
               problem = check_word((*words)[i]);
             return problem;
           });
}

void Section::get(const char* key, std::vector<std::pair<std::string, std::string>>* out) {
  Entry* e = find(key);
  if (e == nullptr || e->value.IsNull()) return;
  if (!e->value.IsMap()) return type_error(*e, "a map of options to values");
  std::vector<std::pair<std::string, std::string>> options;
  for (auto it = e->value.begin(); it != e->value.end(); ++it) {
    const YAML::Node name = it->first, value = it->second;
    std::string at = path_of(key);
    if (!name.IsScalar() || name.Scalar().empty()) {
      report_->error(where_of(name.Mark()), at, "expected an option name");
      continue;
    }
    at += "." + name.Scalar();
    if (!value.IsScalar()) {
      report_->error(where_of(value.Mark()), at,
                     std::string("expected a value, got ") + kind_of(value));
      continue;
    }
    options.emplace_back(name.Scalar(), value.Scalar());
  }
  *out = std::move(options);
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

void Section::get(const char* key, std::vector<std::string>* out,
                  std::string (*check)(std::string_view)) {
  get_list(key, "a word", out, [check](std::string_view text, std::string* word) {
    std::string problem = check(text);
    if (problem.empty()) *word = std::string(text);
    return problem;
  });
}

void Section::get(const char* key, std::vector<StreamPattern>* out) {
  get_list(key, "an app/stream pattern", out, parse_stream_pattern);
}

}  // namespace srs::conf::load
