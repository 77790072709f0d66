// Transport as a connection uses it: PlainTransport over a socketpair (recv,
// writev, the peer's close, a full non-blocking socket, sendfile of a file),
// and write_iovecs resuming a vectored write exactly where the socket
// stopped taking bytes, the partly written entry adjusted in place.
#include "worker/net/transport.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace srs;
using srs::worker::Io;
using srs::worker::IoResult;
using srs::worker::PlainTransport;
using srs::worker::Transport;
using srs::worker::write_iovecs;

namespace {

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(seed + i * 13 + (i >> 8));
  return v;
}

void set_nonblocking(int fd) {
  REQUIRE(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

// Two connected sockets; the first one with `sndbuf` and non-blocking when asked.
std::array<int, 2> socket_pair(bool nonblocking, int sndbuf) {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  if (sndbuf > 0) {
    REQUIRE(::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
  }
  if (nonblocking) set_nonblocking(fds[0]);
  set_nonblocking(fds[1]);
  return {fds[0], fds[1]};
}

// A connected pair: `t` is the transport under test, `peer` the other end.
struct Pair {
  base::Fd peer;
  PlainTransport t;

  explicit Pair(bool nonblocking = false, int sndbuf = 0)
      : Pair(socket_pair(nonblocking, sndbuf)) {}
  explicit Pair(std::array<int, 2> fds) : peer(fds[1]), t(base::Fd(fds[0])) {}

  // Everything the peer can read now.
  std::vector<uint8_t> drain() {
    std::vector<uint8_t> out;
    uint8_t buf[65536];
    for (;;) {
      ssize_t n = ::read(peer.get(), buf, sizeof buf);
      if (n <= 0) break;
      out.insert(out.end(), buf, buf + n);
    }
    return out;
  }
};

// A transport that takes at most `budget` bytes in all, then would block,
// and records how many entries each writev was given.
struct BudgetTransport final : Transport {
  size_t budget = 0;
  std::vector<uint8_t> taken;
  std::vector<int> counts;

  int fd() const noexcept override { return -1; }
  const char* name() const noexcept override { return "budget"; }
  IoResult recv(uint8_t*, size_t) noexcept override { return {Io::kWouldBlock, 0, 0}; }
  IoResult sendfile(int, off_t*, size_t) noexcept override { return {Io::kError, 0, ENOSYS}; }
  IoResult writev(const iovec* iov, int count) noexcept override {
    counts.push_back(count);
    if (budget == 0) return {Io::kWouldBlock, 0, 0};
    size_t n = 0;
    for (int i = 0; i < count && budget > 0; ++i) {
      size_t k = std::min(budget, iov[i].iov_len);
      const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
      taken.insert(taken.end(), p, p + k);
      budget -= k;
      n += k;
    }
    return {Io::kOk, n, 0};
  }
};

}  // namespace

TEST_CASE("PlainTransport: recv and writev carry the bytes both ways") {
  Pair p;
  CHECK(std::string(p.t.name()) == "tcp");
  auto a = pattern(300, 1), b = pattern(7, 2);
  iovec iov[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  IoResult w = p.t.writev(iov, 2);
  CHECK(w.status == Io::kOk);
  CHECK(w.bytes == 307);
  std::vector<uint8_t> want = a;
  want.insert(want.end(), b.begin(), b.end());
  CHECK(p.drain() == want);

  auto c = pattern(50, 3);
  REQUIRE(::write(p.peer.get(), c.data(), c.size()) == 50);
  uint8_t buf[100];
  IoResult r = p.t.recv(buf, sizeof buf);
  CHECK(r.status == Io::kOk);
  REQUIRE(r.bytes == 50);
  CHECK(std::memcmp(buf, c.data(), 50) == 0);
}

TEST_CASE("PlainTransport: an empty non-blocking socket would block; the peer's close is kClosed") {
  Pair p(true);
  uint8_t buf[16];
  CHECK(p.t.recv(buf, sizeof buf).status == Io::kWouldBlock);
  REQUIRE(::write(p.peer.get(), "xy", 2) == 2);
  p.peer.reset();
  IoResult r = p.t.recv(buf, sizeof buf);  // what was sent before the close still arrives
  CHECK(r.status == Io::kOk);
  CHECK(r.bytes == 2);
  CHECK(p.t.recv(buf, sizeof buf).status == Io::kClosed);
  // Writing to a peer that left is an error (EPIPE), never a SIGPIPE.
  iovec iov{buf, 1};
  IoResult w = p.t.writev(&iov, 1);
  CHECK(w.status == Io::kError);
  CHECK(w.error == EPIPE);
}

TEST_CASE("PlainTransport: a full non-blocking socket would block, then takes more once drained") {
  Pair p(true, 4096);
  auto chunk = pattern(1000, 4);
  iovec iov{chunk.data(), chunk.size()};
  size_t sent = 0;
  IoResult r;
  for (int i = 0; i < 100000; ++i) {
    r = p.t.writev(&iov, 1);
    if (r.status != Io::kOk) break;
    sent += r.bytes;
  }
  CHECK(r.status == Io::kWouldBlock);
  CHECK(r.bytes == 0);
  CHECK(sent > 0);
  CHECK(p.drain().size() == sent);
  r = p.t.writev(&iov, 1);
  CHECK(r.status == Io::kOk);
  CHECK(r.bytes > 0);
}

TEST_CASE("write_iovecs: a socket that fills up is resumed exactly where it stopped") {
  Pair p(true, 4096);
  // Odd sizes, so the socket stops in the middle of entries.
  const size_t sizes[] = {1000, 3001, 7, 20000, 5, 65549, 1, 4093, 30011, 2};
  std::vector<std::vector<uint8_t>> parts;
  std::vector<iovec> iov;
  std::vector<uint8_t> want;
  for (size_t i = 0; i < std::size(sizes); ++i) {
    parts.push_back(pattern(sizes[i], uint8_t(i * 31)));
    want.insert(want.end(), parts.back().begin(), parts.back().end());
  }
  for (auto& part : parts) iov.push_back({part.data(), part.size()});

  std::vector<uint8_t> got;
  size_t idx = 0, written = 0;
  int blocked = 0, cut_inside = 0;
  for (int round = 0; round < 10000; ++round) {
    IoResult r = write_iovecs(p.t, iov.data(), iov.size(), &idx, &written);
    if (r.status == Io::kOk) break;
    REQUIRE(r.status == Io::kWouldBlock);
    blocked++;
    REQUIRE(idx < iov.size());
    // The entry the socket stopped in points at its first unsent byte.
    const uint8_t* base = parts[idx].data();
    size_t done = parts[idx].size() - iov[idx].iov_len;
    CHECK(static_cast<const uint8_t*>(iov[idx].iov_base) == base + done);
    if (done > 0) cut_inside++;
    size_t before = 0;
    for (size_t i = 0; i < idx; ++i) before += sizes[i];
    CHECK(written == before + done);
    auto more = p.drain();
    got.insert(got.end(), more.begin(), more.end());
    CHECK(got.size() == written);
  }
  auto rest = p.drain();
  got.insert(got.end(), rest.begin(), rest.end());
  CHECK(idx == iov.size());
  CHECK(written == want.size());
  CHECK(got == want);
  CHECK(blocked > 0);
  CHECK(cut_inside > 0);  // at least once the socket took part of an entry
}

TEST_CASE("write_iovecs: partial entries, entry boundaries and IOV_MAX, against an exact budget") {
  BudgetTransport t;
  std::vector<std::vector<uint8_t>> parts;
  for (int i = 0; i < 3 * IOV_MAX + 5; ++i) parts.push_back(pattern(size_t(1 + i % 3), uint8_t(i)));
  std::vector<uint8_t> want;
  for (auto& part : parts) want.insert(want.end(), part.begin(), part.end());
  std::vector<iovec> iov;
  for (auto& part : parts) iov.push_back({part.data(), part.size()});

  size_t idx = 0, written = 0;
  // 4 bytes: entries of 1 and 2 bytes, then 1 of the 3-byte entry.
  t.budget = 4;
  IoResult r = write_iovecs(t, iov.data(), iov.size(), &idx, &written);
  CHECK(r.status == Io::kWouldBlock);
  CHECK(idx == 2);
  CHECK(written == 4);
  CHECK(iov[2].iov_len == 2);
  CHECK(iov[2].iov_base == parts[2].data() + 1);

  // Exactly to the end of entry 2: no partial entry, the next writev would block.
  t.budget = 2;
  r = write_iovecs(t, iov.data(), iov.size(), &idx, &written);
  CHECK(r.status == Io::kWouldBlock);
  CHECK(idx == 3);
  CHECK(written == 6);

  // Everything else: never more than IOV_MAX entries per call.
  t.budget = want.size();
  t.counts.clear();
  r = write_iovecs(t, iov.data(), iov.size(), &idx, &written);
  CHECK(r.status == Io::kOk);
  CHECK(idx == iov.size());
  CHECK(written == want.size());
  CHECK(t.taken == want);
  REQUIRE(t.counts.size() == 4);
  CHECK(t.counts[0] == IOV_MAX);
  CHECK(t.counts[3] == int(iov.size() - 3 - 3 * IOV_MAX));
  for (int c : t.counts) CHECK(c <= IOV_MAX);
}

TEST_CASE("write_iovecs: an error ends the write with what went out counted") {
  Pair p(true);
  auto a = pattern(10, 1);
  iovec iov[] = {{a.data(), a.size()}};
  p.peer.reset();
  size_t idx = 0, written = 0;
  IoResult r = write_iovecs(p.t, iov, 1, &idx, &written);
  CHECK(r.status == Io::kError);
  CHECK(r.error == EPIPE);
  CHECK(idx == 0);
  CHECK(written == 0);
}

TEST_CASE("PlainTransport: sendfile sends a file from the offset and advances it") {
  char path[] = "/tmp/srs-transport-XXXXXX";
  base::Fd file(::mkstemp(path));
  REQUIRE(file.valid());
  ::unlink(path);
  auto data = pattern(100000, 9);
  REQUIRE(::write(file.get(), data.data(), data.size()) == ssize_t(data.size()));

  Pair p(true, 4096);
  off_t offset = 1000;  // a range, as for an HTTP Range request
  std::vector<uint8_t> got;
  for (int round = 0; round < 100000 && offset < off_t(data.size()); ++round) {
    off_t before = offset;
    IoResult r = p.t.sendfile(file.get(), &offset, data.size() - size_t(offset));
    if (r.status == Io::kOk) CHECK(offset == before + off_t(r.bytes));
    if (r.status != Io::kOk) REQUIRE(r.status == Io::kWouldBlock);
    auto more = p.drain();
    got.insert(got.end(), more.begin(), more.end());
  }
  auto rest = p.drain();
  got.insert(got.end(), rest.begin(), rest.end());
  CHECK(offset == off_t(data.size()));
  CHECK(got == std::vector<uint8_t>(data.begin() + 1000, data.end()));
  // The file ended before `count` bytes: kClosed (it shrank while being sent).
  CHECK(p.t.sendfile(file.get(), &offset, 10).status == Io::kClosed);
}
