// What the API's routes share to shape a reply: paging (SRS's start and
// count), "not found" and "method not allowed" in SRS's envelope, and the
// split of a route's path into its prefix and an id.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/json_writer.hpp"
#include "worker/api/api_route.hpp"

namespace srs::worker {

inline constexpr size_t kDefaultCount = 10;  // SRS: count = max(10, count)

struct Page {
  size_t start = 0;
  size_t count = kDefaultCount;
};

// ?start=&count= of `query`.
Page page_of(std::string_view query);

// The list `name` of `rows` (one page), with our "total".
template <typename Rows, typename Fn>
void write_page(base::JsonWriter& w, const char* name, const Rows& rows, const Page& p,
                Fn&& write) {
  w.key(name).begin_array();
  for (size_t i = p.start; i < rows.size() && i - p.start < p.count; ++i) write(rows[i]);
  w.end_array();
  w.key("total").value(rows.size());
}

// {"error":"WHAT ID not found"} with SRS's `code`.
void not_found(ApiReply* reply, int code, const char* what, std::string_view id);
// HTTP 405, code 405.
void method_not_allowed(ApiReply* reply, std::string_view method);
// "/api/v1/streams/s3-1" with prefix "/api/v1/streams": true, *id = "s3-1"
// (empty for the list itself).
bool under(std::string_view path, std::string_view prefix, std::string_view* id);

}  // namespace srs::worker
