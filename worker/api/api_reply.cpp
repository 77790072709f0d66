// Reply helpers shared by the API's routes (see api_reply.hpp).
#include "worker/api/api_reply.hpp"

#include <cstdlib>
#include <string>

#include "proto/http/target.hpp"

namespace srs::worker {

using base::JsonWriter;

Page page_of(std::string_view query) {
  Page p;
  const std::string start = proto::http::query_param(query, "start");
  const std::string count = proto::http::query_param(query, "count");
  if (!start.empty()) p.start = size_t(std::strtoull(start.c_str(), nullptr, 10));
  if (!count.empty()) p.count = size_t(std::strtoull(count.c_str(), nullptr, 10));
  if (p.count < kDefaultCount) p.count = kDefaultCount;
  return p;
}

void not_found(ApiReply* reply, int code, const char* what, std::string_view id) {
  JsonWriter w;
  w.key("error").value(std::string(what) + " " + std::string(id) + " not found");
  reply->code = code;
  reply->members = w.take();
}

void method_not_allowed(ApiReply* reply, std::string_view method) {
  JsonWriter w;
  w.key("error").value("method " + std::string(method) + " not allowed here");
  reply->status = 405;
  reply->code = 405;
  reply->members = w.take();
}

bool under(std::string_view path, std::string_view prefix, std::string_view* id) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = path.substr(prefix.size());
  if (rest.empty()) {
    *id = {};
    return true;
  }
  if (rest.front() != '/' || rest.find('/', 1) != std::string_view::npos) return false;
  *id = rest.substr(1);
  return true;
}

}  // namespace srs::worker
