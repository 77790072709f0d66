// RequestParser: an incremental HTTP/1.1 request parser (RFC 9112), pure (no
// sockets). Bytes are fed as they arrive, split anywhere; the parser keeps
// the request head (bounded: kHeadTooLarge past max_head bytes) until the
// empty line, then reads a Content-Length body (bounded by max_body).
//
//   feed(data, len, &used) -> kNeedMore  every byte was used, none is left over
//                          -> kDone      request() is complete; data[used..] is
//                                        the next (pipelined) request
//                          -> kError     error_status() is the status to answer
//                                        (400, 413, 414, 431, 501, 505) before
//                                        closing the connection
//
// reset() readies the parser for the next request on a keep-alive connection.
// Chunked request bodies are not implemented (501): players and the API do
// not send them, and refusing them closes the request-smuggling door.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace srs::proto::http {

struct Limits {
  size_t max_head = 8 * 1024;   // request line + headers + the empty line
  size_t max_body = 64 * 1024;  // Content-Length bodies (the API's JSON)
  size_t max_headers = 64;
  size_t max_empty_lines = 8;  // CRLFs tolerated before a request line
};

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;     // case-sensitive token (RFC 9110 9.1)
  std::string target;     // as sent: origin-form, absolute-form or "*"
  int version_minor = 1;  // HTTP/1.0 or HTTP/1.1
  std::vector<Header> headers;
  std::string body;
  uint64_t content_length = 0;
  bool keep_alive = true;

  // The value of the first header named `name` (case-insensitive), else null.
  const std::string* find(std::string_view name) const noexcept;
};

enum class ParseResult : uint8_t { kNeedMore, kDone, kError };

class RequestParser {
 public:
  explicit RequestParser(Limits limits = {}) : limits_(limits) {}

  ParseResult feed(const uint8_t* data, size_t len, size_t* used) noexcept;
  const Request& request() const noexcept { return req_; }
  // The status to answer with after kError, and a short reason for the log.
  int error_status() const noexcept { return error_status_; }
  const char* error() const noexcept { return error_; }
  // True while no byte of a request has been received since the last reset.
  bool idle() const noexcept {
    return state_ == State::kHead && head_.empty() && empty_lines_ == 0;
  }
  void reset() noexcept;

 private:
  enum class State : uint8_t { kHead, kBody, kDone, kError };

  ParseResult feed_head(const uint8_t* data, size_t len, size_t* used) noexcept;
  ParseResult feed_body(const uint8_t* data, size_t len, size_t* used) noexcept;
  bool parse_head() noexcept;
  bool parse_request_line(std::string_view line) noexcept;
  bool parse_header_line(std::string_view line) noexcept;
  bool check_framing() noexcept;
  ParseResult fail(int status, const char* why) noexcept;
  bool reject(int status, const char* why) noexcept;

  Limits limits_;
  State state_ = State::kHead;
  std::string head_;
  size_t line_len_ = 0;  // bytes of the current line, CR excluded
  size_t lines_ = 0;     // complete lines in head_
  size_t empty_lines_ = 0;
  Request req_;
  int error_status_ = 0;
  const char* error_ = "";
};

}  // namespace srs::proto::http
