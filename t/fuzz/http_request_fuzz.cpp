// libFuzzer target: the HTTP request parser and the target/range helpers
// must never crash, must stay within their bounds, and must parse the same
// requests whether the input arrives whole or split in two.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "proto/http/range.hpp"
#include "proto/http/request_parser.hpp"
#include "proto/http/target.hpp"

namespace http = srs::proto::http;

namespace {

struct Outcome {
  std::vector<std::string> targets;
  int error = 0;
};

Outcome run(const uint8_t* data, size_t size, size_t cut) {
  Outcome out;
  http::Limits limits;
  limits.max_head = 1024;
  limits.max_body = 4096;
  http::RequestParser p(limits);
  std::string pending;
  for (size_t part = 0; part < 2; part++) {
    size_t from = part == 0 ? 0 : cut, to = part == 0 ? cut : size;
    pending.append(reinterpret_cast<const char*>(data) + from, to - from);
    while (!pending.empty()) {
      size_t used = 0;
      http::ParseResult r =
          p.feed(reinterpret_cast<const uint8_t*>(pending.data()), pending.size(), &used);
      if (used > pending.size()) std::abort();
      pending.erase(0, used);
      if (r == http::ParseResult::kNeedMore) {
        if (!pending.empty()) std::abort();  // kNeedMore means everything was taken
        break;
      }
      if (r == http::ParseResult::kError) {
        out.error = p.error_status();
        if (out.error < 400 || out.error > 505) std::abort();
        return out;
      }
      const http::Request& req = p.request();
      if (req.body.size() != req.content_length || req.body.size() > limits.max_body) std::abort();
      out.targets.push_back(req.method + " " + req.target);
      auto t = http::split_target(req.target);
      if (t.is_ok()) {
        auto path = http::normalize_path(t->path);
        if (path.is_ok() && ((*path)[0] != '/' || path->find("/../") != std::string::npos ||
                             path->find('\0') != std::string::npos)) {
          std::abort();
        }
        (void)http::query_param(t->query, "vhost");
      }
      if (const std::string* range = req.find("Range")) {
        http::ByteRange br;
        if (http::parse_range(*range, 1000, &br) == http::RangeKind::kSingle &&
            (br.first > br.last || br.last >= 1000)) {
          std::abort();
        }
      }
      p.reset();
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Outcome whole = run(data, size, size);
  Outcome split = run(data, size, size / 2);
  if (whole.targets != split.targets || whole.error != split.error) std::abort();
  return 0;
}
