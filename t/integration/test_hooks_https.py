"""HTTPS callbacks: the callbacks of issue #7 over TLS. The test makes its own
certificates with the `openssl` command (a CA and a server certificate for
IP 127.0.0.1 signed by it, and an unrelated self-signed one), runs a Python
https server on a free 127.0.0.1 port that answers like test_hooks.py's
(/auth accepts ?token=good, /deny refuses), and drives the real
server with ffmpeg (publish) and ffprobe / rtmpdump (play)."""
import os
import shutil
import socket
import tempfile
import unittest

from callbacks import CallbackServer
from harness import SRS, Server, ffprobe_ok, publish, rtmpdump, run, size_of, wait_until

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]


def openssl(*args, cwd):
    r = run(["openssl", *args], timeout=30, cwd=cwd)
    if r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {r.stderr}")


def make_certificates(folder):
    """ca.pem; server.pem/.key for IP 127.0.0.1 signed by the CA; self.pem/.key self-signed."""
    openssl("req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=srs test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    openssl("req", *EC, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
            cwd=folder)
    with open(os.path.join(folder, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem",
            cwd=folder)
    openssl("req", "-x509", *EC, "-keyout", "self.key", "-out", "self.pem", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", cwd=folder)


class HooksHttpsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("openssl"):
            raise unittest.SkipTest("no openssl command")
        cls.certs = tempfile.mkdtemp(prefix="srs-https-certs-")
        make_certificates(cls.certs)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)

    def cert(self, name):
        return os.path.join(self.certs, name)

    def signed_server(self):
        return CallbackServer(self, self.cert("server.pem"), self.cert("server.key"))

    def self_signed_server(self):
        return CallbackServer(self, self.cert("self.pem"), self.cert("self.key"))

    def start(self, hooks):
        hooks = dict({"enabled": True, "timeout": "3s"}, **hooks)
        return Server(self, workers=1,
                      extra={"vhosts": {"__defaultVhost__": {"http_hooks": hooks}}}).start()

    def test_a_server_signed_by_tls_ca_file_accepts_a_publish(self):
        cb = self.signed_server()
        srv = self.start({"tls_ca_file": self.cert("ca.pem"),
                          "on_publish": [cb.url("/auth?hook=publish")],
                          "on_unpublish": [cb.url("/notify")]})
        pub = publish(self, srv, stream="live/cam?token=good", seconds=30)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        event = wait_until(lambda: cb.of("on_publish", stream="cam"), 5, what="on_publish")[0]
        # The JSON body arrived over TLS with SRS's fields.
        self.assertEqual(event["_content_type"], "application/json")
        self.assertEqual(event["_path"], "/auth?hook=publish")
        self.assertEqual(event["_host"], f"127.0.0.1:{cb.port}")
        self.assertEqual((event["vhost"], event["app"], event["stream"]),
                         ("__defaultVhost__", "live", "cam"))
        self.assertEqual(event["param"], "?token=good")
        self.assertEqual(event["ip"], "127.0.0.1")
        self.assertTrue(event["server_id"] and event["service_id"] and event["client_id"], event)
        srv.wait_log(r"callback on_publish https://127\.0\.0\.1:\d+/auth\?hook=publish: HTTP 200, accepted")
        # A bad token is refused over https too, by the callback server's answer.
        bad = publish(self, srv, stream="live/other?token=bad", seconds=30)
        self.assertNotEqual(bad.wait(15), 0)
        self.assertIn("rejected by the on_publish callback", bad.output())
        self.assertTrue(pub.alive())
        pub.stop()
        wait_until(lambda: cb.of("on_unpublish", stream="cam"), 5, what="on_unpublish")

    def test_a_self_signed_server_is_refused_when_verifying(self):
        cb = self.self_signed_server()
        srv = self.start({"on_publish": [cb.url("/auth")]})  # the system's CAs
        pub = publish(self, srv, stream="live/cam?token=good", seconds=30)
        self.assertNotEqual(pub.wait(15), 0)
        self.assertIn("rejected by the on_publish callback", pub.output())
        # Refused for the certificate, at the handshake (not after the timeout).
        srv.wait_log(r"callback on_publish https://127\.0\.0\.1:\d+/auth: TLS handshake with "
                     r"127\.0\.0\.1:\d+ failed: certificate verify failed: self[- ]signed certificate")
        self.assertNotIn("timeout after", srv.log())
        self.assertNotRegex(srv.log(), r"rtmp publish __defaultVhost__/live/cam")
        self.assertEqual(cb.of("on_publish"), [])  # no request went through

    def test_a_certificate_for_another_name_is_refused(self):
        # Signed by the trusted CA, but for IP 127.0.0.1, not the name "localhost".
        cb = self.signed_server()
        srv = self.start({"tls_ca_file": self.cert("ca.pem"),
                          "on_publish": [cb.url("/auth", host="localhost")]})
        pub = publish(self, srv, stream="live/cam?token=good", seconds=30)
        self.assertNotEqual(pub.wait(15), 0)
        srv.wait_log(r"callback on_publish https://localhost:\d+/auth: TLS handshake with "
                     r"localhost:\d+ failed: certificate verify failed: [Hh]ostname mismatch")
        self.assertEqual(cb.of("on_publish"), [])

    def test_a_self_signed_server_is_accepted_without_verifying(self):
        cb = self.self_signed_server()
        srv = self.start({"tls_verify": False, "on_publish": [cb.url("/auth")]})
        # Said once at load, where the operator looks (the log file or the terminal).
        stderr = os.path.join(srv.dir, "stderr.txt")

        def warned():
            with open(stderr, errors="replace") as f:
                return "tls_verify is false" in srv.log() + f.read()

        wait_until(warned, 5, what="the tls_verify warning")
        pub = publish(self, srv, stream="live/cam?token=good", seconds=30)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        self.assertEqual(len(cb.of("on_publish", stream="cam")), 1)
        self.assertTrue(pub.alive())

    def test_a_handshake_that_never_ends_times_out(self):
        # A TCP listener that never answers the ClientHello: the kernel accepts, nobody speaks.
        silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(silent.close)
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        srv = self.start({"timeout": "1s", "on_publish": [f"https://127.0.0.1:{port}/auth"]})
        pub = publish(self, srv, stream="live/cam?token=good", seconds=30)
        self.assertNotEqual(pub.wait(15), 0)
        srv.wait_log(r"callback on_publish https://127\.0\.0\.1:\d+/auth: timeout after 1000 ms")

    def test_a_ca_file_without_certificates_refuses_with_the_reason(self):
        cb = self.signed_server()
        not_pem = os.path.join(self.certs, "not-a-ca.txt")
        with open(not_pem, "w") as f:
            f.write("not a certificate\n")
        srv = self.start({"tls_ca_file": not_pem, "on_publish": [cb.url("/auth")]})
        pub = publish(self, srv, stream="live/cam?token=good", seconds=30)
        self.assertNotEqual(pub.wait(15), 0)
        srv.wait_log(r"callback on_publish https://127\.0\.0\.1:\d+/auth: TLS with 127\.0\.0\.1:\d+ "
                     r"not attempted: loading tls_ca_file .*not-a-ca\.txt failed: ")
        self.assertEqual(cb.of("on_publish"), [])

    def test_an_unreadable_ca_file_is_a_configuration_error(self):
        srv = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": {"http_hooks": {
            "enabled": True, "tls_ca_file": os.path.join(self.certs, "missing.pem")}}}})
        r = run([SRS, "-t", "-c", srv.conf_path], timeout=15)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stdout + r.stderr,
                         r"srs\.yaml:\d+:\d+: vhosts\.__defaultVhost__\.http_hooks\.tls_ca_file: "
                         r"cannot read '.*missing\.pem' \(2: No such file or directory\)")

    def test_on_play_over_https_refuses_players(self):
        cb = self.signed_server()
        srv = self.start({"tls_ca_file": self.cert("ca.pem"),
                          "on_publish": [cb.url("/auth")],
                          "on_play": [cb.url("/deny")]})
        publish(self, srv, stream="live/cam?token=good", seconds=40)
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam ", timeout=15)
        self.assertFalse(ffprobe_ok(f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam"))
        player, path = rtmpdump(self, srv, stream="live/cam")
        self.assertNotEqual(player.wait(15), 0)
        self.assertLess(size_of(path), 1000)  # no media, at most rtmpdump's FLV header
        plays = cb.of("on_play", stream="cam")
        self.assertEqual(len(plays), 2, cb.events)
        srv.wait_log(r"callback on_play https://127\.0\.0\.1:\d+/deny: HTTP 200, refused", count=2)


if __name__ == "__main__":
    unittest.main()
