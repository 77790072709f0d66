"""The edge (vhosts.NAME.cluster.mode: edge): a player of a stream that is not
live on the edge makes the edge pull it from its origins, once for the whole
server; the pull stops cluster.idle_timeout after the last player left; an
origin that dies is replaced by the next one while the players stay; a publish
on the edge goes through to the origin. Real clients only: ffmpeg publishes a
test pattern (H.264 + AAC) to an origin (our server, or nginx-rtmp); rtmpdump,
curl, ffprobe and srs-bench play on the edge; the origins' and the edge's API,
/metrics and logs tell who pulls what from where. Every server and client is
stopped by pid, every wait is bounded."""
import os
import re
import signal
import sys
import unittest

import edge_fixtures as ef
from callbacks import CallbackServer
from harness import (BUILD, ROOT, SRS, Probe, Proc, Server, assert_test_pattern, flv_tags,
                     run, size_of, start_on_worker, to_yaml, wait_until)

KEY = f"{ef.VHOST}/live/cam"


class EdgeTest(unittest.TestCase):
    # --- helpers -----------------------------------------------------------------

    def probe(self, url, timeout=25):
        """ffprobe decodes the test pattern at url."""
        streams = Probe(url).streams(timeout)
        assert_test_pattern(self, streams)
        return streams

    def origin_with_stream(self, workers=1, vhost=None, stream="live/cam"):
        """An origin (our server) with ffmpeg publishing `stream` to it."""
        o = ef.origin(self, workers=workers, vhost=vhost)
        ef.publish(self, ef.rtmp_url(o.rtmp_port, stream), o.dir)
        ef.wait_stream(o, stream.split("/")[1].split("?")[0])
        return o

    def wait_media(self, path, frames=25, what="video frames"):
        wait_until(lambda: len(ef.video_frames(path)) >= frames, 20, interval=0.2,
                   what=f"{frames} {what} in {os.path.basename(path)}")

    def upstreams(self, origin):
        """The origin's rtmp-play clients (an edge's upstream play is one)."""
        return ef.clients(origin, "rtmp-play")

    # --- 1. pull on play ---------------------------------------------------------

    def test_pull_on_play_one_upstream_for_every_worker(self):
        o = self.origin_with_stream()
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2)
        origin_url = ef.rtmp_url(o.rtmp_port)
        self.assertIsNone(ef.stream(e), "nothing is pulled before a player comes")
        self.assertEqual(self.upstreams(o), [])
        w1, w2 = e.workers()

        # The first player, HTTP-FLV on worker 1, starts the pull; an RTMP
        # player on worker 2 reads the same pulled stream.
        flv_url = f"http://127.0.0.1:{e.http_port}/live/cam.flv"
        _, flv = start_on_worker(e, w1, "http-flv play", lambda: ef.curl_flv(self, flv_url, e.dir))
        self.wait_media(flv)
        _, dump = start_on_worker(e, w2, "rtmp play",
                                  lambda: ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port), e.dir))
        self.wait_media(dump)
        self.assertTrue(ef.has_audio_and_video(flv) and ef.has_audio_and_video(dump))
        self.probe(ef.rtmp_url(e.rtmp_port))

        # Exactly one pull for the whole edge, on the first player's worker.
        pulls = ef.pulls(e)
        self.assertEqual(len(pulls), 1, pulls)
        self.assertEqual((int(pulls[0]["pid"]), pulls[0]["n"]), (w1, "1"), pulls)
        cid = pulls[0]["cid"]
        e.wait_log(ef.rx(ef.LOG_PLAYING_FROM, url=origin_url))

        # The origin sees one upstream player of live/cam: the edge's.
        ups = self.upstreams(o)
        self.assertEqual(len(ups), 1, ups)
        self.assertEqual((ups[0]["name"], ups[0]["url"]), ("cam", "/live/cam"), ups[0])
        self.assertEqual(ups[0]["ip"], "127.0.0.1")

        # The edge's API: the stream's upstream, its ids matching both sides' logs.
        s = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")
        up = s["upstream"]
        self.assertEqual(up["url"], origin_url, up)
        self.assertEqual(up["cid"], cid, up)
        self.assertEqual(up["upstream_cid"], ups[0]["id"], (up, ups))
        self.assertEqual(up["reconnects"], 0, up)
        # The origin logs the edge's identity: the pulling worker and the puller's cid.
        m = wait_until(lambda: re.search(ef.LOG_UPSTREAM_CONNECT, o.log()), 10,
                       what="the origin's 'rtmp connect from upstream' line")
        self.assertEqual((int(m["pid"]), m["cid"]), (w1, cid), m.group(0))
        self.assertEqual(m["logcid"], ups[0]["id"], m.group(0))
        self.assertTrue(m["server"].startswith("SRS/"), m.group(0))
        # The edge logs the origin's identity: its worker's pid and connection cid.
        m = re.search(ef.LOG_CONNECTED_UPSTREAM, e.log())
        self.assertIsNotNone(m, e.log()[-3000:])
        self.assertEqual((int(m["pid"]), m["cid"]), (ups[0]["worker_pid"], ups[0]["id"]), m.group(0))
        self.assertIn(int(m["pid"]), o.workers())
        self.assertEqual(int(m["logpid"]), w1)
        # The origin is an origin: no upstream in its own API.
        self.assertIsNone(ef.stream(o)["upstream"], ef.stream(o))

        # /metrics: one pull, playing; no retry.
        samples = ef.metrics(e)
        self.assertEqual(ef.metric(samples, ef.METRIC_PULLS, state="playing"), 1, samples.get(ef.METRIC_PULLS))
        self.assertEqual(ef.metric(samples, ef.METRIC_PULLS, state="connecting")
                         + ef.metric(samples, ef.METRIC_PULLS, state="retrying"), 0,
                         samples.get(ef.METRIC_PULLS))
        self.assertEqual(ef.metric(samples, ef.METRIC_RETRIES), 0)

        # srs-ctl streams: an UPSTREAM column with the origin's URL.
        r = run([os.path.join(ROOT, "tools", "srs-ctl"), "--api", f"http://127.0.0.1:{e.api_port}",
                 "streams"], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        header, row = r.stdout.splitlines()[0], [l for l in r.stdout.splitlines() if "/live/cam" in l]
        self.assertIn("UPSTREAM", header.split(), r.stdout)
        self.assertEqual(len(row), 1, r.stdout)
        self.assertTrue(row[0].split()[-1] == origin_url, r.stdout)
        # ...and none on the origin.
        r = run([os.path.join(ROOT, "tools", "srs-ctl"), "--api", f"http://127.0.0.1:{o.api_port}",
                 "streams"], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("UPSTREAM", r.stdout)


    # --- 2. idle stop ---------------------------------------------------------------

    def test_idle_stop_comeback_and_replay(self):
        idle_ms = 4000
        o = self.origin_with_stream()
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2, idle_timeout=f"{idle_ms}ms")
        edge_url = ef.rtmp_url(e.rtmp_port)
        w1, w2 = e.workers()
        p1, d1 = start_on_worker(e, w1, "rtmp play", lambda: ef.rtmpdump_url(self, edge_url, e.dir))
        p2, d2 = start_on_worker(e, w2, "rtmp play", lambda: ef.rtmpdump_url(self, edge_url, e.dir))
        self.wait_media(d1)
        self.wait_media(d2)
        first = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual(int(ef.pulls(e)[0]["pid"]), w1, "the first player's worker pulls")

        # The puller's worker has no player left, the other worker has one:
        # the pull goes on for longer than idle_timeout (as the player's media tells).
        p1.stop()
        ef.wait_stream(e, players=1)
        since = ef.video_frames(d2)[-1][1]
        wait_until(lambda: ef.video_frames(d2)[-1][1] >= since + idle_ms + 1500, idle_ms / 1000 + 15,
                   interval=0.2, what="idle_timeout and more of media for the player left")
        self.assertNotRegex(e.log(), ef.rx(ef.LOG_IDLE_STOP))
        self.assertTrue(p2.alive(), p2.output())

        # The last player leaves and another comes back at once: the same pull.
        p2.stop()
        ef.wait_stream(e, players=0)
        p3, d3 = ef.rtmpdump_url(self, edge_url, e.dir)
        self.wait_media(d3)
        self.assertNotRegex(e.log(), ef.rx(ef.LOG_IDLE_STOP))
        self.assertEqual(len(ef.pulls(e)), 1, ef.pulls(e))
        again = ef.wait_stream(e)["upstream"]
        self.assertEqual((again["cid"], again["upstream_cid"], again["reconnects"]),
                         (first["cid"], first["upstream_cid"], 0), (first, again))
        self.assertEqual([c["id"] for c in self.upstreams(o)], [first["upstream_cid"]])

        # The last player leaves for good: idle_timeout later the pull stops,
        # the origin loses its upstream player, the edge its stream.
        p3.stop()
        e.wait_log(ef.rx(ef.LOG_IDLE_STOP), timeout=idle_ms / 1000 + 10)
        wait_until(lambda: self.upstreams(o) == [], 10, what="the origin to lose the edge's play")
        wait_until(lambda: not ef.stream(e) or ef.stream(e).get("upstream") is None, 10,
                   what="the edge's pulled stream to go")
        samples = ef.metrics(e)
        self.assertEqual(ef.metric(samples, ef.METRIC_PULLS), 0, samples.get(ef.METRIC_PULLS))

        # A player right after: a new pull at once.
        p4, d4 = ef.rtmpdump_url(self, edge_url, e.dir)
        self.wait_media(d4)
        pulls = ef.pulls(e)
        self.assertEqual(len(pulls), 2, pulls)
        self.assertNotEqual(pulls[1]["cid"], pulls[0]["cid"])
        up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual(up["cid"], pulls[1]["cid"], up)
        self.assertEqual(len(self.upstreams(o)), 1, self.upstreams(o))
        self.assertNotEqual(self.upstreams(o)[0]["id"], first["upstream_cid"])


if __name__ == "__main__":
    unittest.main()
