// HookClient over TLS inside one loop: an https callback server (libevent's
// evhttp with an OpenSSL bufferevent, a self-signed certificate for IP
// 127.0.0.1 made here) and what the client sees: verification on and off, a
// CA file, the host name check and SNI, and the reasons of failures; a call
// cancelled or timed out in the middle of its handshake.
#include "worker/hooks/hook_client.hpp"

#include <doctest/doctest.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "t/unit/worker/event_loop_fixture.hpp"

using namespace srs;
using namespace srs::worker;
using namespace std::chrono_literals;

namespace {

// A self-signed P-256 certificate for CN and subjectAltName IP:127.0.0.1.
struct Certificate {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();

  Certificate() {
    REQUIRE(key);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    REQUIRE(san);
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  }
  ~Certificate() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  // Writes the certificate as PEM (a CA file that trusts exactly it).
  std::string write_pem() const {
    char path[] = "/tmp/hook-client-test-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE* f = fdopen(fd, "w");
    PEM_write_X509(f, cert);
    fclose(f);
    return path;
  }
};

// An https callback server answering 200 "0" to everything, with the SNI it saw.
struct TlsServer {
  event_base* base;
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  evhttp* http = nullptr;
  uint16_t port = 0;
  std::vector<std::string> bodies;
  std::vector<std::string> hosts;  // the Host headers
  std::string sni = "(none)";

  TlsServer(event_base* b, const Certificate& c) : base(b) {
    REQUIRE(SSL_CTX_use_certificate(ctx, c.cert) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(ctx, c.key) == 1);
    SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
    SSL_CTX_set_tlsext_servername_arg(ctx, this);
    http = evhttp_new(base);
    evhttp_set_bevcb(http, on_bev, this);
    evhttp_set_gencb(http, on_request, this);
    evhttp_bound_socket* s = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    REQUIRE(s);
    sockaddr_in sin{};
    socklen_t len = sizeof sin;
    getsockname(evhttp_bound_socket_get_fd(s), reinterpret_cast<sockaddr*>(&sin), &len);
    port = ntohs(sin.sin_port);
  }
  ~TlsServer() {
    evhttp_free(http);
    SSL_CTX_free(ctx);
  }

  static int on_servername(SSL* ssl, int*, void* arg) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    static_cast<TlsServer*>(arg)->sni = name ? name : "(none)";
    return SSL_TLSEXT_ERR_OK;
  }
  static bufferevent* on_bev(event_base* base, void* arg) {
    auto* self = static_cast<TlsServer*>(arg);
    return bufferevent_openssl_socket_new(base, -1, SSL_new(self->ctx), BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
  }
  static void on_request(evhttp_request* req, void* arg) {
    auto* self = static_cast<TlsServer*>(arg);
    evbuffer* in = evhttp_request_get_input_buffer(req);
    std::string body(evbuffer_get_length(in), '\0');
    evbuffer_copyout(in, body.data(), body.size());
    self->bodies.push_back(body);
    const char* host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
    self->hosts.push_back(host ? host : "");
    evbuffer* out = evbuffer_new();
    evbuffer_add(out, "0", 1);
    evhttp_send_reply(req, 200, "OK", out);
    evbuffer_free(out);
  }

  conf::HookUrl url(const char* host = "127.0.0.1", bool verify = true,
                    const std::string& ca_file = {}) const {
    conf::HookUrl u;
    std::string text = std::string("https://") + host + ":" + std::to_string(port) + "/hook";
    REQUIRE(conf::parse_hook_url(text, &u).empty());
    u.tls_verify = verify;
    u.tls_ca_file = ca_file;
    return u;
  }
};

using srs::test::Loop;

struct Outcome {
  bool called = false;
  HookResult result;
};

HookResult call(Loop& loop, HookClient& client, const conf::HookUrl& url,
                conf::Duration timeout = 2s) {
  Outcome o;
  uint64_t id = client.post(url, "{\"action\":\"on_publish\"}", timeout, [&](const HookResult& r) {
    o.called = true;
    o.result = r;
  });
  REQUIRE(id != 0);
  loop.run_until([&] { return o.called; }, 5000);
  REQUIRE(o.called);
  return o.result;
}

std::string port_of(const TlsServer& s) {
  return std::to_string(s.port);
}

}  // namespace

TEST_CASE("https: a self-signed server is refused against the system's CAs, with the reason") {
  Loop loop;
  Certificate cert;
  TlsServer server(loop.base, cert);
  HookClient client(loop.base);
  HookResult r = call(loop, client, server.url());
  CHECK(r.status == 0);
  CHECK(r.error == "TLS handshake with 127.0.0.1:" + port_of(server) +
                       " failed: certificate verify failed: self-signed certificate");
  CHECK(server.bodies.empty());
  CHECK(client.pending() == 0);
}

TEST_CASE("https: tls_verify false accepts it; the body and Host arrive; no SNI for an IP") {
  Loop loop;
  Certificate cert;
  TlsServer server(loop.base, cert);
  HookClient client(loop.base);
  HookResult r = call(loop, client, server.url("127.0.0.1", false));
  INFO(r.error);
  CHECK(r.status == 200);
  CHECK(r.body == "0");
  REQUIRE(server.bodies.size() == 1);
  CHECK(server.bodies[0] == "{\"action\":\"on_publish\"}");
  CHECK(server.hosts[0] == "127.0.0.1:" + port_of(server));
  CHECK(server.sni == "(none)");  // RFC 6066 section 3: no IP literal in SNI
}

TEST_CASE("https: a CA file that holds the certificate makes it trusted, for its IP only") {
  Loop loop;
  Certificate cert;
  TlsServer server(loop.base, cert);
  std::string pem = cert.write_pem();
  HookClient client(loop.base);
  HookResult r = call(loop, client, server.url("127.0.0.1", true, pem));
  INFO(r.error);
  CHECK(r.status == 200);
  // The same server by a name its certificate does not carry: refused; the name went as SNI.
  HookResult named = call(loop, client, server.url("localhost", true, pem));
  CHECK(named.status == 0);
  CHECK(named.error == "TLS handshake with localhost:" + port_of(server) +
                           " failed: certificate verify failed: hostname mismatch");
  CHECK(server.sni == "localhost");
  // Twice more through the cached contexts (one per CA file).
  CHECK(call(loop, client, server.url("127.0.0.1", true, pem)).status == 200);
  CHECK(call(loop, client, server.url("127.0.0.1")).status == 0);
  CHECK(server.bodies.size() == 2);
  unlink(pem.c_str());
}

TEST_CASE("https: a CA file without certificates ends the call with why, through the loop") {
  Loop loop;
  Certificate cert;
  TlsServer server(loop.base, cert);
  char path[] = "/tmp/hook-client-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "not a certificate\n", 18) == 18);
  close(fd);
  HookClient client(loop.base);
  HookResult r = call(loop, client, server.url("127.0.0.1", true, path));
  CHECK(r.status == 0);
  CHECK(r.error.find("TLS with 127.0.0.1:" + port_of(server) +
                     " not attempted: loading tls_ca_file " + path + " failed: ") == 0);
  CHECK(server.bodies.empty());
  unlink(path);
}

TEST_CASE("https: a plain HTTP server fails the handshake, and says so") {
  Loop loop;
  evhttp* plain = evhttp_new(loop.base);
  evhttp_bound_socket* s = evhttp_bind_socket_with_handle(plain, "127.0.0.1", 0);
  REQUIRE(s);
  sockaddr_in sin{};
  socklen_t len = sizeof sin;
  getsockname(evhttp_bound_socket_get_fd(s), reinterpret_cast<sockaddr*>(&sin), &len);
  conf::HookUrl url;
  REQUIRE(
      conf::parse_hook_url("https://127.0.0.1:" + std::to_string(ntohs(sin.sin_port)) + "/", &url)
          .empty());
  HookClient client(loop.base);
  HookResult r = call(loop, client, url);
  CHECK(r.status == 0);
  // It answered our ClientHello with "HTTP/1.1 400": not a TLS record.
  CHECK(r.error == "TLS handshake with " + url.host + ":" + std::to_string(url.port) +
                       " failed: wrong version number");
  evhttp_free(plain);
}

TEST_CASE("https: a handshake that never ends times out; cancel and shutdown mid-handshake") {
  Loop loop;
  int silent = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(silent, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  REQUIRE(listen(silent, 16) == 0);
  socklen_t len = sizeof sin;
  getsockname(silent, reinterpret_cast<sockaddr*>(&sin), &len);
  conf::HookUrl url;
  REQUIRE(
      conf::parse_hook_url("https://127.0.0.1:" + std::to_string(ntohs(sin.sin_port)) + "/", &url)
          .empty());
  {
    HookClient client(loop.base);
    HookResult r = call(loop, client, url, 300ms);
    CHECK(r.error == "timeout after 300 ms");
    CHECK(r.elapsed_ms >= 290);

    bool called = false;
    uint64_t id = client.post(url, "{}", 2s, [&](const HookResult&) { called = true; });
    REQUIRE(id != 0);
    loop.run_until([] { return false; }, 100);  // connected, the ClientHello sent
    client.cancel(id);
    CHECK(client.pending() == 0);
    loop.run_until([] { return false; }, 100);
    CHECK_FALSE(called);
    // Pending at destruction: freed, never called back.
    REQUIRE(client.post(url, "{}", 2s, [&](const HookResult&) { called = true; }) != 0);
    loop.run_until([] { return false; }, 50);
  }
  loop.run_until([] { return false; }, 50);
  close(silent);
}
