// Content types the players check (HLS: RFC 8216 4; HTTP-FLV).
#include "proto/http/mime.hpp"

#include <doctest/doctest.h>

#include <string>

#include "proto/http/response.hpp"

using srs::proto::http::mime_type;

TEST_CASE("mime types by extension") {
  CHECK(std::string(mime_type("/live/cam.m3u8")) == "application/vnd.apple.mpegurl");
  CHECK(std::string(mime_type("/live/cam-12.TS")) == "video/mp2t");
  CHECK(std::string(mime_type("/a.flv")) == "video/x-flv");
  CHECK(std::string(mime_type("/a.mp4")) == "video/mp4");
  CHECK(std::string(mime_type("/index.html")) == "text/html; charset=utf-8");
  CHECK(std::string(mime_type("/x.js")) == "text/javascript; charset=utf-8");
  CHECK(std::string(mime_type("/x.css")) == "text/css; charset=utf-8");
  CHECK(std::string(mime_type("/x.json")) == "application/json");
  CHECK(std::string(mime_type("/x.txt")) == "text/plain; charset=utf-8");
  CHECK(std::string(mime_type("/dir.ts/file")) == "application/octet-stream");
  CHECK(std::string(mime_type("/noext")) == "application/octet-stream");
}

TEST_CASE("response heads: status line, fields, IMF-fixdate") {
  srs::proto::http::ResponseHead h(206);
  h.add("Content-Length", uint64_t(10));
  CHECK(std::move(h).finish() == "HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n\r\n");
  CHECK(srs::proto::http::http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(std::string(srs::proto::http::reason_phrase(431)) == "Request Header Fields Too Large");
}
