"""Who may publish and play (worker/access/gatekeeper.hpp) and the limits on
connections, publishers and players: signed tokens (vhosts.NAME.auth, HS256
and RS256) in ?token= or "Authorization: Bearer", also through an edge; the
client's address (vhosts.NAME.security); the page it comes from
(vhosts.NAME.refer); rtmp.max_connections_per_ip, publish.max_publishers,
play.max_players; http_server.header_timeout; and the configurations
`srs -t` refuses.

Real clients only: ffmpeg publishes a test pattern, ffprobe, rtmpdump and curl
play over RTMP, HTTP-FLV and HLS, plain sockets hold connections or trickle a
request head. Every refusal is checked three ways: the client fails (an
onStatus error, an HTTP 403, a connection closed at once), the log says why,
and the counters of /api/v1/workers and /metrics grow by one. One publisher
per server, short streams, one or two workers; every process is stopped by
pid, every wait is bounded."""
import json
import os
import re
import select
import signal
import socket
import time
import unittest

from forward_fixtures import metric_sum, metrics, wait_stream
from harness import (SRS, ClassScope, Probe, Proc, Server, assert_test_pattern, file_bytes,
                     flv_tags, make_folder, need_tools, publish_to, run, size_of, start_on_worker,
                     to_yaml, wait_until)
from jwt_token import make_rsa_keypair, make_token

# --- what the implementation logs (kept here to be easy to change) --------------

# A refused RTMP publish or play; {act} is publish or play, {key} vhost/app/stream.
LOG_RTMP_REFUSED = r"rtmp client 127\.0\.0\.1:\d+ closed: {act} {key} refused: {why}"
# A refused HTTP-FLV or HLS play.
LOG_HTTP_REFUSED = r"http client 127\.0\.0\.1:\d+: 403 Forbidden \(play {key} refused: {why}"
# A connection refused at accept for its address; {kind} is rtmp or http.
LOG_PER_IP = (r"{kind} client {ip}:\d+ refused: its address holds "
              r"rtmp\.max_connections_per_ip {limit} connections")
LOG_HEADER_TIMEOUT = (r"http client 127\.0\.0\.1:{port} closed: header timeout: no complete "
                      r"request head within {ms} ms; 0 requests, (\d+) bytes in")
LOG_KEEPALIVE_TIMEOUT = r"http client 127\.0\.0\.1:{port} closed: idle keep-alive timeout"
# On an origin: an edge's connect; on an edge: a pull starting.
LOG_UPSTREAM_CONNECT = r"rtmp connect from upstream server="
LOG_EDGE_PULLING = r"edge __defaultVhost__/live/cam: pulling from"

KEY = "__defaultVhost__/live/cam"
SECRET = "integration-test-secret-0123456789abcdef"  # 40 bytes
# Another loopback address, for a client that is not 127.0.0.1.
OTHER_IP = "127.0.0.2"


# --- fixtures -----------------------------------------------------------------------

def other_ip_usable():
    """Whether a socket can be bound to OTHER_IP (all of 127/8 is loopback on Linux)."""
    try:
        with socket.socket() as s:
            s.bind((OTHER_IP, 0))
        return True
    except OSError:
        return False


def publish(scope, srv, url, seconds):
    """harness.publish_to's test pattern to url, with a keyframe every second."""
    return publish_to(scope, srv, url, seconds, gop=25)


def publish_refused(test, srv, url, why):
    """A publish to url fails at once; ffmpeg prints the onStatus's description."""
    p = publish(test, srv, url, seconds=2)
    test.assertNotEqual(p.wait(20), 0, p.output())
    test.assertIn(f"Server error: {why}", p.output())


def rtmp(srv, stream="live/cam", token=None, vhost=None):
    query = [f"token={token}"] if token else []
    query += [f"vhost={vhost}"] if vhost else []
    return f"rtmp://127.0.0.1:{srv.rtmp_port}/{stream}" + ("?" + "&".join(query) if query else "")


def http(srv, path, token=None):
    return f"http://127.0.0.1:{srv.http_port}/{path}" + (f"?token={token}" if token else "")


def probe_streams(url, extra=(), timeout=20):
    """ffprobe's streams of url, given ffprobe options `extra`."""
    r = run(["ffprobe", "-hide_banner", "-v", "error", *extra, "-show_entries",
             "stream=codec_type,codec_name,width,height,sample_rate,channels", "-of", "json",
             url], timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"ffprobe {url} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)["streams"]


def play_refused(test, url, why, extra=()):
    """An RTMP play of url fails: ffprobe (options `extra`) exits non-zero
    with the onStatus's description; returns what it printed."""
    r = run(["ffprobe", "-hide_banner", "-v", "error", *extra, url], timeout=20)
    test.assertNotEqual(r.returncode, 0, f"ffprobe {url} played")
    test.assertIn(f"Server error: {why}", r.stderr)
    return r.stderr


def get(srv, url, headers=(), interface=None, timeout=5):
    """(HTTP status, body) of a GET through curl (status 0: no answer)."""
    path = os.path.join(srv.dir, f"get-{time.monotonic_ns()}")
    cmd = ["curl", "-sS", "--max-time", str(timeout), "-o", path, "-w", "%{http_code}"]
    for h in headers:
        cmd += ["-H", h]
    if interface:
        cmd += ["--interface", interface]
    r = run([*cmd, url], timeout=timeout + 10)
    try:
        with open(path, "rb") as f:
            body = f.read()
        os.unlink(path)
    except OSError:
        body = b""
    return int(r.stdout or 0), body


def flv_play(test, srv, url, headers=(), interface=None, size=40_000):
    """curl reads HTTP-FLV from url until `size` bytes arrived; asserts they
    are FLV with an H.264 keyframe and AAC."""
    path = os.path.join(srv.dir, f"play-{time.monotonic_ns()}.flv")
    cmd = ["curl", "-sS", "-N", "--max-time", "60", "-o", path]
    for h in headers:
        cmd += ["-H", h]
    if interface:
        cmd += ["--interface", interface]
    curl = Proc(test, [*cmd, url], path + ".log")
    wait_until(lambda: size_of(path) >= size or not curl.alive(), 20,
               what=f"{size} bytes of {url}")
    curl.stop()
    test.assertGreaterEqual(size_of(path), size, f"{url}: {curl.output()}")
    tags = flv_tags(path)
    test.assertTrue(any(t == 9 and first == 0x17 for t, _, first, _ in tags), "no AVC keyframe")
    test.assertTrue(any(t == 8 and first >> 4 == 10 for t, _, first, _ in tags), "no AAC")


def refusals(srv):
    """refused.* of /api/v1/workers, summed over the workers."""
    total = {}
    for w in srv.api("/api/v1/workers")["workers"]:
        for k, v in w["refused"].items():
            total[k] = total.get(k, 0) + v
    return total


def metric_refused(srv, kind):
    """/metrics' count of refusals of `kind` (token, address, refer: access;
    per_ip, publishers, players: limits)."""
    if kind in ("token", "address", "refer"):
        return metric_sum(metrics(srv), "srs_access_refused_total", reason=kind)
    return metric_sum(metrics(srv), "srs_limit_refused_total", limit=kind)


class Refusals:
    """Checks that what happens inside a `with` is refused exactly once, for
    `kind`: one more log line matching `log`, refused.{kind} of the API and
    its /metrics sample one higher, and no other refused.* changed."""

    def __init__(self, test, srv, kind, log):
        self.test, self.srv, self.kind, self.log = test, srv, kind, log

    def __enter__(self):
        self.lines = len(re.findall(self.log, self.srv.log()))
        self.api = refusals(self.srv)
        self.metric = metric_refused(self.srv, self.kind)
        return self

    def __exit__(self, kind, *_):
        if kind is not None:
            return False
        self.srv.wait_log(self.log, count=self.lines + 1)
        want = dict(self.api, **{self.kind: self.api[self.kind] + 1})
        wait_until(lambda: refusals(self.srv)[self.kind] >= want[self.kind], 5,
                   what=f"refused.{self.kind} at {want[self.kind]}")
        self.test.assertEqual(refusals(self.srv), want, self.log)
        self.test.assertEqual(metric_refused(self.srv, self.kind), self.metric + 1)
        self.test.assertEqual(len(re.findall(self.log, self.srv.log())), self.lines + 1)
        return False


def tampered(token):
    """token with one character of its payload changed (the signature then fails)."""
    head, payload, sig = token.split(".")
    i = len(payload) // 2
    return ".".join([head, payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1:],
                     sig])


def stream_row(srv, stream="live/cam"):
    """The API's row for stream, or None."""
    app, name = stream.split("/")
    for s in srv.api("/api/v1/streams?count=100")["streams"]:
        if s["app"] == app and s["name"] == name:
            return s
    return None


def live(srv, stream="live/cam"):
    """The API's row for stream while its publisher is on, else None."""
    s = stream_row(srv, stream)
    return s if s and s["publish"]["active"] else None


def wait_segments(srv, stream="live/cam", count=2):
    """The playlist on disk once it lists `count` segments."""
    m3u8 = os.path.join(srv.dir, "html", stream + ".m3u8")
    return wait_until(lambda: file_bytes(m3u8).count(b"#EXTINF") >= count and file_bytes(m3u8),
                      20, what=f"{count} HLS segments of {stream}").decode()


# --- 1. tokens, HS256 -------------------------------------------------------------------

class TokenTest(unittest.TestCase):
    """auth.publish and auth.play with an HS256 secret, one worker, one publisher."""

    @classmethod
    def setUpClass(cls):
        need_tools("ffmpeg", "ffprobe", "rtmpdump", "curl")
        scope = ClassScope(cls)
        # open.test has no rules and writes no HLS, but serves the same root:
        # its Host header must not open the default vhost's HLS files.
        cls.srv = Server(scope, workers=1, extra={"vhosts": {"__defaultVhost__": {
            "auth": {"jwt_secret": SECRET, "publish": True, "play": True},
            "hls": {"fragment": "1s", "window": "20s"}},
            "open.test": {"hls": {"enabled": False}}}}).start()
        token = make_token("live/cam", "publish", int(time.time()) + 300, secret=SECRET)
        cls.publisher = publish(scope, cls.srv, rtmp(cls.srv, token=token), seconds=60)
        wait_stream(cls.srv, "live", "cam")

    def token(self, stream="live/cam", act="play", ttl=300, **kw):
        return make_token(stream, act, int(time.time()) + ttl, secret=SECRET, **kw)

    def refusal(self, act, why, http=False, stream="live/cam"):
        """Refusals of a token for `act` on stream, logged with `why` (text)."""
        template = LOG_HTTP_REFUSED if http else LOG_RTMP_REFUSED
        return Refusals(self, self.srv, "token", template.format(
            act=act, key=re.escape("__defaultVhost__/" + stream), why=re.escape(why)))

    def test_valid_tokens_play_over_rtmp_and_http_flv(self):
        srv = self.srv
        before = refusals(srv)["token"]
        # The publisher came in with its token; players with theirs, and one
        # token for the whole app.
        exact = Probe(rtmp(srv, token=self.token()))
        wildcard = Probe(rtmp(srv, token=self.token("live/*")))
        assert_test_pattern(self, exact.streams(timeout=20))
        assert_test_pattern(self, wildcard.streams(timeout=20))
        flv_play(self, srv, http(srv, "live/cam.flv", token=self.token()))
        flv_play(self, srv, http(srv, "live/cam.flv"),
                 headers=[f"Authorization: Bearer {self.token()}"])
        self.assertEqual(refusals(srv)["token"], before)
        self.assertTrue(self.publisher.alive(), self.publisher.output())

    def test_refused_publishes(self):
        srv = self.srv
        cases = [
            ("expired", self.token("live/cam2", "publish", ttl=-60), "token refused: expired"),
            ("a play token", self.token("live/cam2", "play"), "token refused: wrong action"),
            ("missing", None, "token refused: no token"),
        ]
        for name, token, why in cases:
            with self.subTest(name), self.refusal("publish", why, stream="live/cam2"):
                publish_refused(self, srv, rtmp(srv, "live/cam2", token=token), why)
        self.assertIsNone(live(srv, "live/cam2"))

    def test_refused_rtmp_plays(self):
        srv = self.srv
        cases = [
            ("expired", self.token(ttl=-60), "token refused: expired"),
            ("another stream", self.token("live/other"), "token refused: wrong stream"),
            ("another app's wildcard", self.token("other/*"), "token refused: wrong stream"),
            ("a publish token", self.token(act="publish"), "token refused: wrong action"),
            ("tampered", tampered(self.token()), "token refused: bad signature"),
            ("another secret", make_token("live/cam", "play", int(time.time()) + 300,
                                          secret="x" * 40), "token refused: bad signature"),
            ("missing", None, "token refused: no token"),
        ]
        for name, token, why in cases:
            with self.subTest(name), self.refusal("play", why):
                play_refused(self, rtmp(srv, token=token), why)
        # The client is told how long ago its token expired; rtmpdump that the
        # stream is not found.
        with self.refusal("play", "token refused: expired"):
            err = play_refused(self, rtmp(srv, token=self.token(ttl=-3600)), "token refused: ")
        self.assertRegex(err, r"Server error: token refused: expired \(expired 36\d\d s ago\)")
        with self.refusal("play", "token refused: no token"):
            r = run(["rtmpdump", "-v", "-r", rtmp(srv), "-o", os.devnull], timeout=20)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NetStream.Play.StreamNotFound", r.stderr)

    def test_refused_http_flv_plays(self):
        srv = self.srv
        cases = [
            ("missing", [], None, "token refused: no token"),
            ("expired in the query", [], self.token(ttl=-60), "token refused: expired"),
            ("tampered bearer", [f"Authorization: Bearer {tampered(self.token())}"], None,
             "token refused: bad signature"),
            ("another stream's bearer", [f"Authorization: Bearer {self.token('live/x')}"], None,
             "token refused: wrong stream"),
        ]
        for name, headers, token, why in cases:
            with self.subTest(name), self.refusal("play", why, http=True):
                status, body = get(srv, http(srv, "live/cam.flv", token=token), headers)
                self.assertEqual((status, body), (403, b"403 Forbidden\n"))

    def test_hls_playlist_carries_the_token_to_its_segments(self):
        srv = self.srv
        token = self.token()
        wait_segments(srv)
        status, body = get(srv, http(srv, "live/cam.m3u8", token=token))
        self.assertEqual(status, 200, body)
        uris = [line for line in body.decode().splitlines() if line and not line.startswith("#")]
        self.assertGreaterEqual(len(uris), 2, body)
        for uri in uris:
            self.assertRegex(uri, r"^cam-\d+\.ts\?token=" + re.escape(token) + "$")

        # A segment with the token: the file on disk; without, or with
        # another stream's token: 403.
        segment = uris[0].split("?")[0]
        on_disk = file_bytes(os.path.join(srv.dir, "html", "live", segment))
        self.assertGreater(len(on_disk), 10_000)
        self.assertEqual(get(srv, http(srv, "live/" + uris[0])), (200, on_disk))
        with self.refusal("play", "token refused: no token", http=True):
            self.assertEqual(get(srv, http(srv, "live/" + segment))[0], 403)
        with self.refusal("play", "token refused: wrong stream", http=True):
            other = self.token("live/other")
            self.assertEqual(get(srv, http(srv, "live/" + segment, token=other))[0], 403)
        with self.refusal("play", "token refused: no token", http=True):
            self.assertEqual(get(srv, http(srv, "live/cam.m3u8"))[0], 403)

        # Another vhost's Host header does not lift the rules: the files
        # under the root are the default vhost's too.
        for path in ("live/cam.m3u8", "live/" + segment):
            r = run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                     "Host: open.test", http(srv, path)])
            self.assertEqual(r.stdout, "403", f"{path} with Host: open.test")

        # ffprobe follows the tokenized playlist to its segments.
        streams = Probe(http(srv, "live/cam.m3u8", token=token)).streams(timeout=30)
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])


# --- 1b. tokens, RS256 ------------------------------------------------------------------

class Rs256TokenTest(unittest.TestCase):
    """auth with jwt_public_key: RS256 publish and play tokens; no HS256 with
    the public key's text for a secret (algorithm confusion)."""

    @classmethod
    def setUpClass(cls):
        need_tools("ffmpeg", "ffprobe", "openssl")
        keys = make_folder(cls, "srs-access-rsa-")
        cls.private, cls.public = make_rsa_keypair(keys)
        cls.stranger, _ = make_rsa_keypair(make_folder(cls, "srs-access-rsa2-"))
        scope = ClassScope(cls)
        cls.srv = Server(scope, workers=1, extra={"vhosts": {"__defaultVhost__": {
            "auth": {"jwt_public_key": cls.public, "publish": True, "play": True},
            "hls": {"enabled": False}}}}).start()
        token = make_token("live/cam", "publish", int(time.time()) + 300,
                           private_key_pem_path=cls.private)
        cls.publisher = publish(scope, cls.srv, rtmp(cls.srv, token=token), seconds=30)
        wait_stream(cls.srv, "live", "cam")

    def test_rs256_plays_and_confused_or_foreign_tokens_are_refused(self):
        srv = self.srv
        exp = int(time.time()) + 300
        valid = make_token("live/cam", "play", exp, private_key_pem_path=self.private)
        assert_test_pattern(self, Probe(rtmp(srv, token=valid)).streams(timeout=20))

        with open(self.public) as f:
            public_text = f.read()
        confused = make_token("live/cam", "play", exp, secret=public_text)
        why = r"token refused: unsupported algorithm \(alg HS256, but no jwt_secret here\)"
        with Refusals(self, srv, "token",
                      LOG_RTMP_REFUSED.format(act="play", key=re.escape(KEY), why=why)):
            play_refused(self, rtmp(srv, token=confused), "token refused: unsupported algorithm")

        foreign = make_token("live/cam", "play", exp, private_key_pem_path=self.stranger)
        why = r"token refused: bad signature"
        with Refusals(self, srv, "token",
                      LOG_RTMP_REFUSED.format(act="play", key=re.escape(KEY), why=why)):
            play_refused(self, rtmp(srv, token=foreign), "token refused: bad signature")
        self.assertTrue(self.publisher.alive(), self.publisher.output())


# --- 2. tokens through an edge -----------------------------------------------------------

class EdgeTokenTest(unittest.TestCase):
    def test_the_edge_checks_first_and_passes_the_token_on(self):
        need_tools("ffmpeg", "ffprobe")
        auth = {"jwt_secret": SECRET, "play": True}
        origin = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": {
            "auth": auth, "hls": {"enabled": False}}}}).start()
        self.addCleanup(origin.stop)
        edge = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": {
            "auth": auth, "cluster": {"mode": "edge",
                                      "origins": [f"127.0.0.1:{origin.rtmp_port}"]}}}}).start()
        self.addCleanup(edge.stop)
        publish(self, origin, rtmp(origin), seconds=30)
        wait_stream(origin, "live", "cam")
        token = make_token("live/cam", "play", int(time.time()) + 300, secret=SECRET)

        # No token: refused by the edge before it does anything upstream.
        with Refusals(self, edge, "token", LOG_RTMP_REFUSED.format(
                act="play", key=re.escape(KEY), why="token refused: no token")):
            play_refused(self, rtmp(edge), "token refused: no token")

        # With a token: the edge pulls with it, the origin checks and admits it.
        assert_test_pattern(self, Probe(rtmp(edge, token=token)).streams(timeout=30))
        edge.wait_log(LOG_EDGE_PULLING)
        origin.wait_log(LOG_UPSTREAM_CONNECT)
        origin.wait_log(r"rtmp play " + re.escape(KEY) + r" \(param '\?token=")
        # The refused player started nothing upstream: one pull, one upstream
        # connection (the token's), and no token refusal at the origin (a pull
        # started by the player without one would have been refused there).
        self.assertEqual(len(re.findall(LOG_EDGE_PULLING, edge.log())), 1, edge.log()[-3000:])
        self.assertEqual(len(re.findall(LOG_UPSTREAM_CONNECT, origin.log())), 1)
        self.assertEqual(refusals(origin)["token"], 0)
        # The origin itself would refuse a player without one.
        with Refusals(self, origin, "token", LOG_RTMP_REFUSED.format(
                act="play", key=re.escape(KEY), why="token refused: no token")):
            play_refused(self, rtmp(origin), "token refused: no token")


# --- 3. client addresses ------------------------------------------------------------------

class SecurityTest(unittest.TestCase):
    """The default vhost denies plays from 127.0.0.1 but allows the rest of
    127/8 (a deny list wins); closed.test lets only 10/8 publish."""

    @classmethod
    def setUpClass(cls):
        need_tools("ffmpeg", "ffprobe", "rtmpdump", "curl")
        scope = ClassScope(cls)
        cls.srv = Server(scope, workers=1, extra={"vhosts": {
            "__defaultVhost__": {"security": {"play_deny": ["127.0.0.1/32"],
                                              "play_allow": ["127.0.0.0/8"]},
                                 "hls": {"fragment": "1s", "window": "20s"}},
            "closed.test": {"security": {"publish_allow": ["10.0.0.0/8"]}}}}).start()
        cls.publisher = publish(scope, cls.srv, rtmp(cls.srv), seconds=40)
        wait_stream(cls.srv, "live", "cam")

    def refusal(self, template, why):
        return Refusals(self, self.srv, "address",
                        template.format(act="play", key=re.escape(KEY), why=why))

    def test_play_deny_refuses_rtmp_http_flv_and_hls(self):
        srv = self.srv
        why = r"address 127\.0\.0\.1 is in security\.play_deny"
        with self.refusal(LOG_RTMP_REFUSED, why):
            r = run(["rtmpdump", "-v", "-r", rtmp(srv), "-o", os.devnull], timeout=20)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NetStream.Play.StreamNotFound", r.stderr)
        with self.refusal(LOG_RTMP_REFUSED, why):
            play_refused(self, rtmp(srv), "address 127.0.0.1 is in security.play_deny")
        with self.refusal(LOG_HTTP_REFUSED, why):
            self.assertEqual(get(srv, http(srv, "live/cam.flv")), (403, b"403 Forbidden\n"))
        playlist = wait_segments(srv)
        segment = re.findall(r"^(cam-\d+\.ts)$", playlist, re.M)[0]
        self.assertGreater(size_of(os.path.join(srv.dir, "html", "live", segment)), 10_000)
        with self.refusal(LOG_HTTP_REFUSED, why):
            self.assertEqual(get(srv, http(srv, "live/cam.m3u8"))[0], 403)
        with self.refusal(LOG_HTTP_REFUSED, why):
            self.assertEqual(get(srv, http(srv, "live/" + segment))[0], 403)
        # The publish from the same address goes on.
        self.assertTrue(live(srv), "the publisher is gone")
        self.assertTrue(self.publisher.alive(), self.publisher.output())

    def test_play_allow_admits_another_loopback_address(self):
        if not other_ip_usable():
            self.skipTest(f"cannot bind {OTHER_IP}")
        srv = self.srv
        before = refusals(srv)["address"]
        flv_play(self, srv, http(srv, "live/cam.flv"), interface=OTHER_IP)
        playlist = wait_segments(srv)
        segment = re.findall(r"^(cam-\d+\.ts)$", playlist, re.M)[0]
        status, body = get(srv, http(srv, "live/cam.m3u8"), interface=OTHER_IP)
        self.assertEqual(status, 200)
        self.assertIn(b"#EXTM3U", body)
        status, body = get(srv, http(srv, "live/" + segment), interface=OTHER_IP)
        self.assertEqual(status, 200)
        self.assertEqual(body, file_bytes(os.path.join(srv.dir, "html", "live", segment)))
        self.assertEqual(refusals(srv)["address"], before)

    def test_publish_allow_refuses_the_local_publisher(self):
        srv = self.srv
        why = r"address 127\.0\.0\.1 is not in security\.publish_allow"
        with Refusals(self, srv, "address", LOG_RTMP_REFUSED.format(
                act="publish", key=re.escape("closed.test/live/cam2"), why=why)):
            publish_refused(self, srv, rtmp(srv, "live/cam2", vhost="closed.test"),
                            "address 127.0.0.1 is not in security.publish_allow")
        self.assertIsNone(live(srv, "live/cam2"))


# --- 4. the page a client comes from ------------------------------------------------------

class ReferTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_tools("ffmpeg", "ffprobe", "curl")
        scope = ClassScope(cls)
        cls.srv = Server(scope, workers=1, extra={"vhosts": {"__defaultVhost__": {
            "refer": {"enabled": True, "play": ["example.com"]},
            "hls": {"enabled": False}}}}).start()
        cls.publisher = publish(scope, cls.srv, rtmp(cls.srv), seconds=30)
        wait_stream(cls.srv, "live", "cam")

    def test_http_flv_referer(self):
        srv = self.srv
        flv_play(self, srv, http(srv, "live/cam.flv"),
                 headers=["Referer: https://www.example.com/page"])
        cases = [
            ("another site", ["Referer: https://evil.test/"],
             r"page 'https://evil\.test/' is not of refer\.play's domains"),
            ("a lookalike", ["Referer: https://notexample.com/x"],
             r"page 'https://notexample\.com/x' is not of refer\.play's domains"),
            ("none", [], r"no page URL is not of refer\.play's domains"),
        ]
        for name, headers, why in cases:
            with self.subTest(name), Refusals(self, srv, "refer", LOG_HTTP_REFUSED.format(
                    key=re.escape(KEY), why=why)):
                self.assertEqual(get(srv, http(srv, "live/cam.flv"), headers),
                                 (403, b"403 Forbidden\n"))

    def test_rtmp_page_url(self):
        srv = self.srv
        page = ["-rtmp_pageurl", "https://example.com/x"]
        assert_test_pattern(self, probe_streams(rtmp(srv), page))
        why = "page 'https://evil.test/x' is not of refer.play's domains"
        with Refusals(self, srv, "refer", LOG_RTMP_REFUSED.format(
                act="play", key=re.escape(KEY), why=re.escape(why))):
            play_refused(self, rtmp(srv), why, ["-rtmp_pageurl", "https://evil.test/x"])
        with Refusals(self, srv, "refer", LOG_RTMP_REFUSED.format(
                act="play", key=re.escape(KEY),
                why=r"no page URL is not of refer\.play's domains")):
            play_refused(self, rtmp(srv), "no page URL is not of refer.play's domains")


# --- 5. connections per address ------------------------------------------------------------

C0C1 = b"\x03" + bytes(1536)  # RTMP's C0 and a C1 of zeros (the simple handshake)


def connect_from(ip, port):
    s = socket.socket()
    s.settimeout(5)
    s.bind((ip, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_until(s, done):
    got = b""
    while not done(got):
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError(f"closed by the server after {len(got)} bytes")
        got += chunk
    return got


def ask_hello(s):
    """GET /hello.txt (write_hello's file) on s; the answer."""
    s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return read_until(s, lambda got: got.endswith(b"hello\n"))


def hold_rtmp(test, port):
    """A connection from OTHER_IP that the server took: it answered C0C1 with
    S0S1S2; it then idles (handshake_timeout is long)."""
    s = connect_from(OTHER_IP, port)
    test.addCleanup(s.close)
    s.sendall(C0C1)
    read_until(s, lambda got: len(got) >= 1 + 2 * 1536)
    return s


def hold_http(test, port):
    """A keep-alive connection from OTHER_IP that the server took: it answered
    a request; it then idles (keepalive_timeout is long)."""
    s = connect_from(OTHER_IP, port)
    test.addCleanup(s.close)
    got = ask_hello(s)
    test.assertTrue(got.startswith(b"HTTP/1.1 200 "), got)
    return s


def closed_at_once(test, port):
    """A connection from OTHER_IP that the server closes without a byte."""
    with connect_from(OTHER_IP, port) as s:
        start = time.monotonic()
        try:
            got = s.recv(4096)
        except ConnectionResetError:
            got = b""
        test.assertEqual(got, b"")
        test.assertLess(time.monotonic() - start, 2.0)


def still_open(s):
    """True while the server has neither closed s nor sent on it (an idle
    connection gets nothing)."""
    return not select.select([s], [], [], 0)[0]


def clients_from(srv, ip):
    """{client id: worker pid} of the API's clients from ip."""
    return {c["id"]: c["worker_pid"] for c in srv.api("/api/v1/clients?count=100")["clients"]
            if c["ip"] == ip}


def write_hello(srv):
    html = srv.settings["http_server"]["dir"]
    os.makedirs(html, exist_ok=True)
    with open(os.path.join(html, "hello.txt"), "w") as f:
        f.write("hello\n")


class PerAddressLimitTest(unittest.TestCase):
    def test_connections_per_address_across_workers_and_a_worker_death(self):
        if not other_ip_usable():
            self.skipTest(f"cannot bind {OTHER_IP}")
        # The held connections come from OTHER_IP, so that this test's own
        # API requests (from 127.0.0.1) are not counted with them.
        srv = Server(self, workers=2, extra={
            "rtmp": {"max_connections_per_ip": 3, "handshake_timeout": "60s"},
            "http_server": {"header_timeout": "60s", "keepalive_timeout": "60s"},
            "vhosts": {"__defaultVhost__": {"hls": {"enabled": False}}}})
        write_hello(srv)
        srv.start()
        self.addCleanup(srv.stop)
        rtmp_refused = LOG_PER_IP.format(kind="rtmp", ip=re.escape(OTHER_IP), limit=3)
        http_refused = LOG_PER_IP.format(kind="http", ip=re.escape(OTHER_IP), limit=3)

        # RTMP and HTTP count together: three are taken, the fourth of
        # either kind is closed at accept.
        held = [hold_rtmp(self, srv.rtmp_port), hold_http(self, srv.http_port),
                hold_rtmp(self, srv.rtmp_port)]
        wait_until(lambda: len(clients_from(srv, OTHER_IP)) == 3, 5, what="3 clients listed")
        with Refusals(self, srv, "per_ip", rtmp_refused):
            closed_at_once(self, srv.rtmp_port)
        with Refusals(self, srv, "per_ip", http_refused):
            closed_at_once(self, srv.http_port)
        self.assertTrue(all(still_open(s) for s in held))
        # Another address is not concerned (the API answered from 127.0.0.1 too).
        with socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=5) as s:
            s.sendall(C0C1)
            read_until(s, lambda got: len(got) >= 1 + 2 * 1536)

        # One closed: its count is given back.
        held.pop(0).close()
        wait_until(lambda: len(clients_from(srv, OTHER_IP)) == 2, 5, what="2 clients listed")
        held.append(hold_rtmp(self, srv.rtmp_port))
        wait_until(lambda: len(clients_from(srv, OTHER_IP)) == 3, 5, what="3 clients listed")
        with Refusals(self, srv, "per_ip", rtmp_refused):
            closed_at_once(self, srv.rtmp_port)

        # A worker holding some of them dies: once the master reclaims its
        # clients, their counts are given back too.
        pids = list(clients_from(srv, OTHER_IP).values())
        victim = max(set(pids), key=pids.count)
        survivors = sum(1 for p in pids if p != victim)
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: len(clients_from(srv, OTHER_IP)) == survivors, 10,
                   what=f"the clients of worker {victim} reclaimed")
        self.assertEqual(sum(1 for s in held if still_open(s)), survivors)
        for _ in range(3 - survivors):
            held.append(hold_rtmp(self, srv.rtmp_port))
        lines = len(re.findall(rtmp_refused, srv.log()))
        closed_at_once(self, srv.rtmp_port)
        srv.wait_log(rtmp_refused, count=lines + 1)
        self.assertEqual(len(clients_from(srv, OTHER_IP)), 3)


# --- 6. publishers per vhost, players per stream --------------------------------------------

class StreamLimitTest(unittest.TestCase):
    def test_max_players_counts_rtmp_and_http_flv_on_every_worker(self):
        need_tools("ffmpeg", "ffprobe", "rtmpdump", "curl")
        srv = Server(self, workers=2, extra={"vhosts": {"__defaultVhost__": {
            "play": {"max_players": 2}, "hls": {"enabled": False}}}}).start()
        self.addCleanup(srv.stop)
        publish(self, srv, rtmp(srv), seconds=30)
        wait_stream(srv, "live", "cam")
        w1, w2 = srv.workers()

        # Two players, one on each worker, RTMP and HTTP-FLV.
        def rtmpdump():
            path = os.path.join(srv.dir, f"dump-{time.monotonic_ns()}.flv")
            return Proc(self, ["rtmpdump", "-q", "-v", "-r", rtmp(srv), "-o", path],
                        path + ".log"), path

        def curl():
            path = os.path.join(srv.dir, f"curl-{time.monotonic_ns()}.flv")
            return Proc(self, ["curl", "-sS", "-N", "--max-time", "60", "-o", path,
                               http(srv, "live/cam.flv")], path + ".log"), path

        dump, dump_path = start_on_worker(srv, w1, "rtmp play", rtmpdump)
        flv, flv_path = start_on_worker(srv, w2, "http-flv play", curl)
        wait_until(lambda: (live(srv) or {}).get("players") == 2, 10, what="2 players")

        why = re.escape(f"{KEY} has 2 players, play.max_players 2")
        with Refusals(self, srv, "players", LOG_RTMP_REFUSED.format(
                act="play", key=re.escape(KEY), why=why)):
            play_refused(self, rtmp(srv), f"{KEY} has 2 players, play.max_players 2")
        with Refusals(self, srv, "players", LOG_HTTP_REFUSED.format(key=re.escape(KEY),
                                                                    why=why)):
            self.assertEqual(get(srv, http(srv, "live/cam.flv")), (403, b"403 Forbidden\n"))
        sizes = size_of(dump_path), size_of(flv_path)
        wait_until(lambda: size_of(dump_path) > sizes[0] + 20_000
                   and size_of(flv_path) > sizes[1] + 20_000, 20, what="both players receiving")

        # One leaves: a new player is let in.
        dump.stop()
        wait_until(lambda: (live(srv) or {}).get("players") == 1, 10, what="1 player")
        assert_test_pattern(self, probe_streams(rtmp(srv)))
        self.assertTrue(flv.alive(), flv.output())

    def test_max_publishers_counts_live_streams_of_the_vhost(self):
        need_tools("ffmpeg")
        srv = Server(self, workers=2, extra={"vhosts": {"__defaultVhost__": {
            "publish": {"max_publishers": 1}, "hls": {"enabled": False}}}}).start()
        self.addCleanup(srv.stop)
        first = publish(self, srv, rtmp(srv, "live/one"), seconds=30)
        wait_stream(srv, "live", "one")
        other = [p for p in srv.workers() if p != live(srv, "live/one")["worker_pid"]][0]

        # A second stream, on the other worker: refused while the first is live.
        why = "vhost __defaultVhost__ has 1 live streams, publish.max_publishers 1"
        with Refusals(self, srv, "publishers", LOG_RTMP_REFUSED.format(
                act="publish", key=re.escape("__defaultVhost__/live/two"), why=re.escape(why))):
            start_on_worker(srv, other, "rtmp connect",
                            lambda: publish_refused(self, srv, rtmp(srv, "live/two"), why))
        self.assertIsNone(live(srv, "live/two"))
        self.assertTrue(first.alive(), first.output())

        # The first stops; its stream waits for a republish (republish_grace)
        # but is not live: the second is let in.
        first.stop()
        wait_until(lambda: (stream_row(srv, "live/one") or {}).get("state") == "lost", 10,
                   what="live/one lost")
        second = publish(self, srv, rtmp(srv, "live/two"), seconds=10)
        wait_stream(srv, "live", "two")
        self.assertTrue(second.alive(), second.output())


# --- 7. the request head's deadline -----------------------------------------------------------

def closed_now(s):
    """True once the server closed s (an end of file or a reset); never
    blocks. For a socket the server sends nothing more on."""
    if not select.select([s], [], [], 0)[0]:
        return False
    try:
        return s.recv(4096) == b""
    except ConnectionResetError:
        return True


class HeaderTimeoutTest(unittest.TestCase):
    def watch(self, slow, silent, keep):
        """Until the server closed all three (10 s at most): a byte to `slow`
        every 300 ms, a second request on `keep` 1.5 s after its first.
        Returns ({name: when closed}, when the second answer came, bytes trickled)."""
        closed, second, trickled = {}, None, 0
        start = time.monotonic()
        next_byte = start + 0.3
        while len(closed) < 3 and time.monotonic() < start + 10:
            now = time.monotonic()
            if "slow" not in closed and now >= next_byte:
                next_byte += 0.3
                try:
                    trickled += slow.send(b"X")
                except (BrokenPipeError, ConnectionResetError):
                    pass
            if second is None and now - start >= 1.5:
                # Idle between requests longer than header_timeout: still served.
                got = ask_hello(keep)
                self.assertTrue(got.startswith(b"HTTP/1.1 200 "), got)
                second = time.monotonic()
            for name, s in (("slow", slow), ("silent", silent), ("keep", keep)):
                if name not in closed and (name != "keep" or second) and closed_now(s):
                    closed[name] = time.monotonic()
            time.sleep(0.05)
        self.assertEqual(sorted(closed), ["keep", "silent", "slow"], closed)
        return closed, second, trickled

    def test_slow_and_silent_clients_are_closed_keep_alive_and_streams_go_on(self):
        need_tools("ffmpeg", "curl")
        srv = Server(self, workers=1, extra={
            "http_server": {"header_timeout": "1s", "keepalive_timeout": "3s"},
            "vhosts": {"__defaultVhost__": {"hls": {"enabled": False}}}})
        write_hello(srv)
        srv.start()
        self.addCleanup(srv.stop)
        publisher = publish(self, srv, rtmp(srv), seconds=30)
        wait_stream(srv, "live", "cam")
        path = os.path.join(srv.dir, "player.flv")
        player = Proc(self, ["curl", "-sS", "-N", "--max-time", "60", "-o", path,
                             http(srv, "live/cam.flv")], path + ".log")
        wait_until(lambda: size_of(path) > 20_000, 20, what="the HTTP-FLV player receiving")
        size = size_of(path)

        # A slowloris (a partial head, then a byte every 300 ms), a silent
        # client and a keep-alive client, on the player's worker.
        slow = socket.create_connection(("127.0.0.1", srv.http_port), timeout=5)
        started = {"slow": time.monotonic()}
        slow.sendall(b"GET / HTTP/1.1\r\n")
        silent = socket.create_connection(("127.0.0.1", srv.http_port), timeout=5)
        started["silent"] = time.monotonic()
        keep = socket.create_connection(("127.0.0.1", srv.http_port), timeout=5)
        for s in (slow, silent, keep):
            self.addCleanup(s.close)
        got = ask_hello(keep)
        self.assertTrue(got.startswith(b"HTTP/1.1 200 "), got)
        closed, second, trickled = self.watch(slow, silent, keep)

        # The slow one, however it trickled, and the silent one are closed at
        # header_timeout; the keep-alive one keepalive_timeout after its answer.
        for name in ("slow", "silent"):
            self.assertGreaterEqual(closed[name] - started[name], 0.9, name)
            self.assertLess(closed[name] - started[name], 2.5, name)
        self.assertGreaterEqual(closed["keep"] - second, 2.5)
        self.assertLess(closed["keep"] - second, 4.5)
        self.assertGreaterEqual(trickled, 2)
        slow_in = srv.wait_log(LOG_HEADER_TIMEOUT.format(port=slow.getsockname()[1], ms=1000))
        silent_in = srv.wait_log(LOG_HEADER_TIMEOUT.format(port=silent.getsockname()[1], ms=1000))
        self.assertGreaterEqual(int(slow_in[0]), len("GET / HTTP/1.1\r\n") + 2)
        self.assertEqual(int(silent_in[0]), 0)
        srv.wait_log(LOG_KEEPALIVE_TIMEOUT.format(port=keep.getsockname()[1]))
        self.assertEqual(srv.api("/api/v1/workers")["workers"][0]["header_timeouts"], 2)
        self.assertEqual(metric_sum(metrics(srv), "srs_http_header_timeouts_total"), 2)

        # The publisher and the player on the same worker went on throughout.
        self.assertGreater(size_of(path), size + 50_000)
        wait_until(lambda: size_of(path) > size + 100_000, 10, what="the player still receiving")
        self.assertTrue(player.alive(), player.output())
        self.assertTrue(publisher.alive(), publisher.output())


# --- 8. configurations srs -t refuses ----------------------------------------------------------

class AccessConfigErrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        need_tools("openssl")
        cls.dir = make_folder(cls, "srs-access-conf-")
        _, cls.public = make_rsa_keypair(cls.dir)
        small = make_folder(cls, "srs-access-conf-small-")
        _, cls.small_public = make_rsa_keypair(small, bits=1024)

    def check(self, vhost):
        """srs -t on a configuration with `vhost` as the default vhost's
        settings; returns its exit code and stderr."""
        path = os.path.join(self.dir, "srs.yaml")
        text = to_yaml({"vhosts": {"__defaultVhost__": vhost}}) + "\n"
        with open(path, "w") as f:
            f.write(text)
        r = run([SRS, "-t", "-c", path], timeout=20, cwd=self.dir)
        return r.returncode, r.stderr

    def refused(self, vhost, key, message):
        code, err = self.check(vhost)
        self.assertNotEqual(code, 0, f"srs -t accepted {vhost}")
        self.assertRegex(err, r"srs\.yaml:\d+:\d+: vhosts\.__defaultVhost__\.%s: %s"
                         % (re.escape(key), message))

    def test_good_settings_pass(self):
        code, err = self.check({
            "auth": {"jwt_secret": SECRET, "jwt_public_key": self.public, "play": True,
                     "publish": True},
            "security": {"play_deny": ["127.0.0.1/32"], "publish_allow": ["10.0.0.0/8", "::1"]},
            "refer": {"enabled": True, "play": ["example.com"]},
            "play": {"max_players": 2}, "publish": {"max_publishers": 1}})
        self.assertEqual(code, 0, err)

    def test_bad_keys(self):
        missing = os.path.join(self.dir, "missing.pem")
        with open(self.public) as f:
            pem = f.read()
        cases = [
            ("a short secret", {"jwt_secret": "x" * 31, "play": True}, "auth.jwt_secret",
             r"expected a secret of 32 to 4096 bytes .*got 31 bytes"),
            ("a long secret", {"jwt_secret": "x" * 4097, "play": True}, "auth.jwt_secret",
             r"expected a secret of 32 to 4096 bytes .*got 4097 bytes"),
            ("a PEM key for a secret", {"jwt_secret": pem, "play": True}, "auth.jwt_secret",
             r"the secret looks like a PEM key"),
            ("play without a key", {"play": True}, "auth.play", r"tokens need a key"),
            ("publish without a key", {"publish": True}, "auth.publish", r"tokens need a key"),
            ("a missing key file", {"jwt_public_key": missing, "play": True},
             "auth.jwt_public_key", re.escape(f"cannot open '{missing}'")),
            ("a 1024-bit key", {"jwt_public_key": self.small_public, "play": True},
             "auth.jwt_public_key", r".* is a 1024-bit RSA key; RS256 needs 2048 bits or more"),
        ]
        for name, auth, key, message in cases:
            with self.subTest(name):
                self.refused({"auth": auth}, key, message)

    def test_bad_addresses_and_domains(self):
        cases = [
            ({"security": {"play_deny": ["localhost"]}}, "security.play_deny[0]",
             r"expected an IP address or a CIDR range"),
            ({"security": {"publish_allow": ["10.0.0.0/8", "10.0.0.0/33"]}},
             "security.publish_allow[1]", r"expected an IP address or a CIDR range"),
            ({"refer": {"enabled": True, "play": ["https://example.com"]}}, "refer.play[0]",
             r"expected a domain \(example\.com; no scheme, port or path\), "
             r"got 'https://example\.com'"),
        ]
        for vhost, key, message in cases:
            with self.subTest(key):
                self.refused(vhost, key, message)


if __name__ == "__main__":
    unittest.main()
