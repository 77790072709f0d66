// Response heads (see response.hpp).
#include "proto/http/response.hpp"

#include <cstdio>

namespace srs::proto::http {

// RFC 9110 15.
const char* reason_phrase(int status) noexcept {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string http_date(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

ResponseHead::ResponseHead(int status) {
  text_.reserve(512);
  text_ = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
}

void ResponseHead::add(std::string_view name, std::string_view value) {
  text_.append(name);
  text_.append(": ");
  text_.append(value);
  text_.append("\r\n");
}

void ResponseHead::add(std::string_view name, uint64_t value) {
  add(name, std::to_string(value));
}

std::string ResponseHead::finish() && {
  text_.append("\r\n");
  return std::move(text_);
}

}  // namespace srs::proto::http
