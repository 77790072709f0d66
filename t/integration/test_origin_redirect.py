"""What an origin of a cluster does for a player asking for a stream another
origin holds (origin_cluster.redirect, man/srs.yaml.5): with redirect: true
it sends the player to the holder (SRS's RTMP 302 onStatus; HTTP 302 for
HTTP-FLV and HLS), with redirect: false it pulls the stream through from the
holder, one upstream for the whole server. A stream nobody holds is served
as without a cluster. And the recipe for HLS at scale, etc/nginx-hls-cache.conf:
nginx caching in front of the origins, each segment fetched from them once.

Three origins around one Redis (a redis-server of each test class, on a free
127.0.0.1 port): A (127.0.0.1) holds the streams, B (127.0.0.2) redirects, C
(127.0.0.3) pulls through. Each server listens on its own loopback address so
that the endpoints of a lease are not wildcards. The publishers send a
4-second clip in a loop with -c copy (encoded once per run): H.264 320x240
with a keyframe every second and stereo AAC, no encoding while the tests run.

Which RTMP clients follow the RTMP 302: none of those installed. ffmpeg 5.1
(and ffprobe) stop with "Server error: RTMP 302 Redirect"; rtmpdump 2.4
stops on the closed connection. The onStatus itself is read by rtmp_player.py
(handshake, connect, createStream, play; the AMF0 commands decoded).

Every process is stopped by pid, every wait is bounded."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import edge_fixtures as ef
import harness
import test_api  # parse_metrics (the module only: its TestCase stays out of this module)
from harness import (ROOT, ClassScope, HostServer, Probe, Proc, assert_test_pattern, free_port,
                     run, size_of, wait_until)
from redis_fixture import RedisServer
from rtmp_player import RtmpPlayer, statuses

VHOST = "__defaultVhost__"
FRAGMENT_S = 2     # hls.fragment of every origin
IDLE_TIMEOUT_S = 1  # cluster.idle_timeout of C
WAIT_PUBLISHER_S = 1  # http_server.wait_publisher of every origin
RECIPE = os.path.join(ROOT, "etc", "nginx-hls-cache.conf")

# --- what the implementation logs (kept here to be easy to change) -------------
LOG_RTMP_302 = r"play redirected \(RTMP 302\) to origin {server}: {url}"
LOG_HTTP_302 = r"http play {key}: held by origin {server}; 302 to {url}"
LOG_PULL_THROUGH = (r"(?:rtmp|http) play {key}: held by origin {server} \(rtmp {rtmp}\); "
                    r"pulling it through")
LOG_PULL_STARTS = r"edge {key}: pulling from 1 origins"
LOG_PULL_STOPS = r"edge {key}: the pull stops: no player for cluster\.idle_timeout"
LOG_HLS_PULL_404 = (r"404 Not Found \({path}: pulling it from origin {server}; "
                    r"the playlist comes with the first segment\)")
LOG_NO_PUBLISHER = r"http-flv {key}: no publisher within {ms} ms"
LOG_RTMP_PLAY = r"rtmp play {key} "


def key(stream):
    return f"{VHOST}/{stream}"


def rx(template, **values):
    return template.format(**{k: re.escape(str(v)) for k, v in values.items()})


CLIP = None  # the looped clip, made by setUpModule


def setUpModule():
    global CLIP
    missing = [t for t in ("ffmpeg", "ffprobe", "rtmpdump", "curl", "redis-server", "redis-cli",
                           "nginx") if not shutil.which(t)]
    if missing:
        raise unittest.SkipTest(f"not installed: {', '.join(missing)}")
    folder = tempfile.mkdtemp(prefix="srs-clip-")
    unittest.addModuleCleanup(shutil.rmtree, folder, True)
    CLIP = os.path.join(folder, "clip.flv")
    r = run(["ffmpeg", "-hide_banner", "-loglevel", "error",
             "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "4",
             "-c:v", "libx264", "-preset", "veryfast", "-threads", "1",
             "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
             "-c:a", "aac", "-ac", "2", "-f", "flv", CLIP], timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"encoding the clip failed: {r.stderr}")


# --- the origins -------------------------------------------------------------------------

class Origin(HostServer):
    """An origin of redis's cluster, one worker, every listener on `host`."""

    def __init__(self, scope, host, server_id, redis, redirect, cluster=None):
        super().__init__(scope, host, workers=1)
        self.server_id = server_id
        s = self.settings
        s["server_id"] = server_id
        s["http_server"]["wait_publisher"] = f"{WAIT_PUBLISHER_S}s"
        s["origin_cluster"] = {"directory": redis.url, "redirect": redirect}
        vhost = {"hls": {"fragment": f"{FRAGMENT_S}s", "window": "10s"}}
        if cluster:
            vhost["cluster"] = cluster
        s["vhosts"] = {VHOST: vhost}
        self.write_config()
        scope.addCleanup(self.stop)

    @property
    def rtmp_endpoint(self):
        return f"{self.host}:{self.rtmp_port}"

    @property
    def http_endpoint(self):
        return f"{self.host}:{self.http_port}"

    def rtmp_url(self, stream):
        return f"rtmp://{self.rtmp_endpoint}/{stream}"

    def http_url(self, path):
        return f"http://{self.http_endpoint}/{path}"

    def metrics(self):
        return test_api.parse_metrics(self.metrics_text())[1]

    def count(self, pattern):
        return len(re.findall(pattern, self.log()))


def publish_clip(scope, origin, stream):
    """ffmpeg sending the clip in a loop, as it is (-c copy), to origin's stream."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
           "-i", CLIP, "-c", "copy", "-f", "flv", origin.rtmp_url(stream)]
    name = stream.replace("/", "_")
    return Proc(scope, cmd, os.path.join(origin.dir, f"publish-{name}.log"))


def players_of(srv, stream, type="rtmp-play"):
    """srv's clients of `type` playing app/name `stream`."""
    return [c for c in ef.clients(srv, type) if c.get("url") == "/" + stream]


def http_head(url):
    """(status, headers) of a HEAD request (curl -sI), header names in lower case."""
    r = run(["curl", "-sS", "-I", "--max-time", "10", url], timeout=20)
    if r.returncode != 0:
        raise AssertionError(f"curl -I {url} failed: {r.stderr.strip()}")
    lines = r.stdout.replace("\r", "").split("\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}


def http_get(url, timeout=10):
    """(status, body bytes) of a GET."""
    r = subprocess.run(["curl", "-sS", "--max-time", str(timeout), "-w", "\n%{http_code}", url],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 5)
    if r.returncode != 0:
        raise AssertionError(f"curl {url} failed: {r.stderr.decode(errors='replace').strip()}")
    body, _, code = r.stdout.rpartition(b"\n")
    return int(code), body


def segments(playlist):
    """The segment URIs of an HLS playlist (bytes)."""
    return [line for line in playlist.decode().splitlines() if line and not line.startswith("#")]


# --- 1 to 3: redirect, pull through, streams nobody holds ---------------------------------

class OriginRedirectTest(unittest.TestCase):
    """A holds live/cam, live/pull, live/hls and live/hlsonly; B redirects; C pulls through."""

    @classmethod
    def setUpClass(cls):
        scope = ClassScope(cls)
        cls.redis = RedisServer(scope).start()
        cls.a = Origin(scope, "127.0.0.1", "A", cls.redis, redirect=False).start()
        cls.b = Origin(scope, "127.0.0.2", "B", cls.redis, redirect=True).start()
        cls.c = Origin(scope, "127.0.0.3", "C", cls.redis, redirect=False,
                       cluster={"idle_timeout": f"{IDLE_TIMEOUT_S}s"}).start()
        cls.publishers = {s: publish_clip(scope, cls.a, s)
                          for s in ("live/cam", "live/pull", "live/hls", "live/hlsonly")}
        for s in cls.publishers:
            app, name = s.split("/")
            ef.wait_stream(cls.a, name, app)
            wait_until(lambda: cls.redis.cli("GET", key(s)), 10, what=f"A's lease of {s}")
        # A's first segment of live/cam, for the HLS redirect.
        wait_until(lambda: http_get(cls.a.http_url("live/cam.m3u8"))[0] == 200, 15,
                   interval=0.2, what="A's playlist of live/cam")

    def setUp(self):
        for s, p in self.publishers.items():
            self.assertTrue(p.alive(), f"the publisher of {s} stopped: {p.output()}")

    # --- 1. redirect: true ---------------------------------------------------------------

    def test_rtmp_player_gets_the_rtmp_302_to_the_holder(self):
        a, b = self.a, self.b
        target = a.rtmp_url("live/cam")
        player = RtmpPlayer(b.host, b.rtmp_port, "live", "cam")
        self.addCleanup(player.close)
        commands = player.play(lambda cs: statuses(cs))
        info = statuses(commands)
        self.assertEqual(len(info), 1, commands)
        info = info[0]
        self.assertEqual((info.get("level"), info.get("code"), info.get("description")),
                         ("error", "NetConnection.Connect.Rejected", "RTMP 302 Redirect"), info)
        self.assertEqual(info.get("ex"), {"code": 302, "redirect": f"rtmp://{a.rtmp_endpoint}/live",
                                          "redirect2": target}, info)
        # Then B closes the connection: nothing but the onStatus.
        player.read_until(lambda cs: False)
        self.assertTrue(player.closed)
        self.assertEqual(statuses(player.commands), [info])
        b.wait_log(rx(LOG_RTMP_302, server="A", url=target))

        # ffprobe (ffmpeg 5.1's RTMP) and rtmpdump (librtmp 2.4) do not follow it:
        # both fail, and A sees no player.
        plays_on_a = a.count(rx(LOG_RTMP_PLAY, key=key("live/cam")))
        r = run(["ffprobe", "-hide_banner", "-v", "error", b.rtmp_url("live/cam")], timeout=20)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertIn("Server error: RTMP 302 Redirect", r.stderr)
        path = os.path.join(b.dir, "rtmpdump-302.flv")
        dump = run(["rtmpdump", "-v", "-r", b.rtmp_url("live/cam"), "-o", path], timeout=20)
        self.assertNotEqual(dump.returncode, 0, dump.stderr)
        self.assertLessEqual(size_of(path), 13, "rtmpdump wrote media")
        b.wait_log(rx(LOG_RTMP_302, server="A", url=target), count=3)
        self.assertEqual(a.count(rx(LOG_RTMP_PLAY, key=key("live/cam"))), plays_on_a)
        self.assertEqual(players_of(b, "live/cam"), [])

    def test_http_flv_player_gets_a_302_to_the_holder(self):
        a, b = self.a, self.b
        status, headers = http_head(b.http_url("live/cam.flv?foo=1"))
        location = a.http_url("live/cam.flv?foo=1")
        self.assertEqual((status, headers.get("location")), (302, location), headers)
        b.wait_log(rx(LOG_HTTP_302, key=key("live/cam"), server="A", url=location))

        # curl -L follows it and gets A's FLV.
        path = os.path.join(b.dir, "curl-L.flv")
        curl = Proc(self, ["curl", "-sS", "-N", "-L", "--max-time", "30", "-o", path,
                           b.http_url("live/cam.flv")], path + ".log")
        wait_until(lambda: len(ef.video_frames(path)) >= 25 and ef.has_audio_and_video(path), 15,
                   interval=0.2, what="a second of media through the redirect")
        curl.stop()
        self.assertEqual(players_of(b, "live/cam", "flv-play"), [])

        # ffprobe follows it too and sees the clip.
        assert_test_pattern(self, Probe(b.http_url("live/cam.flv")).streams(20))

    def test_hls_player_gets_a_302_to_the_holder(self):
        a, b = self.a, self.b
        status, headers = http_head(b.http_url("live/cam.m3u8"))
        location = a.http_url("live/cam.m3u8")
        self.assertEqual((status, headers.get("location")), (302, location), headers)
        b.wait_log(rx(LOG_HTTP_302, key=key("live/cam"), server="A", url=location))
        # A 302 carries no playlist; B writes none.
        self.assertFalse(os.path.exists(os.path.join(b.dir, "html", "live", "cam.m3u8")))
        assert_test_pattern(self, Probe(b.http_url("live/cam.m3u8")).streams(25))

    # --- 2. redirect: false: pulled through -------------------------------------------------

    def test_rtmp_and_http_flv_players_share_one_pull_through(self):
        a, c = self.a, self.c
        k = key("live/pull")
        connects_before = len(re.findall(ef.LOG_UPSTREAM_CONNECT, a.log()))
        dump, dump_path = ef.rtmpdump_url(self, c.rtmp_url("live/pull"), c.dir)
        wait_until(lambda: len(ef.video_frames(dump_path)) >= 25, 15, interval=0.2,
                   what="a second of video in rtmpdump on C")
        curl, curl_path = ef.curl_flv(self, c.http_url("live/pull.flv"), c.dir)
        wait_until(lambda: len(ef.video_frames(curl_path)) >= 25, 15, interval=0.2,
                   what="a second of video in curl on C")
        assert_test_pattern(self, Probe(c.rtmp_url("live/pull")).streams(20))
        for path in (dump_path, curl_path):
            self.assertTrue(ef.has_audio_and_video(path), path)

        # C: one pull for its players; A: one upstream player, C's worker's.
        c.wait_log(rx(LOG_PULL_THROUGH, key=k, server="A", rtmp=a.rtmp_endpoint))
        self.assertEqual(c.count(rx(LOG_PULL_STARTS, key=k)), 1, c.log()[-3000:])
        ups = players_of(a, "live/pull")
        self.assertEqual(len(ups), 1, ups)
        connects = [m.groupdict() for m in re.finditer(ef.LOG_UPSTREAM_CONNECT, a.log())]
        connects = connects[connects_before:]
        self.assertEqual(len(connects), 1, connects)
        self.assertEqual((int(connects[0]["pid"]), connects[0]["logcid"]),
                         (c.workers()[0], ups[0]["id"]), connects)
        here = players_of(c, "live/pull") + players_of(c, "live/pull", "flv-play")
        self.assertEqual(len(here), 2, ef.clients(c))

        # The players leave: C's pull stops after cluster.idle_timeout, A's
        # upstream player goes.
        dump.stop()
        curl.stop()
        left = time.monotonic()
        c.wait_log(rx(LOG_PULL_STOPS, key=k), timeout=IDLE_TIMEOUT_S + 5)
        wait_until(lambda: not players_of(a, "live/pull"), 5, what="A's upstream player to go")
        gone = time.monotonic() - left
        self.assertGreaterEqual(gone, IDLE_TIMEOUT_S)
        self.assertLess(gone, IDLE_TIMEOUT_S + 3)
        print(f"\n    pull through: A's upstream player gone {gone * 1000:.0f} ms after C's "
              f"players left (cluster.idle_timeout {IDLE_TIMEOUT_S} s)", end="")

    def test_hls_pull_through_starts_with_a_404(self):
        a, c = self.a, self.c
        k = key("live/hls")
        status, _ = http_get(c.http_url("live/hls.m3u8"))
        self.assertEqual(status, 404)
        c.wait_log(rx(LOG_HLS_PULL_404, path="/live/hls.m3u8", server="A"))
        c.wait_log(rx(LOG_PULL_THROUGH, key=k, server="A", rtmp=a.rtmp_endpoint))
        asked = time.monotonic()
        wait_until(lambda: http_get(c.http_url("live/hls.m3u8"))[0] == 200, FRAGMENT_S * 3 + 5,
                   interval=0.2, what="C's playlist of live/hls")
        first = time.monotonic() - asked
        # C cut the segments itself, from the pulled stream.
        self.assertTrue(os.path.exists(os.path.join(c.dir, "html", "live", "hls.m3u8")))
        assert_test_pattern(self, Probe(c.http_url("live/hls.m3u8")).streams(25))
        self.assertEqual(c.count(rx(LOG_PULL_STARTS, key=k)), 1)
        print(f"\n    HLS pulled through: C's playlist 200 {first * 1000:.0f} ms after its 404 "
              f"(hls.fragment {FRAGMENT_S} s)", end="")

    def test_hls_readers_alone_keep_the_pull_through_going(self):
        """An HLS player on C reads the playlist every second: the playlist
        must keep gaining segments past cluster.idle_timeout, as it does for
        an HTTP-FLV or RTMP player."""
        c = self.c
        url = c.http_url("live/hlsonly.m3u8")
        self.assertEqual(http_get(url)[0], 404)  # the pull starts
        wait_until(lambda: http_get(url)[0] == 200, FRAGMENT_S * 3 + 5, interval=0.2,
                   what="C's playlist of live/hlsonly")
        first = segments(http_get(url)[1])
        seen = set(first)
        deadline = time.monotonic() + IDLE_TIMEOUT_S + 4 * FRAGMENT_S
        while time.monotonic() < deadline:
            status, body = http_get(url)
            self.assertEqual(status, 200)
            for uri in segments(body):
                if uri not in seen:  # read like a player: each new segment once
                    self.assertEqual(http_get(c.http_url("live/" + uri))[0], 200, uri)
                    seen.add(uri)
            time.sleep(1)
        new = sorted(seen - set(first))
        stopped = re.search(rx(LOG_PULL_STOPS, key=key("live/hlsonly")), c.log())
        self.assertGreaterEqual(
            len(new), 3,
            f"in {IDLE_TIMEOUT_S + 4 * FRAGMENT_S} s of reading C's playlist every second, "
            f"new segments {new} after {first}; C's pull "
            + ("stopped: '" + stopped.group(0) + "': HLS readers do not count as players of "
               "the pulled stream, and the playlist left on disk is served frozen"
               if stopped else "did not stop"))

    # --- 3. a stream nobody holds -------------------------------------------------------

    def test_a_stream_nobody_holds_is_served_as_without_a_cluster(self):
        a, b, c = self.a, self.b, self.c
        k = key("live/nobody")
        self.assertIsNone(self.redis.cli("GET", k) or None)
        for srv in (b, c):
            # HTTP-FLV waits for a publisher (http_server.wait_publisher), then 404.
            t0 = time.monotonic()
            status, _ = http_get(srv.http_url("live/nobody.flv"))
            took = time.monotonic() - t0
            self.assertEqual(status, 404, srv.host)
            self.assertGreaterEqual(took, WAIT_PUBLISHER_S * 0.9, srv.host)
            self.assertLess(took, WAIT_PUBLISHER_S + 2, srv.host)
            srv.wait_log(rx(LOG_NO_PUBLISHER, key=k, ms=WAIT_PUBLISHER_S * 1000))
            # A playlist nobody writes: 404 at once.
            self.assertEqual(http_get(srv.http_url("live/nobody.m3u8"))[0], 404, srv.host)
            # RTMP: the play starts and waits for a publisher (no 302).
            player = RtmpPlayer(srv.host, srv.rtmp_port, "live", "nobody")
            self.addCleanup(player.close)
            commands = player.play(lambda cs: len(statuses(cs)) >= 2)
            codes = [s.get("code") for s in statuses(commands)]
            self.assertEqual(codes, ["NetStream.Play.Reset", "NetStream.Play.Start"], srv.host)
            srv.wait_log(rx(LOG_RTMP_PLAY, key=k))
            player.close()
            self.assertNotIn("live/nobody: held by", srv.log())
            self.assertEqual(srv.count(rx(LOG_PULL_STARTS, key=k)), 0, srv.host)
        self.assertEqual(players_of(a, "live/nobody"), [])
        self.assertIsNone(self.redis.cli("GET", k) or None)


# --- 4. HLS at scale: nginx caching in front of the origins (etc/nginx-hls-cache.conf) -------

READERS = 50
READ_S = 20


class Nginx:
    """nginx running etc/nginx-hls-cache.conf with the origins, the port and the
    paths filled in, in a temp dir, as a child stopped by pid."""

    def __init__(self, scope, origins):
        self.dir = tempfile.mkdtemp(prefix="srs-nginx-")
        scope.addCleanup(self.cleanup)
        self.port = free_port()
        self.access_log = os.path.join(self.dir, "access.log")
        with open(RECIPE) as f:
            conf = f.read()
        placeholders = ["origin1.example.net:8080", "origin2.example.net:8080"]
        for placeholder, origin in zip(placeholders, origins):
            conf = self.replace(conf, placeholder, origin.http_endpoint)
        conf = self.replace(conf, "/var/cache/nginx/srs-hls", os.path.join(self.dir, "cache"))
        conf = self.replace(conf, "/var/log/nginx/srs-hls.log", self.access_log)
        conf = self.replace(conf, "listen 8080;", f"listen 127.0.0.1:{self.port};")
        conf = self.replace(conf, "worker_processes auto;", "worker_processes 1;")
        # Test-only: every file nginx writes in the temp dir; as root, workers
        # stay root (the temp dir is root's).
        top = f"error_log {self.dir}/error.log info;\n"
        if os.geteuid() == 0:
            top += "user root;\n"
        temp = "".join(f"    {kind}_temp_path {self.dir}/{kind}_temp;\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = top + self.replace(conf, "http {\n", "http {\n" + temp)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        log = open(os.path.join(self.dir, "stderr.txt"), "w")
        self.proc = subprocess.Popen(
            ["nginx", "-p", self.dir, "-e", os.path.join(self.dir, "error.log"), "-c", self.conf,
             "-g", f"daemon off; pid {self.dir}/nginx.pid;"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        harness._started_pids.add(self.proc.pid)
        wait_until(self.listening, 10, what="nginx to listen")

    @staticmethod
    def replace(conf, old, new):
        if old not in conf:
            raise AssertionError(f"{RECIPE} has no '{old}' any more: update the test")
        return conf.replace(old, new)

    def listening(self):
        if self.proc.poll() is not None:
            with open(os.path.join(self.dir, "error.log"), errors="replace") as f:
                raise AssertionError(f"nginx exited ({self.proc.returncode}): {f.read()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown, the master stops its workers
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not os.environ.get("SRS_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_lines(self):
        """The access log: [{uri, status, bytes, cache, upstream, upstream_status}]."""
        rx_line = re.compile(r'"GET (?P<uri>\S+) HTTP/1\.1" (?P<status>\d+) (?P<bytes>\d+) '
                             r'cache=(?P<cache>\S+) upstream=(?P<upstream>.*?) '
                             r'upstream_status=(?P<upstream_status>.*)$')
        with open(self.access_log) as f:
            return [m.groupdict() for m in map(rx_line.search, f) if m]


def asked(line):
    """The origins an nginx request asked, in order, with their answers:
    [(address, status)] from $upstream_addr and $upstream_status (", " between
    the servers of the upstream, " : " before the holder a 302 named); [] when
    the cache answered."""
    if line["upstream"] == "-":
        return []
    split = re.compile(r", | : ")
    return list(zip(split.split(line["upstream"]), split.split(line["upstream_status"])))


class HlsReader(threading.Thread):
    """An HLS player in a thread: the playlist every second, each new segment
    once (starting with the playlist's last), over one keep-alive connection."""

    def __init__(self, port, path, until):
        super().__init__(daemon=True)
        self.port, self.path, self.until = port, path, until
        self.segments = {}  # uri -> bytes received
        self.errors = []

    def get(self, conn, path):
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        folder = self.path.rsplit("/", 1)[0]
        try:
            while time.monotonic() < self.until:
                status, body = self.get(conn, self.path)
                if status != 200:
                    self.errors.append(f"{self.path}: {status}")
                else:
                    uris = segments(body)
                    for uri in (uris[-1:] if not self.segments else uris):
                        if uri in self.segments:
                            continue
                        status, data = self.get(conn, f"{folder}/{uri}")
                        if status != 200 or not data or data[0] != 0x47 or len(data) % 188:
                            self.errors.append(f"{uri}: {status}, {len(data)} bytes")
                        self.segments[uri] = len(data)
                time.sleep(1)
        except (OSError, http.client.HTTPException) as e:
            self.errors.append(repr(e))
        finally:
            conn.close()


class HlsCacheTest(unittest.TestCase):
    """etc/nginx-hls-cache.conf in front of A (holding live/crowd) and B
    (redirect: true); READERS players read through it for READ_S seconds."""

    @classmethod
    def setUpClass(cls):
        scope = ClassScope(cls)
        cls.redis = RedisServer(scope).start()
        cls.a = Origin(scope, "127.0.0.1", "A", cls.redis, redirect=True).start()
        cls.b = Origin(scope, "127.0.0.2", "B", cls.redis, redirect=True).start()
        cls.publisher = publish_clip(scope, cls.a, "live/crowd")
        wait_until(lambda: http_get(cls.a.http_url("live/crowd.m3u8"))[0] == 200, 15,
                   interval=0.2, what="A's playlist of live/crowd")
        cls.nginx = Nginx(scope, [cls.a, cls.b])

    def test_each_segment_leaves_the_origins_once(self):
        a, b, nginx = self.a, self.b, self.nginx
        sent_before = ef.metric(a.metrics(), "srs_send_bytes_total")
        # nginx follows B's 302 itself: asked for the playlist, B names A and
        # the player gets A's playlist from nginx. nginx takes the origins in
        # turn: of two requests a playlist period apart, one goes to B.
        followed = [(b.http_endpoint, "302"), (a.http_endpoint, "200")]
        for _ in range(3):
            status, body = http_get(f"http://127.0.0.1:{nginx.port}/live/crowd.m3u8")
            self.assertEqual(status, 200)
            self.assertTrue(segments(body), body)
            if any(asked(line) == followed for line in nginx.log_lines()):
                break
            time.sleep(1.2)  # the cached copy expires (proxy_cache_valid 1s)
        self.assertTrue(any(asked(line) == followed for line in nginx.log_lines()),
                        nginx.log_lines())

        until = time.monotonic() + READ_S
        readers = [HlsReader(nginx.port, "/live/crowd.m3u8", until) for _ in range(READERS)]
        for r in readers:
            r.start()
        for r in readers:
            r.join(READ_S + 20)
            self.assertFalse(r.is_alive(), "a reader is stuck")
        sent = ef.metric(a.metrics(), "srs_send_bytes_total") - sent_before
        self.assertTrue(self.publisher.alive(), self.publisher.output())

        # Every reader played: each segment from its first on, none refused.
        for r in readers:
            self.assertEqual(r.errors, [])
            self.assertGreaterEqual(len(r.segments), READ_S // FRAGMENT_S - 3, sorted(r.segments))
        lines = nginx.log_lines()
        self.assertEqual({line["status"] for line in lines}, {"200"}, lines[:5])
        ts = [line for line in lines if line["uri"].endswith(".ts")]
        m3u8 = [line for line in lines if line["uri"].endswith(".m3u8")]
        self.assertEqual(len(ts), sum(len(r.segments) for r in readers))

        # Each segment was asked of the origins once, by its first reader
        # (MISS): A answered, after B's 404 when B was asked first. The
        # other readers got the cached copy (HIT), waiting for it if needed.
        by_uri = {}
        for line in ts:
            by_uri.setdefault(line["uri"], []).append(line)
        for uri, got in sorted(by_uri.items()):
            fetches = [line for line in got if asked(line)]
            self.assertEqual([line["cache"] for line in fetches], ["MISS"], (uri, fetches))
            self.assertIn(asked(fetches[0]), ([(a.http_endpoint, "200")],
                                              [(b.http_endpoint, "404"), (a.http_endpoint, "200")]))
        # The playlist: about once a second (proxy_cache_valid 1s), whatever
        # the number of readers; when B was asked, nginx followed its 302.
        for line in m3u8:
            self.assertIn(asked(line), ([], [(a.http_endpoint, "200")], [(b.http_endpoint, "302")],
                                        followed), line)

        # What each origin answered, as nginx saw it and as B logged it.
        answers = {}
        for line in lines:
            for origin, status in asked(line):
                kind = line["uri"].rsplit(".", 1)[1]
                answers[(origin, kind, status)] = answers.get((origin, kind, status), 0) + 1
        from_a = {k[1:]: n for k, n in answers.items() if k[0] == a.http_endpoint}
        from_b = {k[1:]: n for k, n in answers.items() if k[0] == b.http_endpoint}
        self.assertLessEqual(set(from_a), {("ts", "200"), ("m3u8", "200")}, from_a)
        self.assertLessEqual(set(from_b), {("ts", "404"), ("m3u8", "302")}, from_b)
        self.assertEqual(from_a.get(("ts", "200")), len(by_uri), from_a)
        self.assertLessEqual(from_a.get(("m3u8", "200")), READ_S + 6, from_a)
        b_302 = b.count(rx(LOG_HTTP_302, key=key("live/crowd"), server="A",
                           url=a.http_url("live/crowd.m3u8")))
        b_404 = b.count(r"404 Not Found \(/live/crowd-\d+\.ts: ")
        self.assertEqual((b_302, b_404),
                         (from_b.get(("m3u8", "302"), 0), from_b.get(("ts", "404"), 0)), from_b)

        # A's own count: it sent about the segments once, plus the playlists,
        # while the readers received READERS times that.
        unique = sum(int(got[0]["bytes"]) for got in by_uri.values())
        playlists = sum(int(line["bytes"]) for line in m3u8 if asked(line))
        received = sum(int(line["bytes"]) for line in lines)
        self.assertLess(sent, 1.25 * (unique + playlists) + 64 * 1024,
                        f"A sent {sent} bytes for {unique} bytes of segments")
        self.assertGreater(received, 0.6 * READERS * sent, (received, sent))
        print(f"\n    {READERS} HLS readers for {READ_S} s through nginx: {len(lines)} requests "
              f"({len(ts)} segments, {len(m3u8)} playlists), {received / 1e6:.1f} MB served; "
              f"A answered {from_a.get(('ts', '200'))} segment and {from_a.get(('m3u8', '200'))} "
              f"playlist requests and sent {sent / 1e6:.2f} MB (the segments: {unique / 1e6:.2f} "
              f"MB); B answered {b_302} playlist 302s and {b_404} segment 404s", end="")


if __name__ == "__main__":
    unittest.main()
