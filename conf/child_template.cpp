// Templates, command words and stream patterns (see child_template.hpp).
#include "conf/child_template.hpp"

#include <algorithm>

namespace srs::conf {
namespace {

constexpr std::string_view kNames[] = {"vhost", "app", "stream", "engine", "host", "port"};

const std::string* value_of(std::string_view name, const TemplateValues& v) {
  const std::string* values[] = {&v.vhost, &v.app, &v.stream, &v.engine, &v.host, &v.port};
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return values[i];
  }
  return nullptr;
}

std::string expected_list(const std::vector<std::string_view>& allowed) {
  std::string out;
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += i + 1 == allowed.size() ? " or " : ", ";
    out += "[" + std::string(allowed[i]) + "]";
  }
  return out;
}

// Appends the word being read to `words` once a separator ends it.
struct WordReader {
  std::vector<std::string>* words;
  std::string word;
  bool in_word = false;
  void add(char c) {
    word += c;
    in_word = true;
  }
  void end() {
    if (in_word) words->push_back(std::move(word));
    word.clear();
    in_word = false;
  }
};

}  // namespace

std::string check_template(std::string_view text, const std::vector<std::string_view>& allowed) {
  for (size_t open = text.find('['); open != std::string_view::npos;
       open = text.find('[', open + 1)) {
    size_t close = text.find(']', open);
    if (close == std::string_view::npos) break;
    std::string_view name = text.substr(open + 1, close - open - 1);
    bool known = std::find(allowed.begin(), allowed.end(), name) != allowed.end();
    // Brackets around something that is no name ("[::1]") are not a template.
    bool looks_like_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_';
    });
    if (looks_like_name && !known) {
      return "unknown template '[" + std::string(name) + "]' (expected " + expected_list(allowed) +
             ")";
    }
  }
  return {};
}

std::string expand(std::string_view text, const TemplateValues& values) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find('[', at);
    if (open == std::string_view::npos) break;
    size_t close = text.find(']', open);
    if (close == std::string_view::npos) break;
    const std::string* value = value_of(text.substr(open + 1, close - open - 1), values);
    out.append(text.substr(at, open - at));
    if (value != nullptr) {
      out += *value;
      at = close + 1;
    } else {
      out += '[';
      at = open + 1;
    }
  }
  out.append(text.substr(at));
  return out;
}

std::string split_command(std::string_view text, std::vector<std::string>* words) {
  words->clear();
  WordReader r{words};
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        r.add(c);
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
        r.add(text[++i]);
      } else {
        r.add(c);
      }
    } else if (c == ' ' || c == '\t') {
      r.end();
    } else if (c == '\'' || c == '"') {
      quote = c;
      r.in_word = true;  // '' is an empty word
    } else {
      r.add(c);
    }
  }
  if (quote != 0) {
    words->clear();
    return std::string("a ") + quote + " quote is never closed";
  }
  r.end();
  if (words->empty()) return "expected a command, got nothing";
  return {};
}

}  // namespace srs::conf
