// TlsTransport as a connection uses it, against an OpenSSL client over a
// socketpair, both ends non-blocking and driven by hand in one thread: the
// handshake inside recv(); a record taken but not sent (writev answers
// kWouldBlock with its bytes, flush() finishes it) and the client receiving
// exactly the bytes reported, in order; recv filling a buffer across records
// and buffered() telling that OpenSSL holds bytes no EV_READ announces;
// sendfile; a peer that does not speak TLS.
#include "worker/net/tls_transport.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "conf/tls_identity.hpp"
#include "worker/net/tls_server.hpp"

using namespace srs;
using srs::worker::Io;
using srs::worker::IoResult;
using srs::worker::SslCtxPtr;
using srs::worker::SslPtr;
using srs::worker::TlsTransport;

namespace {

// A self-signed P-256 certificate for CN=localhost (valid to 2126) and its
// key, made once with:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
//     -keyout key.pem -out cert.pem -days 36500 -subj /CN=localhost
//     -addext subjectAltName=DNS:localhost,IP:127.0.0.1
constexpr const char* kCertificatePem = R"(-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUGE9inKov45ndSMV31dj/3f2UvbcwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzE3NDU0N1oYDzIxMjYxMTEz
MTc0NTQ3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASPfHlosT8dDFweO6iXPBXRd22jq0GVhaOELa4kiWbb6+TY/d1OGKD9
aI3bxIUpHnoioLSecjf6VKo6F05Td3Cco28wbTAdBgNVHQ4EFgQUc03n9n1+bRTP
16DnCCwPmeICHr4wHwYDVR0jBBgwFoAUc03n9n1+bRTP16DnCCwPmeICHr4wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSAAwRQIhANOTis9DuRphXEq3OL9MZAD2oB6wS/md4tJR0d7UWwSkAiBm
Hm57JkuVgpMDySS+gWCjq8VOMGQaBOYYfjA4xss/Qw==
-----END CERTIFICATE-----
)";
constexpr const char* kKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg79hs7nM4kmOvJ5Cn
cJA8ce3DVbNlncKpecheFQoojS6hRANCAASPfHlosT8dDFweO6iXPBXRd22jq0GV
haOELa4kiWbb6+TY/d1OGKD9aI3bxIUpHnoioLSecjf6VKo6F05Td3Cc
-----END PRIVATE KEY-----
)";

constexpr size_t kRecord = 16384;  // TLS plain text per record

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(seed + i * 13 + (i >> 8));
  return v;
}

void set_nonblocking(int fd) {
  REQUIRE(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
}

SslCtxPtr server_context() {
  conf::TlsIdentity id;
  id.certificate_pem = kCertificatePem;
  id.key_pem = kKeyPem;
  std::string error;
  SslCtxPtr ctx = worker::make_server_context(id, &error);
  REQUIRE_MESSAGE(ctx, error);
  return ctx;
}

// What the client asks for in its ClientHello.
struct ClientOptions {
  // 0: the newest (TLS 1.3).
  int max_version = 0;
  // RFC 6066 section 4: records of at most 512..4096 bytes.
  uint8_t max_fragment = TLSEXT_max_fragment_length_DISABLED;
};

// The transport under test on one end of a socketpair (non-blocking, with
// `sndbuf` when > 0), an OpenSSL client on the other.
struct TlsPair {
  SslCtxPtr server_ctx = server_context();
  SslCtxPtr client_ctx{SSL_CTX_new(TLS_client_method())};
  base::Fd client_fd;
  SslPtr client;
  std::unique_ptr<TlsTransport> t;

  explicit TlsPair(int sndbuf = 0, ClientOptions options = {}) {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    if (sndbuf > 0) {
      REQUIRE(::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
    }
    set_nonblocking(fds[0]);
    set_nonblocking(fds[1]);
    client_fd.reset(fds[1]);
    t = std::make_unique<TlsTransport>(base::Fd(fds[0]), SslPtr(SSL_new(server_ctx.get())));
    REQUIRE(client_ctx);
    if (options.max_version != 0) {
      REQUIRE(SSL_CTX_set_max_proto_version(client_ctx.get(), options.max_version) == 1);
    }
    client.reset(SSL_new(client_ctx.get()));
    REQUIRE(client);
    if (options.max_fragment != TLSEXT_max_fragment_length_DISABLED) {
      REQUIRE(SSL_set_tlsext_max_fragment_length(client.get(), options.max_fragment) == 1);
    }
    SSL_set_fd(client.get(), client_fd.get());
    SSL_set_connect_state(client.get());
  }

  // Both sides to the end of the handshake, which the server runs in recv().
  void handshake() {
    bool client_done = false;
    uint8_t buf[256];
    for (int round = 0; round < 50 && !(client_done && t->established()); ++round) {
      if (!client_done) {
        int ret = SSL_do_handshake(client.get());
        client_done = ret == 1;
        if (!client_done) REQUIRE(SSL_get_error(client.get(), ret) == SSL_ERROR_WANT_READ);
      }
      IoResult r = t->recv(buf, sizeof buf);
      REQUIRE(r.status == Io::kWouldBlock);  // no application data yet
      if (t->wants_flush()) REQUIRE(t->flush().status != Io::kError);
    }
    REQUIRE(client_done);
    REQUIRE(t->established());
  }

  // Everything the client can decrypt now.
  std::vector<uint8_t> drain() {
    std::vector<uint8_t> out;
    uint8_t buf[65536];
    for (;;) {
      size_t n = 0;
      int ret = SSL_read_ex(client.get(), buf, sizeof buf, &n);
      if (ret != 1) {
        REQUIRE(SSL_get_error(client.get(), ret) == SSL_ERROR_WANT_READ);
        return out;
      }
      out.insert(out.end(), buf, buf + n);
    }
  }

  // Drains the client into *got and flushes the transport until it holds
  // nothing; the number of flush() calls that would still block.
  int finish(std::vector<uint8_t>* got) {
    int blocked = 0;
    for (int round = 0; round < 10000 && t->wants_flush(); ++round) {
      auto more = drain();
      got->insert(got->end(), more.begin(), more.end());
      IoResult f = t->flush();
      REQUIRE((f.status == Io::kOk || f.status == Io::kWouldBlock));
      CHECK(f.bytes == 0);  // a flushed record's bytes were counted when taken
      if (f.status == Io::kWouldBlock) blocked++;
    }
    REQUIRE_FALSE(t->wants_flush());
    auto rest = drain();
    got->insert(got->end(), rest.begin(), rest.end());
    return blocked;
  }

  // The client sends as much of [data, data + len) as its socket takes.
  size_t client_send(const uint8_t* data, size_t len) {
    size_t sent = 0;
    while (sent < len) {
      size_t n = 0;
      int ret = SSL_write_ex(client.get(), data + sent, len - sent, &n);
      if (ret != 1) {
        REQUIRE(SSL_get_error(client.get(), ret) == SSL_ERROR_WANT_WRITE);
        break;
      }
      sent += n;
    }
    return sent;
  }

  bool socket_readable() const {
    pollfd p{t->fd(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }
};

// Entries over `data` cut at `sizes`, then the first `skip` bytes passed
// over as write_iovecs would (whole entries dropped, a partial one adjusted).
std::vector<iovec> iovecs_over(std::vector<uint8_t>& data, const std::vector<size_t>& sizes,
                               size_t skip) {
  std::vector<iovec> iov;
  size_t at = 0;
  for (size_t n : sizes) {
    size_t from = std::min(n, skip);
    skip -= from;
    if (from < n) iov.push_back({data.data() + at + from, n - from});
    at += n;
  }
  return iov;
}

void append(std::vector<uint8_t>* to, const std::vector<uint8_t>& more) {
  to->insert(to->end(), more.begin(), more.end());
}

}  // namespace

TEST_CASE("TlsTransport: the handshake runs inside recv(); then bytes flow both ways") {
  TlsPair p;
  CHECK(std::string(p.t->name()) == "tls");
  CHECK_FALSE(p.t->established());
  p.handshake();
  CHECK(p.t->describe().rfind("TLSv1.3 ", 0) == 0);
  CHECK_FALSE(p.t->wants_flush());
  CHECK_FALSE(p.t->buffered());

  auto hello = pattern(300, 1);
  REQUIRE(p.client_send(hello.data(), hello.size()) == hello.size());
  uint8_t buf[1000];
  IoResult r = p.t->recv(buf, sizeof buf);
  CHECK(r.status == Io::kOk);
  REQUIRE(r.bytes == 300);
  CHECK(std::memcmp(buf, hello.data(), 300) == 0);
  CHECK(p.t->recv(buf, sizeof buf).status == Io::kWouldBlock);

  auto a = pattern(10, 2), b = pattern(20, 3);
  iovec iov[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  r = p.t->writev(iov, 2);
  CHECK(r.status == Io::kOk);
  CHECK(r.bytes == 30);
  std::vector<uint8_t> want = a;
  append(&want, b);
  CHECK(p.drain() == want);
}

TEST_CASE("TlsTransport: a blocked record's bytes are taken, flush() sends them, in order") {
  for (int version : {0, TLS1_2_VERSION}) {
    CAPTURE(version);
    TlsPair p(4096, ClientOptions{version});
    p.handshake();
    // Mixed sizes: small entries gathered into one record, large ones (some
    // over 16 KiB, one exactly 16 KiB) cut into records where they are.
    const std::vector<size_t> sizes = {1,     300, 20000, 7,   16384, 5000, 70000, 16383,
                                       16385, 2,   40000, 900, 33000, 1,    5,     100000};
    std::vector<uint8_t> want;
    for (size_t i = 0; i < sizes.size(); ++i) append(&want, pattern(sizes[i], uint8_t(i * 37)));

    // The first writev stops on a record the full socket cannot take: its
    // bytes count as taken, and the transport wants a flush.
    std::vector<iovec> iov = iovecs_over(want, sizes, 0);
    IoResult r = p.t->writev(iov.data(), int(iov.size()));
    REQUIRE(r.status == Io::kWouldBlock);
    REQUIRE(r.bytes > 0);
    REQUIRE(r.bytes < want.size());
    CHECK(p.t->wants_flush());
    const size_t taken = r.bytes;
    // While that record waits, writev takes nothing more.
    IoResult again = p.t->writev(iov.data(), int(iov.size()));
    CHECK(again.status == Io::kWouldBlock);
    CHECK(again.bytes == 0);

    std::vector<uint8_t> got;
    p.finish(&got);
    REQUIRE(got.size() == taken);
    CHECK(std::equal(got.begin(), got.end(), want.begin()));

    // The rest as a connection writes it: write_iovecs, then flush on EV_WRITE.
    iov = iovecs_over(want, sizes, taken);
    size_t idx = 0, written = 0;
    int pending_records = 0;
    for (int round = 0; round < 100000 && idx < iov.size(); ++round) {
      size_t before = written;
      r = worker::write_iovecs(*p.t, iov.data(), iov.size(), &idx, &written);
      if (r.status == Io::kOk) break;
      REQUIRE(r.status == Io::kWouldBlock);
      if (written > before && p.t->wants_flush()) pending_records++;
      p.finish(&got);
      CHECK(got.size() == taken + written);  // what was reported, no more, no less
    }
    p.finish(&got);
    CHECK(idx == iov.size());
    CHECK(taken + written == want.size());
    CHECK(got.size() == want.size());
    CHECK(got == want);
    CHECK(pending_records > 0);
  }
}

TEST_CASE("TlsTransport: recv fills the buffer across records; buffered() tells held bytes") {
  TlsPair p;
  p.handshake();
  auto data = pattern(100000, 5);
  size_t sent = p.client_send(data.data(), data.size());
  REQUIRE(sent > 3 * kRecord);

  std::vector<uint8_t> got(40000);
  IoResult r = p.t->recv(got.data(), got.size());
  CHECK(r.status == Io::kOk);
  CHECK(r.bytes == 40000);  // three records' worth, the third one read in part
  CHECK(p.t->buffered());
  CHECK(std::equal(got.begin(), got.end(), data.begin()));

  std::vector<uint8_t> buf(65536);
  for (int round = 0; round < 1000 && got.size() < data.size(); ++round) {
    sent += p.client_send(data.data() + sent, data.size() - sent);
    r = p.t->recv(buf.data(), buf.size());
    if (r.status == Io::kWouldBlock) continue;
    REQUIRE(r.status == Io::kOk);
    got.insert(got.end(), buf.begin(), buf.begin() + long(r.bytes));
  }
  CHECK(got == data);
  CHECK(p.t->recv(buf.data(), buf.size()).status == Io::kWouldBlock);
  CHECK_FALSE(p.t->buffered());

  // One small record, read a few bytes at a time: OpenSSL took the whole
  // record off the socket, so no EV_READ would come for the rest; buffered()
  // says it is there.
  auto small = pattern(1000, 6);
  REQUIRE(p.client_send(small.data(), small.size()) == small.size());
  CHECK(p.socket_readable());
  r = p.t->recv(buf.data(), 10);
  CHECK(r.status == Io::kOk);
  CHECK(r.bytes == 10);
  CHECK_FALSE(p.socket_readable());
  CHECK(p.t->buffered());
  r = p.t->recv(buf.data() + 10, buf.size() - 10);
  CHECK(r.status == Io::kOk);
  CHECK(r.bytes == 990);
  CHECK(std::equal(small.begin(), small.end(), buf.begin()));
  CHECK_FALSE(p.t->buffered());

  // The client's close_notify, then its socket closed: both are the end.
  REQUIRE(SSL_shutdown(p.client.get()) >= 0);
  CHECK(p.t->recv(buf.data(), buf.size()).status == Io::kClosed);
}

TEST_CASE("TlsTransport: a peer that leaves without close_notify is kClosed") {
  TlsPair p;
  p.handshake();
  p.client_fd.reset();
  uint8_t buf[64];
  CHECK(p.t->recv(buf, sizeof buf).status == Io::kClosed);
}

TEST_CASE("TlsTransport: sendfile sends a file from the offset, byte for byte") {
  char path[] = "/tmp/srs-tls-transport-XXXXXX";
  base::Fd file(::mkstemp(path));
  REQUIRE(file.valid());
  ::unlink(path);
  auto data = pattern(150000, 9);
  REQUIRE(::write(file.get(), data.data(), data.size()) == ssize_t(data.size()));

  TlsPair p(4096);
  p.handshake();
  off_t offset = 1000;  // a range, as for an HTTP Range request
  std::vector<uint8_t> got;
  int taken_blocked = 0;
  for (int round = 0; round < 100000 && offset < off_t(data.size()); ++round) {
    off_t before = offset;
    IoResult r = p.t->sendfile(file.get(), &offset, data.size() - size_t(offset));
    REQUIRE((r.status == Io::kOk || r.status == Io::kWouldBlock));
    CHECK(offset == before + off_t(r.bytes));
    if (r.status == Io::kWouldBlock && r.bytes > 0) taken_blocked++;
    p.finish(&got);
  }
  p.finish(&got);
  CHECK(offset == off_t(data.size()));
  CHECK(got == std::vector<uint8_t>(data.begin() + 1000, data.end()));
  CHECK(taken_blocked > 0);
  // The file ended before `count` bytes: kClosed (it shrank while being sent).
  CHECK(p.t->sendfile(file.get(), &offset, 10).status == Io::kClosed);
}

TEST_CASE("TlsTransport: a client that does not speak TLS is an error naming the handshake") {
  struct Case {
    const char* what;
    std::string bytes;
  };
  std::string c0c1(1537, '\0');
  c0c1[0] = '\x03';  // RTMP's C0, then C1
  const Case cases[] = {
      {"plain RTMP", c0c1},
      {"plain HTTP", "GET /live/cam.flv HTTP/1.1\r\nHost: localhost\r\n\r\n"},
      {"a broken ClientHello", std::string("\x16\x03\x01\x00\x08\x01\x00\x00\x04garb", 13)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    TlsPair p;
    REQUIRE(::write(p.client_fd.get(), c.bytes.data(), c.bytes.size()) == ssize_t(c.bytes.size()));
    uint8_t buf[64];
    IoResult r = p.t->recv(buf, sizeof buf);
    CHECK(r.status == Io::kError);
    CHECK_FALSE(p.t->established());
    std::string text = p.t->error_text(r);
    CHECK_MESSAGE(text.rfind("TLS handshake: ", 0) == 0, text);
    CHECK(text.size() > std::strlen("TLS handshake: "));
  }
  ERR_clear_error();
}

// RFC 6066 section 4: a client (an embedded one, typically) may ask for
// records of at most 512 bytes. SSL_write_ex then writes one such record and
// returns (SSL_MODE_ENABLE_PARTIAL_WRITE), and the transport must report
// only what it took and continue from there (once it moved past the whole
// length offered while counting 512: the client got skipped and repeated
// bytes).
TEST_CASE("TlsTransport: a client's max_fragment_length gets the bytes it was sent, in order") {
  TlsPair p(0, ClientOptions{0, TLSEXT_max_fragment_length_512});
  p.handshake();
  const std::vector<size_t> sizes = {100, 20000, 300, 5000};
  std::vector<uint8_t> want;
  for (size_t i = 0; i < sizes.size(); ++i) append(&want, pattern(sizes[i], uint8_t(i * 11)));
  std::vector<iovec> iov = iovecs_over(want, sizes, 0);
  size_t idx = 0, written = 0;
  std::vector<uint8_t> got;
  for (int round = 0; round < 1000 && idx < iov.size(); ++round) {
    IoResult r = worker::write_iovecs(*p.t, iov.data(), iov.size(), &idx, &written);
    REQUIRE(r.status != Io::kError);
    p.finish(&got);
  }
  p.finish(&got);
  CHECK(written == want.size());
  CHECK(got.size() == want.size());
  CHECK(got == want);
}
