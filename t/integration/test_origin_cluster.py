"""The origin cluster (origin_cluster.directory): origins share a stream
directory in Redis. The origin a stream is published on takes a lease on its
key (vhost/app/stream) naming its server_id and RTMP endpoint, another origin
refuses that stream while the lease runs, unpublish gives it back at once, and
an edge pulls each stream from the holder the directory names (its
cluster.origins are only the fall-back). Redis down never stops a publish or a
player; the lease comes back with Redis.

Each server runs on a loopback address of its own (127.0.0.2, .3, ...: its
RTMP, HTTP and API listeners), so that the endpoints a lease names are not
wildcards and tell the origins apart. Each test class starts its own
redis-server on a free 127.0.0.1 port (no persistence). Real clients only:
ffmpeg publishes the test pattern, rtmpdump, curl and ffprobe play on the
edges, redis-cli reads the directory.

test_refused_duplicate_publish_leaves_the_lease is an expected failure: it
shows a server bug (its docstring); once that is fixed unittest reports an
unexpected success (t/run.py counts it as passed: look for it) and the
decorator goes.

Printed, not asserted beyond loose bounds: the time to the first frame on an
edge with the directory and on one with a static origin list; at an origin's
death, how long the republish elsewhere was refused and how long the edges'
players received nothing; how long the lease takes to come back after Redis.
Every server and client is stopped by pid, every wait is bounded."""
import datetime
import json
import os
import re
import statistics
import threading
import time
import unittest

import edge_fixtures as ef
import test_api  # parse_metrics (the module only)
from harness import (SRS, HostServer, Probe, Server, assert_test_pattern, free_port, run,
                     size_of, start_on_worker, to_yaml, wait_until)
from redis_fixture import RedisFixture, RedisServer

VHOST = ef.VHOST
KEY = f"{VHOST}/live/cam"
LEASE_S = 5
LOOKUP_ROUNDS = 3  # new pulls measured with and without the directory

# --- what the implementation logs (kept here to be easy to change) -------------
LOG_HELD = r"publish refused: the stream is held by origin {server} \(rtmp {rtmp}, publisher \w+\)"
LOG_REDIS_DOWN = r"\]\[(\d+)\]\[\w+\] redis {url} down: "
LOG_REDIS_UP = r"\]\[(\d+)\]\[\w+\] redis {url} is up"
LOG_NO_LEASE = r"directory: redis is down; {key} publishes without a lease until it is back"
METRIC_UP = "srs_directory_workers_up"
METRIC_FAILURES = "srs_directory_failures_total"


# --- Redis and the servers, each on its own loopback address ---------------------------

class Redis(RedisServer):
    """The directory's redis-server, which reads the leases."""

    def holder(self, key=KEY):
        """The lease's value of key as a dict; None when there is none (nil)."""
        value = self.cli("GET", key)
        return json.loads(value) if value else None


class Node(HostServer):
    """Our server with its RTMP, HTTP and API listeners on `host` (127.0.0.N)."""

    def __init__(self, test, host, workers=1, top=None, vhost=None):
        super().__init__(test, host, workers=workers)
        v = {"hls": {"enabled": False}}
        v.update(vhost or {})
        self.settings["vhosts"] = {VHOST: v}
        self.settings.update(top or {})
        self.write_config()
        test.addCleanup(self.stop)

    @property
    def endpoint(self):
        return f"{self.host}:{self.rtmp_port}"

    def rtmp_url(self, stream="live/cam"):
        return f"rtmp://{self.host}:{self.rtmp_port}/{stream}"

    def flv_url(self, stream="live/cam"):
        return f"http://{self.host}:{self.http_port}/{stream}.flv"

    def metrics(self):
        return test_api.parse_metrics(self.metrics_text())[1]

    def metric(self, name):
        return ef.metric(self.metrics(), name)


def cluster_top(redis, server_id=None):
    top = {"origin_cluster": {"directory": redis.url, "lease": f"{LEASE_S}s", "advertise": ""}}
    if server_id:
        top["server_id"] = server_id
    return top


def origin(test, redis, n, workers=1):
    """Origin n (server_id originN) on 127.0.0.(n+1), in redis's cluster, started."""
    return Node(test, f"127.0.0.{n + 1}", workers=workers,
                top=cluster_top(redis, f"origin{n}")).start()


def edge(test, host, fallback, redis=None, stall_timeout="3s", idle_timeout="5s"):
    """An edge on host whose configured origin is `fallback` (host:port); it
    asks redis's directory first when redis is given."""
    cluster = {"mode": "edge", "origins": [fallback], "idle_timeout": idle_timeout,
               "stall_timeout": stall_timeout}
    return Node(test, host, top=cluster_top(redis) if redis else None,
                vhost={"cluster": cluster}).start()


# --- what players receive ----------------------------------------------------------------

class Growth(threading.Thread):
    """Samples the sizes of the files players write, every 20 ms, and keeps
    the times each one grew: the gaps a player saw, in wall time (an edge
    rebases the new origin's timestamps, so FLV timestamps hide a switch)."""

    def __init__(self, test, paths):
        super().__init__(daemon=True)
        self.paths = list(paths)
        self.grew = {p: [] for p in self.paths}
        self.halt = threading.Event()
        test.addCleanup(self.stop)
        self.start()

    def run(self):
        last = {p: size_of(p) for p in self.paths}
        while not self.halt.wait(0.02):
            now = time.monotonic()
            for p in self.paths:
                s = size_of(p)
                if s > last[p]:
                    self.grew[p].append(now)
                    last[p] = s

    def stop(self):
        self.halt.set()
        if self.is_alive():
            self.join(2)

    def longest_gap(self, path, since, until=None):
        """The longest time (s) path went without growing between since and until."""
        until = until or time.monotonic()
        times = [since] + [t for t in self.grew[path] if since < t < until] + [until]
        return max(b - a for a, b in zip(times, times[1:]))


def video_count(path):
    return len(ef.video_frames(path))


def wait_more_video(path, more, timeout=20, what="video"):
    n = video_count(path)
    wait_until(lambda: video_count(path) >= n + more, timeout, interval=0.2,
               what=f"{more} more video frames in {os.path.basename(path)} ({what})")


def first_frame_ms(test, url, log_dir, timeout=20):
    """curl plays url until its first video frame: the time that took (ms)."""
    t0 = time.monotonic()
    proc, path = ef.curl_flv(test, url, log_dir)
    wait_until(lambda: ef.video_frames(path), timeout, interval=0.01, what=f"a first frame from {url}")
    took = (time.monotonic() - t0) * 1000
    proc.stop()
    return took


def pull_setup_ms(srv):
    """For each pull srv's log shows: from its start to "playing from" (ms):
    the look-up (with a directory), the connect and the play's set-up."""
    start = stamps(srv, re.escape(f"edge {KEY}: pulling from"))
    playing = stamps(srv, re.escape(f"edge {KEY}: playing from"))
    return [b - a for a, b in zip(start, playing)]


def stamps(srv, pattern):
    """The times (ms, from the log's stamps) of every line matching pattern."""
    found = re.findall(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\][^\n]*" + pattern, srv.log(), re.M)
    return [datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S.%f").timestamp() * 1000 for t in found]


def upstream_connects(srv):
    """The origin's "rtmp connect from upstream" lines: [{pid (the edge worker's), cid, logcid}]."""
    return [m.groupdict() for m in re.finditer(ef.LOG_UPSTREAM_CONNECT, srv.log())]


def live(srv, name="cam"):
    """srv's stream name when it is published there now, else None."""
    s = ef.stream(srv, name)
    return s if s and s.get("state") == "live" and s["publish"]["active"] else None


class OriginClusterTest(RedisFixture, unittest.TestCase):
    """Three origins and their edges around one Redis."""

    redis_class = Redis

    def publish(self, srv, seconds=90, stream="live/cam"):
        return ef.publish(self, srv.rtmp_url(stream), srv.dir, seconds=seconds)

    def assert_holder(self, srv, server_id):
        h = self.redis.holder()
        self.assertIsNotNone(h, f"no lease of {KEY}")
        self.assertEqual((h["server"], h["rtmp"], h["http"]),
                         (server_id, srv.endpoint, f"{srv.host}:{srv.http_port}"), h)
        return h

    # --- 1. edges pull from the holder the directory names ---------------------------

    def test_edges_pull_from_the_holder(self):
        o1, o2, o3 = (origin(self, self.redis, n) for n in (1, 2, 3))
        e1 = edge(self, "127.0.0.5", o1.endpoint, self.redis, idle_timeout="1s")
        e2 = edge(self, "127.0.0.6", o3.endpoint, self.redis)
        static = edge(self, "127.0.0.7", o2.endpoint, idle_timeout="1s")  # no directory
        pub = self.publish(o2)
        ef.wait_stream(o2)
        h = self.assert_holder(o2, "origin2")
        self.assertEqual(h["cid"], ef.stream(o2)["publish"]["cid"], (h, ef.stream(o2)))
        pttl = int(self.redis.cli("PTTL", KEY))
        self.assertTrue(0 < pttl <= LEASE_S * 1000, pttl)

        # The look-up's cost: the first frame of a new pull on an edge with
        # the directory (a GET before connecting) and on one whose list names
        # origin 2, one player at a time, each pull stopped before the next.
        first = {"directory": [], "static": []}
        for i in range(LOOKUP_ROUNDS):
            for name, e in (("directory", e1), ("static", static))[::1 if i % 2 else -1]:
                first[name].append(first_frame_ms(self, e.flv_url(), e.dir))
            for e in (e1, static):
                e.wait_log(ef.rx(ef.LOG_IDLE_STOP), count=i + 1, timeout=10)
        setup = {"directory": pull_setup_ms(e1), "static": pull_setup_ms(static)}
        wait_until(lambda: not ef.clients(o2, "rtmp-play"), 10, what="the measured pulls to end")
        connects_before = len(upstream_connects(o2))

        # An RTMP and an HTTP-FLV player on each edge.
        players = [ef.rtmpdump_url(self, e1.rtmp_url(), e1.dir), ef.curl_flv(self, e1.flv_url(), e1.dir),
                   ef.rtmpdump_url(self, e2.rtmp_url(), e2.dir), ef.curl_flv(self, e2.flv_url(), e2.dir)]
        for _, path in players:
            wait_until(lambda: video_count(path) >= 25 and ef.has_audio_and_video(path), 20,
                       interval=0.2, what=f"a second of media in {os.path.basename(path)}")
        assert_test_pattern(self, Probe(e2.rtmp_url()).streams(25))

        # Each edge plays from origin 2, never from its configured origin.
        for e in (e1, e2):
            e.wait_log(ef.rx(ef.LOG_PLAYING_FROM, url=o2.rtmp_url()))
            up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
            self.assertEqual((up["url"], up["reconnects"]), (o2.rtmp_url(), 0), up)
        self.assertEqual(len(ef.pulls(e1)), LOOKUP_ROUNDS + 1, ef.pulls(e1))
        self.assertEqual(len(ef.pulls(e2)), 1, ef.pulls(e2))
        self.assertNotIn("the directory names no holder", e1.log() + e2.log())
        for o in (o1, o3):
            self.assertEqual(ef.clients(o, "rtmp-play"), [], f"{o.host} has a player")
            self.assertIsNone(ef.stream(o), ef.streams(o))

        # Origin 2: exactly one upstream per edge, the edges' pulls.
        ups = ef.clients(o2, "rtmp-play")
        connects = upstream_connects(o2)[connects_before:]
        self.assertEqual(len(ups), 2, ups)
        self.assertEqual(sorted(int(c["pid"]) for c in connects), sorted(e1.workers() + e2.workers()),
                         connects)
        self.assertEqual(sorted(c["logcid"] for c in connects), sorted(c["id"] for c in ups))
        self.assertTrue(pub.alive(), pub.output())
        for proc, _ in players:
            self.assertTrue(proc.alive(), proc.output())

        def summary(values):
            return f"median {statistics.median(values):.0f} ms ({', '.join(f'{v:.0f}' for v in values)})"

        print(f"\n    first frame of a new pull: directory {summary(first['directory'])}, "
              f"static list {summary(first['static'])}; pull start to 'playing from' (edge log): "
              f"directory {summary(setup['directory'])}, static {summary(setup['static'])}", end="")

    # --- 2. a second publisher of a held stream ---------------------------------------------

    def test_second_publish_on_another_origin_is_refused(self):
        o1, o2 = origin(self, self.redis, 1), origin(self, self.redis, 2)
        pub = self.publish(o2)
        ef.wait_stream(o2)
        before = self.assert_holder(o2, "origin2")
        second = self.publish(o1)
        rc = second.wait(20)
        self.assertNotEqual(rc, 0, second.output())
        self.assertIn("held by origin origin2", second.output(), "ffmpeg is told why")
        o1.wait_log(LOG_HELD.format(server="origin2", rtmp=re.escape(o2.endpoint)))
        self.assertIsNone(ef.stream(o1), ef.streams(o1))
        self.assertEqual(self.redis.holder(), before, "the directory still names origin 2")
        self.assertTrue(pub.alive(), pub.output())
        # Origin 2's publish went on.
        ef.wait_stream(o2, publish=lambda p: p and p.get("cid") == before["cid"])

    def test_refused_duplicate_publish_leaves_the_lease(self):
        """A second publish of a stream on the holding origin itself, landing
        on its other worker, is refused there (the stream is busy) and must
        leave the lease alone. It does not: its claim rewrites the lease with
        its own value (SET XX, the key being this server's), and that
        worker's next renewal pass (a third of the lease later) releases the
        lease as unused, its compare-and-delete matching; for the next third
        of a lease the directory names nobody while origin 1 still publishes,
        and origin 2 is let publish the same stream."""
        o1, o2 = origin(self, self.redis, 1, workers=2), origin(self, self.redis, 2)
        w1, w2 = o1.workers()
        start_on_worker(o1, w1, "rtmp publish", lambda: self.publish(o1))
        ef.wait_stream(o1)
        before = self.assert_holder(o1, "origin1")
        dup = start_on_worker(o1, w2, "rtmp connect", lambda: self.publish(o1))
        self.assertNotEqual(dup.wait(20), 0, dup.output())
        o1.wait_log(re.escape(f"stream {KEY} is busy"))
        # Two renewal passes: the lease stays the publisher's.
        seen = [before]
        deadline = time.monotonic() + 2 * LEASE_S / 3 + 0.3
        while time.monotonic() < deadline:
            if (h := self.redis.holder()) != seen[-1]:
                seen.append(h)
            time.sleep(0.1)
        self.assertEqual(seen, [before], "the lease while origin 1 publishes, in turn")
        other = self.publish(o2)
        self.assertNotEqual(other.wait(20), 0, "origin 2 publishes the stream origin 1 publishes")

    # --- 3. the holder dies: the encoder moves, the edges follow -----------------------------

    def test_holder_dies_edges_follow_the_republish(self):
        # The edges' configured origin is a dead address: only the directory
        # leads them to origin 3.
        fallback = f"127.0.0.2:{free_port()}"
        o2, o3 = origin(self, self.redis, 2), origin(self, self.redis, 3)
        e1 = edge(self, "127.0.0.5", fallback, self.redis)
        e2 = edge(self, "127.0.0.6", fallback, self.redis)
        self.publish(o2)
        ef.wait_stream(o2)
        self.assert_holder(o2, "origin2")
        players = [ef.rtmpdump_url(self, e1.rtmp_url(), e1.dir), ef.curl_flv(self, e1.flv_url(), e1.dir),
                   ef.rtmpdump_url(self, e2.rtmp_url(), e2.dir), ef.curl_flv(self, e2.flv_url(), e2.dir)]
        growth = Growth(self, [path for _, path in players])
        for _, path in players:
            wait_until(lambda: video_count(path) >= 25, 20, interval=0.2,
                       what=f"a second of video in {os.path.basename(path)}")

        ef.kill_server(o2)
        killed, killed_wall = time.monotonic(), time.time() * 1000
        # The encoder republishes on origin 3 until it is accepted: origin 2's
        # lease may run for up to a lease period after its last renewal.
        refused, accepted = 0, None
        while accepted is None:
            self.assertLess(time.monotonic() - killed, LEASE_S + 10, "the republish is never accepted")
            pub = self.publish(o3)
            ok = wait_until(lambda: not pub.alive() or live(o3), 10, interval=0.05,
                            what="the republish to be accepted or refused")
            if pub.alive() and ok:
                accepted = (time.monotonic() - killed) * 1000
            else:
                self.assertNotEqual(pub.p.returncode, 0, pub.output())
                refused += 1
        if refused:
            o3.wait_log(LOG_HELD.format(server="origin2", rtmp=re.escape(o2.endpoint)))
        self.assertLess(accepted, (LEASE_S + 3) * 1000, "origin 2's lease outlived its period")
        self.assert_holder(o3, "origin3")

        # Every player goes on with origin 3's media.
        for e in (e1, e2):
            e.wait_log(ef.rx(ef.LOG_PLAYING_FROM, url=o3.rtmp_url()), timeout=15)
        for _, path in players:
            wait_more_video(path, 75, what="3 s of origin 3's video")
        growth.stop()
        for proc, path in players:
            self.assertTrue(proc.alive(), proc.output())
            video = [t[1] for t in ef.video_frames(path)]
            self.assertEqual(ef.backwards(video), [], f"{os.path.basename(path)} goes back")
            self.assertTrue(ef.has_audio_and_video(path))
        for e in (e1, e2):
            up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
            self.assertEqual(up["url"], o3.rtmp_url(), up)
            self.assertEqual(len(ef.pulls(e)), 1, "the same pull goes on")
        self.assertEqual(len(ef.clients(o3, "rtmp-play")), 2, ef.clients(o3, "rtmp-play"))

        # The gap, from the players' side: from their last data before the
        # kill to their first after it (origin 2's lease running out, the
        # republish, the edge's next look-up).
        gaps, resumed = [], []
        for _, path in players:
            before = max(t for t in growth.grew[path] if t <= killed)
            after = min(t for t in growth.grew[path] if t > killed)
            gaps.append((after - before) * 1000)
            resumed.append((after - killed) * 1000)
        edge_again = [ef.logged_at(e, ef.rx(ef.LOG_MEDIA_AGAIN, url=o3.rtmp_url())) - killed_wall
                      for e in (e1, e2)]
        edge_gaps = [int(e.wait_log(ef.rx(ef.LOG_MEDIA_AGAIN, url=o3.rtmp_url()))[0]) for e in (e1, e2)]
        ts_gaps = [ef.max_gap([t[1] for t in ef.video_frames(path)]) for _, path in players]
        self.assertLess(max(gaps), (LEASE_S + 5) * 1000, gaps)

        def ms(values):
            return ", ".join(f"{v:.0f}" for v in values) + " ms"

        print(f"\n    holder killed at 0: republish accepted at {accepted:.0f} ms ({refused} refused); "
              f"edges' media again at {ms(edge_again)} (logged gap {ms(edge_gaps)}); players "
              f"(rtmpdump, curl on edge 1, then edge 2) data again at {ms(resumed)}, longest time "
              f"without data {ms(gaps)}; largest FLV video timestamp step {ms(ts_gaps)} (rebased)",
              end="")

    # --- 4. unpublish gives the stream back --------------------------------------------------

    def test_unpublish_releases_the_lease_at_once(self):
        o1, o2 = origin(self, self.redis, 1), origin(self, self.redis, 2)
        pub = self.publish(o2, seconds=4)
        ef.wait_stream(o2)
        self.assert_holder(o2, "origin2")
        self.assertEqual(pub.wait(20), 0, pub.output())
        ended = time.monotonic()
        wait_until(lambda: self.redis.holder() is None, 1, interval=0.01,
                   what="the lease to go at unpublish (well before it would expire)")
        released_ms = (time.monotonic() - ended) * 1000
        o2.wait_log(re.escape(f"rtmp unpublish {KEY}"))
        t0 = time.monotonic()
        pub1 = self.publish(o1)
        ef.wait_stream(o1, timeout=10)
        accepted_ms = (time.monotonic() - t0) * 1000
        self.assertTrue(pub1.alive(), pub1.output())
        self.assert_holder(o1, "origin1")
        self.assertNotIn("held by origin", o1.log())
        print(f"\n    lease gone {released_ms:.0f} ms after the encoder ended; "
              f"the next origin's publish live in {accepted_ms:.0f} ms", end="")


class DirectoryOutageTest(RedisFixture, unittest.TestCase):
    """Redis goes away under publishers and players, and comes back."""

    redis_class = Redis

    def down_lines(self, srv):
        """The worker pids of srv's "redis ... down" lines, one per line."""
        return [int(p) for p in re.findall(LOG_REDIS_DOWN.format(url=re.escape(self.redis.url)),
                                           srv.log())]

    def wait_holder(self, server_id, timeout):
        wait_until(lambda: (self.redis.holder() or {}).get("server") == server_id, timeout,
                   interval=0.1, what=f"the directory to name {server_id} again")

    def test_redis_stops_under_a_stream_and_comes_back(self):
        o = origin(self, self.redis, 1, workers=2)
        e = edge(self, "127.0.0.5", o.endpoint, self.redis)
        pub = ef.publish(self, o.rtmp_url(), o.dir, seconds=90)
        ef.wait_stream(o)
        player, dump = ef.rtmpdump_url(self, e.rtmp_url(), e.dir)
        wait_until(lambda: video_count(dump) >= 25, 20, interval=0.2, what="the edge's player's video")
        self.assertEqual(self.redis.holder()["server"], "origin1")
        wait_until(lambda: o.metric(METRIC_UP) == 2, 5, what="both workers' links up")
        self.assertEqual(o.metric(METRIC_FAILURES), 0)
        growth = Growth(self, [dump])

        self.redis.kill()
        down_at = time.monotonic()
        wait_until(lambda: o.metric(METRIC_UP) == 0, 5, interval=0.1, what=f"{METRIC_UP} 0")
        self.assertGreater(o.metric(METRIC_FAILURES), 0)
        workers = o.api("/api/v1/workers")["workers"]
        self.assertEqual([w["directory"]["up"] for w in workers], [False, False], workers)
        # Redis stays down for 4 s (the links retry at 1, 3 and 7 s): the
        # player gets 3 s more video meanwhile.
        wait_more_video(dump, 75, what="during the outage")
        time.sleep(max(0.0, 4 - (time.monotonic() - down_at)))
        self.assertEqual(sorted(self.down_lines(o)), sorted(o.workers()),
                         "one 'down' line per worker, not one per retry")
        self.assertEqual(len(self.down_lines(e)), 1, e.log()[-2000:])
        self.assertTrue(player.alive() and pub.alive(), player.output() + pub.output())

        self.redis.start()
        back_at = time.monotonic()
        self.wait_holder("origin1", 3 * LEASE_S)
        restored_s = time.monotonic() - back_at
        wait_until(lambda: o.metric(METRIC_UP) == 2, 3 * LEASE_S, interval=0.2,
                   what=f"{METRIC_UP} back to the worker count")
        o.wait_log(LOG_REDIS_UP.format(url=re.escape(self.redis.url)), count=2)
        self.assertEqual(self.redis.holder()["rtmp"], o.endpoint)
        wait_more_video(dump, 25, what="after redis is back")
        growth.stop()
        gap = growth.longest_gap(dump, down_at)
        self.assertTrue(player.alive(), player.output())
        self.assertEqual(len(ef.pulls(e)), 1, "the edge's pull went on")
        self.assertLess(gap, 1.5, "the player waited while redis was down")
        print(f"\n    redis down {back_at - down_at:.1f} s: lease back {restored_s * 1000:.0f} ms "
              f"after redis restarted; player's longest time without data {gap * 1000:.0f} ms", end="")

    def test_publish_while_redis_is_down(self):
        self.redis.kill()
        o = origin(self, self.redis, 1)
        t0 = time.monotonic()
        pub = ef.publish(self, o.rtmp_url(), o.dir, seconds=90)
        ef.wait_stream(o, timeout=10)
        live_ms = (time.monotonic() - t0) * 1000
        o.wait_log(LOG_NO_LEASE.format(key=re.escape(KEY)))
        self.assertEqual(o.metric(METRIC_UP), 0)
        failures = o.metric(METRIC_FAILURES)
        self.redis.start()
        back_at = time.monotonic()
        self.wait_holder("origin1", 3 * LEASE_S)
        restored_s = time.monotonic() - back_at
        self.assertEqual(self.redis.holder()["cid"], ef.stream(o)["publish"]["cid"])
        self.assertTrue(pub.alive(), pub.output())
        self.assertEqual(o.metric(METRIC_UP), 1)
        print(f"\n    publish without redis live in {live_ms:.0f} ms; lease taken "
              f"{restored_s * 1000:.0f} ms after redis started; {METRIC_FAILURES} {failures:.0f} "
              f"while redis was down", end="")


class ConfigurationTest(unittest.TestCase):
    """srs -t refuses a directory it could not use, naming the key."""

    def check(self, cluster, rtmp_listen=None):
        """srs -t on a configuration with origin_cluster `cluster`: (exit status, output)."""
        srv = Server(self, workers=1)
        settings = dict(srv.settings, origin_cluster=cluster)
        if rtmp_listen:
            settings["rtmp"] = {"listen": [rtmp_listen]}
        srv.write_config(text=to_yaml(settings) + "\n")
        r = run([SRS, "-t", "-c", srv.conf_path])
        return r.returncode, r.stdout + r.stderr

    def assert_refused(self, cluster, rtmp_listen=None, *words):
        rc, out = self.check(cluster, rtmp_listen)
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r"srs\.yaml:\d+:\d+: origin_cluster\.directory: ")
        for w in words:
            self.assertIn(w, out)

    def test_configuration_errors(self):
        good = "redis://127.0.0.1:6379/0"
        for ok in ({"directory": good}, {"directory": "redis://localhost"},
                   {"directory": good, "advertise": "10.0.0.7"}):
            with self.subTest(accepted=ok):
                listen = "1935" if "advertise" in ok else None
                rc, out = self.check(ok, listen)
                self.assertEqual(rc, 0, out)
        for url in ("redis://redis.example:6379", "http://127.0.0.1:6379/0"):
            with self.subTest(directory=url):
                self.assert_refused({"directory": url}, None, url)
        with self.subTest("a wildcard RTMP listener and no advertise"):
            self.assert_refused({"directory": good}, "1935", "origin_cluster.advertise")


if __name__ == "__main__":
    unittest.main()
