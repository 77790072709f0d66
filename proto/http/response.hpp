// Response heads (RFC 9112 4 status-line, 5 fields): the status line with its
// reason phrase, header fields, and the IMF-fixdate of the Date header
// (RFC 9110 5.6.7). The caller passes the time: proto/ has no clock.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace srs::proto::http {

// "Not Found" for 404...; "Unknown" for a code we never send.
const char* reason_phrase(int status) noexcept;

// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::time_t t);

class ResponseHead {
 public:
  explicit ResponseHead(int status);
  void add(std::string_view name, std::string_view value);
  void add(std::string_view name, uint64_t value);
  // The head, ending with the empty line.
  std::string finish() &&;

 private:
  std::string text_;
};

}  // namespace srs::proto::http
