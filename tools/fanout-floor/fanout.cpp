// Fanout: one writev() per player per window, nothing else (see fanout.hpp).
#include "tools/fanout-floor/fanout.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/bytes.hpp"
#include "base/clock.hpp"

namespace srs::tools::fanout_floor {

namespace {

constexpr int64_t kNsPerMs = 1000000;

void sleep_until(int64_t mono_ns) {
  timespec ts{static_cast<time_t>(mono_ns / 1000000000), static_cast<long>(mono_ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

Fanout::Fanout(const FanoutConfig& config, std::vector<int> fds)
    : config_(config), fds_(std::move(fds)) {
  config_.chunk_size = std::max<uint32_t>(config_.chunk_size, 128);
}

// RTMP 1.0 5.3.1: fmt-0 basic header (csid 6 video, 7 audio), timestamp,
// length, type id, stream id 1 (little endian); fmt-3 between chunks.
void Fanout::append_message(const srs_bench::MediaFrame& f) {
  uint8_t csid = f.type == proto::flv::TagType::kVideo ? 6 : 7;
  uint8_t h[12];
  h[0] = csid;
  base::store_be24(h + 1, std::min<uint32_t>(f.timestamp, 0xffffff));
  base::store_be24(h + 4, static_cast<uint32_t>(f.body.size()));
  h[7] = static_cast<uint8_t>(f.type);
  base::store_le32(h + 8, 1);
  bytes_.insert(bytes_.end(), h, h + sizeof h);
  size_t off = 0;
  while (off < f.body.size()) {
    if (off > 0) bytes_.push_back(static_cast<uint8_t>(0xc0 | csid));
    size_t n = std::min<size_t>(config_.chunk_size, f.body.size() - off);
    bytes_.insert(bytes_.end(), f.body.begin() + static_cast<std::ptrdiff_t>(off),
                  f.body.begin() + static_cast<std::ptrdiff_t>(off + n));
    off += n;
  }
  ++result_.messages;
}

void Fanout::flush_all() {
  if (bytes_.empty()) return;
  // The pending bytes are contiguous, as a ring's are between wraps: the
  // cheapest possible writev(), one per player.
  iovec iov{bytes_.data(), bytes_.size()};
  for (int fd : fds_) {
    ssize_t n = ::writev(fd, &iov, 1);
    ++result_.writes;
    if (n > 0) result_.bytes += static_cast<uint64_t>(n);
    if (n < static_cast<ssize_t>(bytes_.size())) ++result_.short_writes;
  }
  bytes_.clear();
}

FanoutResult Fanout::run() {
  srs_bench::SyntheticStream stream(config_.stream);
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  int64_t start = base::mono_ns();
  int64_t end = start + static_cast<int64_t>(config_.duration_ms) * kNsPerMs;
  int64_t window = static_cast<int64_t>(config_.window_ms) * kNsPerMs;
  int64_t next_flush = start + window;
  for (;;) {
    int64_t next_msg = start + static_cast<int64_t>(stream.next_timestamp()) * kNsPerMs;
    int64_t wake = window > 0 ? std::min(next_msg, next_flush) : next_msg;
    if (wake >= end) break;
    sleep_until(wake);
    int64_t now = base::mono_ns();
    while (start + static_cast<int64_t>(stream.next_timestamp()) * kNsPerMs <= now) {
      append_message(stream.take());
      if (window == 0) flush_all();
    }
    if (window > 0 && now >= next_flush) {
      flush_all();
      next_flush += window;
    }
  }
  flush_all();
  getrusage(RUSAGE_SELF, &after);
  result_.seconds = static_cast<double>(base::mono_ns() - start) / 1e9;
  result_.cpu_user_s = seconds_of(after.ru_utime) - seconds_of(before.ru_utime);
  result_.cpu_sys_s = seconds_of(after.ru_stime) - seconds_of(before.ru_stime);
  return result_;
}

}  // namespace srs::tools::fanout_floor
