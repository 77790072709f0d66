"""TLS (RTMPS and HTTPS): rtmp.listen_tls, http_server.listen_tls and
http_api.listen_tls serve tls.certificate, or a vhost's own certificate to a
client that names the vhost (SNI); SIGHUP re-reads the certificates.

Real clients only: ffmpeg publishes over rtmps://, ffprobe and rtmpdump play
over rtmps:// and rtmp://, curl fetches HTTP-FLV, the playlist, a segment and
the API over https://, `openssl s_client` and `curl -v` tell which
certificate the server presented. The certificates are made by the `openssl`
command in each class's temporary folder. Every server and client is stopped
by pid, every wait is bounded."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest

from harness import (SRS, ClassScope, Probe, Proc, Server, assert_test_pattern, file_bytes,
                     flv_tags, free_port, make_folder, need_tools, publish_to, run, size_of,
                     to_yaml, wait_until)

# --- what the implementation logs and prints (kept here to be easy to change) ---

# A client whose first bytes are not a TLS ClientHello; {kind} is rtmp or http.
LOG_NOT_TLS = (r"{kind} client 127\.0\.0\.1:{port} closed: recv\(\) failed "
               r"\(TLS handshake: [^)\n]+\)")
LOG_RELOAD_DONE = r"reload done: generation {gen} serving"
LOG_OLD_STOPPED = r"worker slot \d+ generation {gen} draining \([^)]*\): stopped accepting"
LOG_RELOAD_REJECTED = r"reload rejected: \S*srs\.yaml:\d+:\d+: tls\.certificate: [^\n]*{file}"
LOG_RELOAD_FAILED = r"reload failed with 1 error\(s\); generation {gen} keeps running"

STREAM = "live/cam"


# --- certificates -----------------------------------------------------------

def make_certificate(folder, name, subject, dns):
    """folder/name.pem and name.key: a self-signed RSA certificate for `dns`
    and 127.0.0.1; returns (certificate path, key path)."""
    pem, key = os.path.join(folder, name + ".pem"), os.path.join(folder, name + ".key")
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
             "-out", pem, "-days", "30", "-subj", subject,
             "-addext", f"subjectAltName=DNS:{dns},IP:127.0.0.1"], timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"openssl req failed: {r.stderr}")
    return pem, key


def pem_of(path):
    """The first certificate of a PEM file, as its base64 text without line breaks."""
    with open(path) as f:
        return first_pem(f.read())


def first_pem(text):
    m = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    return "".join(m.group(1).split()) if m else None


def served_certificate(port, servername=None):
    """(subject, certificate as in pem_of) that 127.0.0.1:port presents to a
    client naming `servername` by SNI; None: a client that sends no SNI."""
    sni = ["-servername", servername] if servername else ["-noservername"]
    r = run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *sni], timeout=15, input="")
    subject = re.search(r"^subject=(.*)$", r.stdout, re.M)
    if not subject:
        raise AssertionError(f"openssl s_client to port {port} saw no certificate: "
                             f"{r.stdout[-1000:]}{r.stderr[-1000:]}")
    return subject.group(1).strip(), first_pem(r.stdout)


def curl_subject(url, *args):
    """The subject curl -v reports for the server's certificate ("CN=other.test")."""
    r = run(["curl", "-sS", "-k", "-v", "--max-time", "10", "-o", os.devnull, *args, url],
            timeout=20)
    m = re.search(r"^\*\s+subject: (.*)$", r.stderr, re.M)
    if r.returncode != 0 or not m:
        raise AssertionError(f"curl -v {url} failed ({r.returncode}): {r.stderr[-2000:]}")
    return m.group(1).strip()


# --- clients ------------------------------------------------------------------

def fetch(url, timeout=10):
    """The body of a GET through curl (-k: the certificates are self-signed; -f:
    an HTTP error is a failure)."""
    r = subprocess.run(["curl", "-sS", "-k", "-f", "--max-time", str(timeout), url],
                       capture_output=True, timeout=timeout + 10)
    if r.returncode != 0:
        raise AssertionError(f"curl {url} failed ({r.returncode}): "
                             f"{r.stderr.decode(errors='replace')}")
    return r.stdout


def publish(scope, srv, url, seconds):
    """harness.publish_to's test pattern to `url`, with a keyframe every 2 s."""
    return publish_to(scope, srv, url, seconds, gop=50)


def player(scope, srv, cmd, name):
    """A client writing what it receives to srv.dir/name; returns (proc, path)."""
    path = os.path.join(srv.dir, name)
    return Proc(scope, [*cmd, "-o", path], path + ".log"), path


def live_stream(srv):
    """The API's row for STREAM while its publisher is on, else None."""
    for s in srv.api("/api/v1/streams")["streams"]:
        if s["app"] + "/" + s["name"] == STREAM and s["publish"]["active"]:
            return s
    return None


def assert_media_flv(test, path, min_tags):
    """path is FLV whose tags are all audio, video or script data, with H.264
    and AAC among them: the TLS records carried the stream intact."""
    tags = flv_tags(path)
    test.assertGreaterEqual(len(tags), min_tags, path)
    test.assertEqual({t for t, *_ in tags} - {8, 9, 18}, set(), f"{path}: not FLV tags")
    test.assertTrue(any(t == 9 and first == 0x17 for t, _, first, _ in tags), "no AVC keyframe")
    test.assertTrue(any(t == 8 and first >> 4 == 10 for t, _, first, _ in tags), "no AAC")


def closed_without_answer(port, data):
    """Sends `data` to 127.0.0.1:port; returns (local port, what the server
    sent before closing) once it closes, within 10 s."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        local = s.getsockname()[1]
        s.sendall(data)
        got = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                return local, got
            except TimeoutError:
                break
            if not chunk:
                return local, got
            got += chunk
        raise AssertionError(f"port {port} still open 10 s after a non-TLS client wrote")


# --- RTMPS, HTTPS and SNI on one server with one publisher --------------------

class TlsStreamingTest(unittest.TestCase):
    """One worker: every client below is on the worker of the RTMPS publisher."""

    @classmethod
    def setUpClass(cls):
        need_tools("openssl", "ffmpeg", "ffprobe", "rtmpdump", "curl")
        certs = make_folder(cls, "srs-tls-certs-")
        cls.cert, cls.key = make_certificate(certs, "localhost", "/CN=localhost", "localhost")
        cls.other_cert, other_key = make_certificate(certs, "other", "/CN=other.test",
                                                     "other.test")
        cls.rtmps_port, cls.https_port, cls.api_tls_port = free_port(), free_port(), free_port()
        scope = ClassScope(cls)
        cls.srv = Server(scope, workers=1, extra={
            "tls": {"certificate": cls.cert, "key": cls.key},
            "rtmp": {"listen_tls": [f"127.0.0.1:{cls.rtmps_port}"]},
            "http_server": {"listen_tls": [f"127.0.0.1:{cls.https_port}"]},
            "http_api": {"listen_tls": [f"127.0.0.1:{cls.api_tls_port}"]},
            "vhosts": {"__defaultVhost__": {"hls": {"fragment": "2s", "window": "20s"}},
                       "other.test": {"tls": {"certificate": cls.other_cert, "key": other_key}}},
        }).start()
        cls.publisher = publish(scope, cls.srv, cls.rtmps_url(), seconds=180)
        wait_until(lambda: live_stream(cls.srv), 20, what="the RTMPS publisher")

    @classmethod
    def rtmps_url(cls):
        return f"rtmps://127.0.0.1:{cls.rtmps_port}/{STREAM}"

    def https_url(self, path):
        return f"https://127.0.0.1:{self.https_port}/{path}"

    def test_rtmps_publish_played_over_rtmps_and_rtmp(self):
        srv = self.srv
        # The publisher came in over TLS (its tcUrl says so) and is live.
        srv.wait_log(r"rtmp connect tcUrl=rtmps://127\.0\.0\.1:%d/live " % self.rtmps_port)
        tls_probe = Probe(self.rtmps_url())
        plain_probe = Probe(f"rtmp://127.0.0.1:{srv.rtmp_port}/{STREAM}")
        assert_test_pattern(self, tls_probe.streams(timeout=30))
        assert_test_pattern(self, plain_probe.streams(timeout=30))

        dump, path = player(self, srv, ["rtmpdump", "-q", "-v", "-r", self.rtmps_url()],
                            "rtmps.flv")
        wait_until(lambda: size_of(path) > 150_000, 30, what="rtmpdump receiving over rtmps")
        dump.stop()
        assert_media_flv(self, path, min_tags=50)
        self.assertTrue(self.publisher.alive(), self.publisher.output())

    def test_https_flv_hls_and_api(self):
        srv = self.srv
        curl, flv = player(self, srv, ["curl", "-sS", "-k", "-N", self.https_url(STREAM + ".flv")],
                           "https.flv")
        wait_until(lambda: size_of(flv) > 100_000, 30, what="curl receiving HTTP-FLV over https")
        curl.stop()
        with open(flv, "rb") as f:
            self.assertEqual(f.read(3), b"FLV")
        assert_media_flv(self, flv, min_tags=30)

        # The playlist and a segment over https: the bytes of the files on disk.
        live = os.path.join(srv.dir, "html", "live")
        m3u8 = os.path.join(live, "cam.m3u8")
        wait_until(lambda: file_bytes(m3u8).count(b"#EXTINF") >= 2, 30, what="two HLS segments")

        def playlist_as_on_disk():  # unless a segment closed in between
            before = file_bytes(m3u8)
            body = fetch(self.https_url(STREAM + ".m3u8"))
            return body if body in (before, file_bytes(m3u8)) else None

        text = wait_until(playlist_as_on_disk, 10, what="the https playlist to match the disk")
        segment = re.findall(rb"^(cam-\d+\.ts)$", text, re.M)[0].decode()
        on_disk = file_bytes(os.path.join(live, segment))
        self.assertGreater(len(on_disk), 10_000)
        self.assertEqual(fetch(self.https_url(f"live/{segment}")), on_disk)
        streams = Probe(self.https_url(STREAM + ".m3u8")).streams(timeout=40)
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])

        # The API over https answers what it answers over http.
        versions = fetch(f"https://127.0.0.1:{self.api_tls_port}/api/v1/versions")
        over_tls = json.loads(versions)
        self.assertEqual(over_tls["code"], 0)
        self.assertRegex(over_tls["data"]["version"], r"^\d+\.\d+\.\d+$")
        self.assertEqual(over_tls["data"], srv.api("/api/v1/versions")["data"])
        # Plain HTTP on the plain port still serves the files.
        plain = fetch(f"http://127.0.0.1:{srv.http_port}/live/{segment}")
        self.assertEqual(plain, on_disk)

    def test_sni_picks_the_vhost_certificate(self):
        port = self.https_port
        # curl sends the name it connects to; to an IP address it sends none.
        self.assertEqual(curl_subject(f"https://other.test:{port}/",
                                      "--resolve", f"other.test:{port}:127.0.0.1"),
                         "CN=other.test")
        self.assertEqual(curl_subject(f"https://127.0.0.1:{port}/"), "CN=localhost")
        self.assertEqual(curl_subject(f"https://localhost:{port}/",
                                      "--resolve", f"localhost:{port}:127.0.0.1"), "CN=localhost")
        # The exact certificates of the files, on every TLS listener.
        mine, other = pem_of(self.cert), pem_of(self.other_cert)
        for p in (self.https_port, self.rtmps_port, self.api_tls_port):
            with self.subTest(port=p):
                self.assertEqual(served_certificate(p, "other.test"), ("CN = other.test", other))
                # RFC 6066 section 3: host names compare without regard to case.
                self.assertEqual(served_certificate(p, "OTHER.Test")[1], other)
                self.assertEqual(served_certificate(p), ("CN = localhost", mine))  # no SNI
                self.assertEqual(served_certificate(p, "unknown.test"), ("CN = localhost", mine))

    def test_plain_clients_on_tls_ports_are_closed_and_the_publisher_goes_on(self):
        srv = self.srv
        dump, path = player(self, srv, ["rtmpdump", "-q", "-v", "-r", self.rtmps_url()],
                            "during-plain.flv")
        wait_until(lambda: size_of(path) > 50_000, 30, what="rtmpdump receiving over rtmps")
        before = live_stream(srv)

        # RTMP's C0 and C1, and an HTTP request: not a ClientHello.
        c0c1 = b"\x03" + bytes(4) + bytes(4) + os.urandom(1528)
        rtmp_local, rtmp_got = closed_without_answer(self.rtmps_port, c0c1)
        http_local, http_got = closed_without_answer(
            self.https_port, b"GET /live/cam.flv HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertFalse(rtmp_got.startswith(b"\x03"), "an RTMP handshake answered on RTMPS")
        self.assertNotIn(b"HTTP/1.", http_got)
        srv.wait_log(LOG_NOT_TLS.format(kind="rtmp", port=rtmp_local))
        srv.wait_log(LOG_NOT_TLS.format(kind="http", port=http_local))

        # Same publisher, still publishing; the player goes on.
        size = size_of(path)
        wait_until(lambda: size_of(path) > size + 50_000, 20, what="the player still receiving")
        after = live_stream(srv)
        self.assertIsNotNone(after, "the publisher is gone")
        self.assertEqual(after["publish"]["cid"], before["publish"]["cid"])
        self.assertGreater(after["recv_bytes"], before["recv_bytes"])
        self.assertTrue(self.publisher.alive(), self.publisher.output())
        self.assertTrue(dump.alive(), dump.output())
        dump.stop()
        assert_media_flv(self, path, min_tags=20)


# --- SIGHUP with new certificates -----------------------------------------------

class TlsReloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_tools("openssl", "ffmpeg", "curl")
        certs = make_folder(cls, "srs-tls-reload-")
        cls.first = make_certificate(certs, "first", "/CN=localhost/O=first", "localhost")
        cls.second = make_certificate(certs, "second", "/CN=localhost/O=second", "localhost")

    def install(self, pair):
        """Replaces the configured certificate and key files, each atomically."""
        for src, dst in zip(pair, (self.cert, self.key)):
            shutil.copyfile(src, dst + ".tmp")
            os.replace(dst + ".tmp", dst)

    def test_new_certificate_for_new_clients_connected_player_goes_on_bad_one_rejected(self):
        https_port = free_port()
        srv = Server(self, workers=1, extra={
            "http_server": {"listen_tls": [f"127.0.0.1:{https_port}"]},
            "vhosts": {"__defaultVhost__": {"hls": {"enabled": False}}}})
        self.srv = srv
        self.cert, self.key = os.path.join(srv.dir, "cert.pem"), os.path.join(srv.dir, "key.pem")
        self.install(self.first)
        srv.settings["tls"] = {"certificate": self.cert, "key": self.key}
        srv.write_config()
        srv.start()
        pub = publish(self, srv, f"rtmp://127.0.0.1:{srv.rtmp_port}/{STREAM}", seconds=90)
        wait_until(lambda: live_stream(srv), 20, what="the publisher")
        self.assertEqual(served_certificate(https_port),
                         ("CN = localhost, O = first", pem_of(self.first[0])))
        curl, flv = player(self, srv, ["curl", "-sS", "-k", "-N",
                                       f"https://127.0.0.1:{https_port}/{STREAM}.flv"], "old.flv")
        wait_until(lambda: size_of(flv) > 50_000, 20, what="the https player receiving")

        # Both files swapped, SIGHUP: a new generation with the new certificate.
        self.install(self.second)
        srv.signal(signal.SIGHUP)
        srv.wait_log(LOG_RELOAD_DONE.format(gen=2), timeout=20)
        srv.wait_log(LOG_OLD_STOPPED.format(gen=1))
        self.assertEqual(served_certificate(https_port),
                         ("CN = localhost, O = second", pem_of(self.second[0])))
        # The player of generation 1 keeps its connection and its stream.
        size = size_of(flv)
        wait_until(lambda: size_of(flv) > size + 100_000, 30,
                   what="the old generation's player still receiving")
        self.assertTrue(curl.alive(), curl.output())

        # Garbage for a certificate: the reload fails and changes nothing.
        with open(self.cert, "w") as f:
            f.write("this is not a certificate\n")
        srv.signal(signal.SIGHUP)
        srv.wait_log(LOG_RELOAD_REJECTED.format(file=re.escape(self.cert)), timeout=20)
        srv.wait_log(LOG_RELOAD_FAILED.format(gen=2))
        self.assertNotRegex(srv.log(), r"generation 3 starting")
        self.assertEqual(served_certificate(https_port),
                         ("CN = localhost, O = second", pem_of(self.second[0])))
        size = size_of(flv)
        wait_until(lambda: size_of(flv) > size + 50_000, 20, what="the player still receiving")
        self.assertTrue(pub.alive(), pub.output())
        curl.stop()
        assert_media_flv(self, flv, min_tags=100)
        srv.stop()


# --- srs -t: configurations that are refused ------------------------------------

class TlsConfigErrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_tools("openssl")
        cls.dir = make_folder(cls, "srs-tls-conf-")
        cls.a = make_certificate(cls.dir, "a", "/CN=localhost", "localhost")
        cls.b = make_certificate(cls.dir, "b", "/CN=other.test", "other.test")

    def check(self, settings):
        """srs -t on `settings`; returns (its stderr, the configuration's text)."""
        path = os.path.join(self.dir, "srs.yaml")
        text = to_yaml(settings) + "\n"
        with open(path, "w") as f:
            f.write(text)
        r = run([SRS, "-t", "-c", path], timeout=20, cwd=self.dir)
        self.assertNotEqual(r.returncode, 0, f"srs -t accepted:\n{text}\n{r.stdout}{r.stderr}")
        return r.stderr, text

    def assert_at(self, err, text, key, line_of, message):
        """err reports `key` at the value of the first line holding `line_of`
        ("certificate:"), as file:line:column, then `message` (a regex)."""
        lines = text.split("\n")
        line = next(i for i, s in enumerate(lines, 1) if line_of in s)
        column = lines[line - 1].index(line_of) + len(line_of) + 2  # 1-based, after ": "
        self.assertRegex(err, r"srs\.yaml:%d:%d: %s: %s" % (line, column, re.escape(key), message))

    def test_a_tls_listener_needs_tls_certificate(self):
        for section in ("rtmp", "http_server", "http_api"):
            with self.subTest(section=section):
                err, _ = self.check({section: {"listen_tls": [f"127.0.0.1:{free_port()}"]}})
                self.assertIn(f"{section}.listen_tls: TLS listeners need a certificate", err)
                self.assertIn("tls.certificate", err)

    def test_a_key_that_does_not_match_its_certificate(self):
        err, text = self.check({"tls": {"certificate": self.a[0], "key": self.b[1]},
                                "rtmp": {"listen_tls": [f"127.0.0.1:{free_port()}"]}})
        self.assert_at(err, text, "tls.certificate", "certificate:",
                       re.escape(f"the key in '{self.b[1]}' does not belong to the certificate "
                                 f"in '{self.a[0]}'"))
        # A vhost's certificate (SNI) is checked the same way.
        err, text = self.check({"vhosts": {"other.test": {"tls": {"certificate": self.b[0],
                                                                  "key": self.a[1]}}}})
        self.assert_at(err, text, "vhosts.other.test.tls.certificate", "certificate:",
                       "the key in .* does not belong to the certificate")

    def test_a_missing_or_garbage_certificate_file(self):
        missing = os.path.join(self.dir, "missing.pem")
        err, text = self.check({"tls": {"certificate": missing, "key": self.a[1]}})
        self.assert_at(err, text, "tls.certificate", "certificate:",
                       re.escape(f"cannot open '{missing}' (No such file or directory)"))
        garbage = os.path.join(self.dir, "garbage.pem")
        with open(garbage, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
        err, text = self.check({"tls": {"certificate": garbage, "key": self.a[1]}})
        self.assert_at(err, text, "tls.certificate", "certificate:",
                       re.escape(f"'{garbage}' holds no PEM certificate"))


if __name__ == "__main__":
    unittest.main()
