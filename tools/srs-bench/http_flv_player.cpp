// HttpFlvPlayer: an HTTP-FLV player on the bench loop (see http_flv_player.hpp).
#include "tools/srs-bench/http_flv_player.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace srs::tools::srs_bench {

namespace {

constexpr size_t kMaxHeader = 16 * 1024;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

HttpFlvPlayer::HttpFlvPlayer(event_base* base, std::string host, int port, std::string path,
                             Totals& totals)
    : Connection(base), totals_(totals) {
  request_ = "GET " + path + " HTTP/1.0\r\nHost: " + host + ":" + std::to_string(port) +
             "\r\nUser-Agent: srs-bench\r\nAccept: */*\r\n\r\n";
}

void HttpFlvPlayer::fail(const char* why) noexcept {
  ++totals_.errors;
  close(why, true);
}

void HttpFlvPlayer::on_connected(int64_t now_ns) noexcept {
  out().insert(out().end(), request_.begin(), request_.end());
  stats_.on_request(now_ns);
}

void HttpFlvPlayer::on_lost(int64_t /*now_ns*/) noexcept {
  ++totals_.errors;
}

void HttpFlvPlayer::on_data(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  if (!body_) {
    size_t used = on_header(data, len);
    if (!body_ || !is_open()) return;
    data += used;
    len -= used;
  }
  on_body(data, len, now_ns);
}

size_t HttpFlvPlayer::on_header(const uint8_t* data, size_t len) noexcept {
  size_t before = header_.size();
  header_.append(reinterpret_cast<const char*>(data), std::min(len, kMaxHeader));
  size_t end = header_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (header_.size() >= kMaxHeader) fail("HTTP header too long");
    return len;
  }
  size_t used = end + 4 - before;
  // "HTTP/1.1 200 OK" (RFC 9112 4).
  size_t sp = header_.find(' ');
  status_ = sp == std::string::npos ? 0 : std::atoi(header_.c_str() + sp + 1);
  if (status_ != 200) {
    fail("HTTP status not 200");
    return used;
  }
  std::string h = lower(header_.substr(0, end));
  chunked_ = h.find("transfer-encoding: chunked") != std::string::npos;
  header_.clear();
  header_.shrink_to_fit();
  body_ = true;
  return used;
}

void HttpFlvPlayer::on_body(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  if (!chunked_) return feed_flv(data, len, now_ns);
  while (len > 0 && is_open()) {
    size_t used = on_chunked(data, len, now_ns);
    data += used;
    len -= used;
  }
}

// One step of the chunked coding: a size line, data, or the CRLF after data.
size_t HttpFlvPlayer::on_chunked(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  if (chunk_left_ > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_left_, len));
    feed_flv(data, n, now_ns);
    chunk_left_ -= n;
    chunk_crlf_ = chunk_left_ == 0;
    return n;
  }
  const auto* nl = static_cast<const uint8_t*>(std::memchr(data, '\n', len));
  size_t take = nl == nullptr ? len : static_cast<size_t>(nl - data) + 1;
  chunk_line_.append(reinterpret_cast<const char*>(data), take);
  if (nl == nullptr) {
    if (chunk_line_.size() > 1024) fail("bad chunk size line");
    return take;
  }
  if (chunk_crlf_) {  // the CRLF that ends a chunk's data
    chunk_crlf_ = false;
    chunk_line_.clear();
    return take;
  }
  char* end = nullptr;
  chunk_left_ = std::strtoull(chunk_line_.c_str(), &end, 16);
  bool empty = end == chunk_line_.c_str();
  chunk_line_.clear();
  if (empty) fail("bad chunk size line");
  if (chunk_left_ == 0 && is_open()) close("end of chunked body", false);
  return take;
}

void HttpFlvPlayer::feed_flv(const uint8_t* data, size_t len, int64_t now_ns) noexcept {
  std::span<const uint8_t> rest(data, len);
  while (!rest.empty() && is_open()) {
    auto r = flv_.feed(rest);
    if (!r.is_ok()) return fail("bad FLV stream");
    rest = rest.subspan(r->consumed);
    if (r->event == proto::flv::ReadEvent::kTag) {
      const auto& tag = flv_.tag();
      stats_.on_tag(static_cast<uint8_t>(tag.type), tag.body, now_ns, totals_);
    }
    if (r->event == proto::flv::ReadEvent::kNeedMore) return;
  }
}

}  // namespace srs::tools::srs_bench
