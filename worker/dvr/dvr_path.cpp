// The DVR file path template (see dvr_path.hpp).
#include "worker/dvr/dvr_path.hpp"

#include <cstdio>
#include <ctime>

namespace srs::worker {
namespace {

std::string two(int v) {
  char b[16];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

// The value of variable `name` ("app", "2006" ...), or false when unknown.
bool value_of(std::string_view name, const DvrPathVars& v, const std::tm& t, std::string* out) {
  if (name == "vhost") return *out = v.vhost, true;
  if (name == "app") return *out = v.app, true;
  if (name == "stream") return *out = v.stream, true;
  if (name == "timestamp") return *out = std::to_string(v.now_ms), true;
  if (name == "2006") return *out = std::to_string(t.tm_year + 1900), true;
  if (name == "01") return *out = two(t.tm_mon + 1), true;
  if (name == "02") return *out = two(t.tm_mday), true;
  if (name == "15") return *out = two(t.tm_hour), true;
  if (name == "04") return *out = two(t.tm_min), true;
  if (name == "05") return *out = two(t.tm_sec), true;
  if (name == "999") {
    char b[16];
    std::snprintf(b, sizeof b, "%03d", int(v.now_ms % 1000));
    return *out = b, true;
  }
  return false;
}

}  // namespace

std::string render_dvr_path(std::string_view tmpl, const DvrPathVars& vars) {
  std::time_t secs = std::time_t(vars.now_ms / 1000);
  std::tm t{};
  localtime_r(&secs, &t);
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find('[', i);
    size_t close = open == std::string_view::npos ? open : tmpl.find(']', open);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(i, open - i));
    std::string value;
    if (value_of(tmpl.substr(open + 1, close - open - 1), vars, t, &value)) {
      out += value;
    } else {
      out.append(tmpl.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(tmpl.substr(i));
  return out;
}

std::string dvr_file_template(std::string_view path) {
  if (path.ends_with(".flv") || path.ends_with(".mp4")) return std::string(path);
  std::string out(path);
  if (!out.empty() && out.back() != '/') out += '/';
  return out + "[stream].[timestamp].flv";
}

}  // namespace srs::worker
