"""The edge (vhosts.NAME.cluster.mode: edge): a player of a stream that is not
live on the edge makes the edge pull it from its origins, once for the whole
server; the pull stops cluster.idle_timeout after the last player left; an
origin that dies is replaced by the next one while the players stay; a publish
on the edge goes through to the origin. Real clients only: ffmpeg publishes a
test pattern (H.264 + AAC) to an origin (our server, or nginx-rtmp); rtmpdump,
curl, ffprobe and srs-bench play on the edge; the origins' and the edge's API,
/metrics and logs tell who pulls what from where.

The fail-over test prints, for each trial, the gap the edge logs between the
lost origin's last media and the next origin's first ("after a gap of N ms"),
the switch time (loss to media, from the log's stamps) and the largest gap
between the player's video timestamps; EDGE_FAILOVER_TRIALS sets the number of
trials (3). Every server and client is stopped by pid, every wait is bounded."""
import os
import re
import signal
import sys
import unittest

import edge_fixtures as ef
from callbacks import CallbackServer
from harness import (BUILD, ROOT, SRS, Probe, Proc, Server, assert_test_pattern, flv_tags,
                     free_port, run, start_on_worker, to_yaml, wait_until)


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
        self.assertEqual(ef.metric(samples, ef.METRIC_PULLS, state="playing"), 1,
                         samples.get(ef.METRIC_PULLS))
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


    # --- 3. origin fail-over ------------------------------------------------------

    def failover_trial(self, audio=True):
        """O2 has the stream from ffmpeg and forwards it to O1, so that each has
        it by itself; the edge lists O1 first. O1 dies (SIGKILL, master and
        workers) under an rtmpdump player of the edge. Returns the edge's
        logged gap, the largest gap between the player's video timestamps and
        the switch time (ms). audio=False: the video alone."""
        o1 = ef.origin(self)
        o2 = ef.origin(self, vhost={"forward": {"destinations": [f"127.0.0.1:{o1.rtmp_port}"]}})
        ef.publish(self, ef.rtmp_url(o2.rtmp_port), o2.dir, audio=audio)
        ef.wait_stream(o2, audio=audio)
        ef.wait_stream(o1, audio=audio)
        url1, url2 = ef.rtmp_url(o1.rtmp_port), ef.rtmp_url(o2.rtmp_port)
        e = ef.edge(self, [f"127.0.0.1:{o1.rtmp_port}", f"127.0.0.1:{o2.rtmp_port}"], workers=2)
        player, dump = ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port), e.dir)
        e.wait_log(ef.rx(ef.LOG_PLAYING_FROM, url=url1))
        curl, flv = ef.curl_flv(self, f"http://127.0.0.1:{e.http_port}/live/cam.flv", e.dir)
        self.wait_media(dump, 50)
        self.wait_media(flv, 25)
        self.assertEqual(len(self.upstreams(o1)), 1)
        self.assertEqual(self.upstreams(o2), [], "the edge plays from the first origin only")

        # Counted before the kill: the edge switches within tens of milliseconds
        # and, with the default merge window, the player may hold the new
        # origin's first tags by the time kill_server() returns.
        tags_at_kill = len(flv_tags(dump))
        frames_at_kill = len(ef.video_frames(dump))
        flv_frames_at_kill = len(ef.video_frames(flv))
        ef.kill_server(o1)
        why = e.wait_log(ef.rx(ef.LOG_LOST, lost=url1, next=url2))[0]
        gap_ms = int(e.wait_log(ef.rx(ef.LOG_MEDIA_AGAIN, url=url2))[0])
        # From the loss to the new origin's media, as the edge's log stamps it
        # (printed, not asserted; the gap above also holds the time between
        # the last media and the kill).
        switch_ms = (ef.logged_at(e, ef.rx(ef.LOG_MEDIA_AGAIN, url=url2))
                     - ef.logged_at(e, ef.rx(ef.LOG_LOST, lost=url1, next=url2)))
        # The player stays and gets 3 s more of video, from O2.
        wait_until(lambda: len(ef.video_frames(dump)) >= frames_at_kill + 75, 20, interval=0.2,
                   what="3 s more of video for the player after the kill")
        wait_until(lambda: len(ef.video_frames(flv)) >= flv_frames_at_kill + 75, 20, interval=0.2,
                   what="3 s more of video for the HTTP-FLV player after the kill")
        self.assertTrue(player.alive(), player.output())
        self.assertTrue(curl.alive(), curl.output())
        up = ef.wait_stream(e, audio=audio,
                            upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual((up["url"], up["reconnects"]), (url2, 1), up)
        o2_ups = self.upstreams(o2)
        self.assertEqual([c["id"] for c in o2_ups], [up["upstream_cid"]], (up, o2_ups))
        self.assertGreaterEqual(ef.metric(ef.metrics(e), ef.METRIC_RETRIES), 1)
        self.assertEqual(len(ef.pulls(e)), 1, "the same pull goes on")
        player.stop()
        curl.stop()
        with self.subTest("the HTTP-FLV player's timestamps go on too"):
            http_media = ef.media_tags(flv)
            for kind in (8, 9) if audio else (9,):
                ts = [t[1] for t in http_media if t[0] == kind]
                self.assertEqual(ef.backwards(ts), [], f"HTTP-FLV tag type {kind} timestamps go back")
                self.assertLess(ef.max_gap(ts), 1000, f"HTTP-FLV tag type {kind}")

        tags = flv_tags(dump)
        self.assertGreater(len(tags), tags_at_kill)
        after = tags[tags_at_kill:]
        # The new origin's sequence headers reached the player after the kill.
        with self.subTest("the new origin's sequence headers reach the player"):
            self.assertTrue(ef.sequence_headers(after, 9), "no AVC sequence header after the kill")
            if audio:
                self.assertTrue(ef.sequence_headers(after, 8), "no AAC sequence header after the kill")
        # Timestamps go on: per track never backwards, no gap of a second.
        media = ef.media_tags(dump)
        video = [t[1] for t in media if t[0] == 9]
        audio = [t[1] for t in media if t[0] == 8]
        self.assertEqual(ef.backwards(video), [], "video timestamps go back")
        self.assertEqual(ef.backwards(audio), [], "audio timestamps go back")
        with self.subTest("no two video frames at one timestamp"):
            # What a client that records or remuxes sees: ffmpeg copying the
            # player's FLV to MP4 says "Non-monotonous DTS" at a repeated one.
            r = run(["ffmpeg", "-hide_banner", "-v", "warning", "-i", dump, "-map", "0:v",
                     "-c", "copy", "-f", "mp4", "-y", dump + ".mp4"], timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("Non-monotonous DTS", r.stderr,
                             f"video frames at the timestamp of the one before: {ef.repeated(video)}")
        player_gap = ef.max_gap(video)
        # What the player got twice: the new origin starts with its newest
        # keyframe, which the old one may have sent already (printed, not asserted).
        seen, replayed = set(), 0
        for t in media:
            replayed += t[3] in seen and t[0] == 9
            seen.add(t[3])
        self.assertLess(player_gap, 1000, "a gap in the player's video timestamps")
        self.assertLess(gap_ms, 1000, "the edge's gap between the two origins' media")
        print(f"\n    fail-over: edge gap {gap_ms} ms ({why}; loss to media {switch_ms:.0f} ms), "
              f"player's largest video "
              f"timestamp gap {player_gap} ms, "
              f"{replayed} video frames received twice", end="")
        for srv in (e, o2):
            srv.stop()
        return gap_ms, player_gap, round(switch_ms)

    def test_failover_to_the_next_origin(self):
        trials = int(os.environ.get("EDGE_FAILOVER_TRIALS", "3"))
        results = []
        for i in range(trials):
            with self.subTest(trial=i + 1):
                results.append(self.failover_trial())
        gaps = [g for g, _, _ in results]
        if gaps:
            p50, top = ef.p50_max(gaps)
            print(f"\n    fail-over over {len(gaps)} trials: edge gap p50 {p50:.0f} ms, max {top} ms; "
                  f"player's largest video timestamp gap max {max(p for _, p, _ in results)} ms; "
                  f"each (edge gap, player gap, loss to media): {results}")

    def test_failover_video_only(self):
        """Fail-over of a video-only stream (last frame before the switch: video).

        The last message from the lost origin is always a video frame, which
        the new origin's first keyframe must follow."""
        self.failover_trial(audio=False)

    def test_refused_origin_is_skipped(self):
        """Nothing listens at the first origin: the edge goes on to the second."""
        o = self.origin_with_stream()
        dead = ef.rtmp_url(free_port())
        e = ef.edge(self, [dead.split("/")[2], f"127.0.0.1:{o.rtmp_port}"], workers=1)
        player, dump = ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port), e.dir)
        self.wait_media(dump)
        e.wait_log(ef.rx(ef.LOG_FAILED, failed=dead, next=ef.rtmp_url(o.rtmp_port)))
        up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual((up["url"], up["reconnects"]), (ef.rtmp_url(o.rtmp_port), 1), up)
        self.assertEqual(ef.metric(ef.metrics(e), ef.METRIC_RETRIES), 1)
        self.assertEqual(len(self.upstreams(o)), 1)

    def test_stalled_origin_is_left(self):
        """The first origin stops sending (its processes SIGSTOPped, the TCP
        connection stays): cluster.stall_timeout later the edge switches."""
        o1 = ef.origin(self)
        o2 = ef.origin(self, vhost={"forward": {"destinations": [f"127.0.0.1:{o1.rtmp_port}"]}})
        ef.publish(self, ef.rtmp_url(o2.rtmp_port), o2.dir)
        ef.wait_stream(o2)
        ef.wait_stream(o1)
        url1, url2 = ef.rtmp_url(o1.rtmp_port), ef.rtmp_url(o2.rtmp_port)
        e = ef.edge(self, [f"127.0.0.1:{o1.rtmp_port}", f"127.0.0.1:{o2.rtmp_port}"], workers=1,
                    stall_timeout="1500ms")
        player, dump = ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port), e.dir)
        e.wait_log(ef.rx(ef.LOG_PLAYING_FROM, url=url1))
        self.wait_media(dump, 50)
        frozen = o1.workers() + [o1.pid]
        for p in frozen:
            os.kill(p, signal.SIGSTOP)
        self.addCleanup(ef.kill_server, o1)  # SIGKILL ends a stopped process too
        frames = len(ef.video_frames(dump))
        why = e.wait_log(ef.rx(ef.LOG_LOST, lost=url1, next=url2), timeout=15)[0]
        self.assertIn("cluster.stall_timeout", why)
        gap_ms = int(e.wait_log(ef.rx(ef.LOG_MEDIA_AGAIN, url=url2))[0])
        self.assertGreaterEqual(gap_ms, 1500, "the edge waited for stall_timeout")
        wait_until(lambda: len(ef.video_frames(dump)) >= frames + 75, 20, interval=0.2,
                   what="3 s more of video for the player after the stall")
        self.assertTrue(player.alive(), player.output())
        video = [t[1] for t in ef.video_frames(dump)]
        self.assertEqual(ef.backwards(video), [])
        print(f"\n    stall: edge gap {gap_ms} ms ({why})", end="")

    def test_origin_publisher_restarts(self):
        """The origin's publisher stops and comes back (an encoder restart): the
        edge's player stays and gets the new publish."""
        o = ef.origin(self)
        pub = ef.publish(self, ef.rtmp_url(o.rtmp_port), o.dir)
        ef.wait_stream(o)
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=1, stall_timeout="1s")
        player, dump = ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port), e.dir)
        self.wait_media(dump, 50)
        pub.stop()
        wait_until(lambda: not ef.stream(o) or ef.stream(o).get("state") != "live", 10, interval=0.2,
                   what="the origin's stream to end")
        frames = len(ef.video_frames(dump))
        ef.publish(self, ef.rtmp_url(o.rtmp_port), o.dir)
        wait_until(lambda: len(ef.video_frames(dump)) >= frames + 75, 30, interval=0.2,
                   what="3 s of the new publish for the edge's player")
        self.assertTrue(player.alive(), player.output())
        video = [t[1] for t in ef.video_frames(dump)]
        self.assertEqual(ef.backwards(video), [])
        self.assertEqual(len(ef.pulls(e)), 1, "the same pull goes on")
        self.assertEqual(len(self.upstreams(o)), 1, self.upstreams(o))

    def test_origin_not_up_yet(self):
        """Nothing listens at the only origin: the player waits while the edge
        retries with a growing delay (a player who leaves meanwhile still
        stops the pull after idle_timeout); once the origin is up, the player
        gets the stream."""
        port = free_port()
        url = ef.rtmp_url(port)
        e = ef.edge(self, [f"127.0.0.1:{port}"], workers=1, idle_timeout="2s")
        edge_url = ef.rtmp_url(e.rtmp_port)
        # A player who leaves while the edge retries: the pull stops all the same.
        p1, _ = ef.rtmpdump_url(self, edge_url, e.dir)
        e.wait_log(ef.rx(ef.LOG_ALL_FAILED, url=url))
        p1.stop()
        e.wait_log(ef.rx(ef.LOG_IDLE_STOP), timeout=10)
        wait_until(lambda: ef.metric(ef.metrics(e), ef.METRIC_PULLS) == 0, 10,
                   what="no pull in /metrics after the idle stop")

        # Another player: a new pull, retrying with a growing delay.
        before = len(re.findall(ef.rx(ef.LOG_ALL_FAILED, url=url), e.log()))
        p2, dump = ef.rtmpdump_url(self, edge_url, e.dir)
        delays = [int(d) for d in e.wait_log(ef.rx(ef.LOG_ALL_FAILED, url=url), count=before + 2,
                                             timeout=15)[before:]]
        self.assertEqual(len(ef.pulls(e)), 2, ef.pulls(e))
        self.assertGreater(delays[0], 0, delays)
        self.assertGreater(delays[1], delays[0], f"the delays grow: {delays}")
        s = ef.stream(e)
        self.assertIsNotNone(s, ef.streams(e))
        self.assertIn(s["upstream"]["state"], ("retrying", "connecting"), s["upstream"])
        self.assertGreaterEqual(s["upstream"]["reconnects"], 2, s["upstream"])
        samples = ef.metrics(e)
        self.assertEqual(ef.metric(samples, ef.METRIC_PULLS, state="playing"), 0)
        self.assertEqual(ef.metric(samples, ef.METRIC_PULLS, state="retrying")
                         + ef.metric(samples, ef.METRIC_PULLS, state="connecting"), 1,
                         samples[ef.METRIC_PULLS])
        self.assertGreaterEqual(ef.metric(samples, ef.METRIC_RETRIES), 3)
        self.assertTrue(p2.alive(), p2.output())

        # The origin comes up on that port with the stream: the player gets it.
        o = Server(self, workers=1)
        o.rtmp_port = port
        o.settings["rtmp"]["listen"] = [f"127.0.0.1:{port}"]
        o.write_config()
        self.addCleanup(o.stop)
        o.start()
        ef.publish(self, url, o.dir)
        ef.wait_stream(o)
        self.wait_media(dump, 50)
        up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual(up["url"], url, up)
        self.assertEqual(len(self.upstreams(o)), 1, self.upstreams(o))

    def test_pulling_worker_dies(self):
        """The worker that pulls is killed (SIGKILL) under a player of the other
        worker: the master starts a new worker, and the player goes on with a
        new pull."""
        o = self.origin_with_stream()
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2)
        edge_url = ef.rtmp_url(e.rtmp_port)
        w1, w2 = e.workers()
        start_on_worker(e, w1, "rtmp play", lambda: ef.rtmpdump_url(self, edge_url, e.dir))
        p2, d2 = start_on_worker(e, w2, "rtmp play", lambda: ef.rtmpdump_url(self, edge_url, e.dir))
        self.wait_media(d2)
        self.assertEqual(int(ef.pulls(e)[0]["pid"]), w1)
        os.kill(w1, signal.SIGKILL)
        e.wait_log(r"pid %d killed by signal 9" % w1)
        frames = len(ef.video_frames(d2))
        wait_until(lambda: len(ef.video_frames(d2)) >= frames + 50, 30, interval=0.2,
                   what="the other worker's player to get 2 s more of video after the kill")
        self.assertTrue(p2.alive(), p2.output())
        wait_until(lambda: len(self.upstreams(o)) == 1, 10, what="one upstream play on the origin")
        self.assertEqual(ef.backwards([t[1] for t in ef.video_frames(d2)]), [])
        # A new pull, by a live worker (the one whose player waits).
        pulls = ef.pulls(e)
        self.assertEqual(len(pulls), 2, pulls)
        self.assertIn(int(pulls[1]["pid"]), e.workers(), pulls)
        self.assertNotEqual(int(pulls[1]["pid"]), w1, pulls)
        up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual(up["cid"], pulls[1]["cid"], up)

    # --- 4. push through ------------------------------------------------------------

    def test_publish_on_the_edge_goes_to_the_origin(self):
        o = ef.origin(self)
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2)
        pub = ef.publish(self, ef.rtmp_url(e.rtmp_port, "live/pushed"), e.dir)
        s = ef.wait_stream(e, "pushed")
        self.assertIsNone(s["upstream"], "a stream published on the edge is not pulled")
        ef.wait_stream(o, "pushed")
        self.probe(ef.rtmp_url(o.rtmp_port, "live/pushed"))
        # The origin's publisher is the edge (its identity in connect).
        m = wait_until(lambda: re.search(ef.LOG_UPSTREAM_CONNECT, o.log()), 10,
                       what="the origin's 'rtmp connect from upstream' line")
        self.assertIn(int(m["pid"]), e.workers(), m.group(0))
        # A player of the edge gets it there: no pull, no play on the origin.
        self.probe(ef.rtmp_url(e.rtmp_port, "live/pushed"))
        self.assertEqual(ef.pulls(e, f"{ef.VHOST}/live/pushed"), [])
        self.assertEqual(self.upstreams(o), [])
        self.assertTrue(pub.alive(), pub.output())

    def test_publish_on_the_edge_skips_a_dead_origin(self):
        """The origins are the push's fail-over list too: nothing listens at the
        first, the publish reaches the second."""
        o = ef.origin(self)
        dead = free_port()
        e = ef.edge(self, [f"127.0.0.1:{dead}", f"127.0.0.1:{o.rtmp_port}"], workers=1)
        pub = ef.publish(self, ef.rtmp_url(e.rtmp_port, "live/pushed"), e.dir)
        ef.wait_stream(e, "pushed")
        ef.wait_stream(o, "pushed", timeout=30)
        self.probe(ef.rtmp_url(o.rtmp_port, "live/pushed"))
        self.assertTrue(pub.alive(), pub.output())

    # --- 5. parameters -----------------------------------------------------------------

    def test_play_parameters_reach_the_origin(self):
        cb = CallbackServer(self)
        hooks = {"http_hooks": {"enabled": True, "on_play": [cb.url("/notify")]}}
        o = self.origin_with_stream(vhost=hooks)
        ef.publish(self, ef.rtmp_url(o.rtmp_port, "live/cam2"), o.dir)
        ef.wait_stream(o, "cam2")
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2)
        # RTMP: rtmp://edge/live/cam?token=abc
        _, dump = ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port, "live/cam?token=abc"), e.dir)
        self.wait_media(dump)
        ev = wait_until(lambda: cb.of("on_play", stream="cam"), 10, what="the origin's on_play")
        self.assertEqual(len(ev), 1, ev)
        self.assertEqual((ev[0]["app"], ev[0]["param"]), ("live", "?token=abc"), ev[0])
        # HTTP-FLV: http://edge/live/cam2.flv?token=xyz
        _, flv = ef.curl_flv(self, f"http://127.0.0.1:{e.http_port}/live/cam2.flv?token=xyz", e.dir)
        self.wait_media(flv)
        ev = wait_until(lambda: cb.of("on_play", stream="cam2"), 10, what="the origin's on_play of cam2")
        self.assertEqual(len(ev), 1, ev)
        self.assertEqual((ev[0]["app"], ev[0]["param"]), ("live", "?token=xyz"), ev[0])

    # --- 6. many players, one upstream ---------------------------------------------------

    def test_hundred_players_one_upstream(self):
        o = self.origin_with_stream()
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2)
        report = os.path.join(e.dir, "bench.json")
        # 50 RTMP and 50 HTTP-FLV players, all started within a second.
        bench = Proc(self, [os.path.join(BUILD, "srs-bench"),
                            "--play", ef.rtmp_url(e.rtmp_port),
                            "--play", f"http://127.0.0.1:{e.http_port}/live/cam.flv",
                            "--players", "50", "--ramp", "200/s", "--play-delay", "0s",
                            "--duration", "12s", "--quiet", "--expect-all-played", "--json", report],
                     os.path.join(e.dir, "bench.log"))
        s = ef.wait_stream(e, players=lambda n: n is not None and n >= 100, timeout=20)
        per_worker = {w["worker_pid"]: w["players"] for w in s["srs_workers"]}
        self.assertEqual(sorted(per_worker), sorted(e.workers()), s["srs_workers"])
        self.assertTrue(all(n > 0 for n in per_worker.values()), per_worker)
        ups = self.upstreams(o)
        self.assertEqual(len(ups), 1, ups)
        self.assertEqual(len(ef.pulls(e)), 1, ef.pulls(e))
        self.assertEqual(bench.wait(40), 0, bench.output()[-3000:])
        self.assertEqual([c["id"] for c in self.upstreams(o)], [ups[0]["id"]], "one upstream all along")
        print(f"\n    100 players on the edge's workers: {sorted(per_worker.values())}", end="")

    # --- 7. nginx-rtmp as the origin ------------------------------------------------------

    def test_nginx_rtmp_origin(self):
        sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
        import benchlib  # noqa: E402
        if not benchlib.install_nginx_rtmp():
            self.skipTest("nginx with libnginx-mod-rtmp could not be installed")
        nginx = benchlib.NginxRtmp(workers=1)
        self.addCleanup(nginx.cleanup)
        nginx.start()
        ef.publish(self, ef.rtmp_url(nginx.rtmp_port), nginx.dir)
        e = ef.edge(self, [f"127.0.0.1:{nginx.rtmp_port}"], workers=2)
        # Pull: once nginx has the stream, a player of the edge decodes it.
        self.probe(ef.rtmp_url(nginx.rtmp_port))
        self.probe(ef.rtmp_url(e.rtmp_port))
        up = ef.wait_stream(e, upstream=lambda u: u and u.get("state") == "playing")["upstream"]
        self.assertEqual(up["url"], ef.rtmp_url(nginx.rtmp_port), up)
        # Push through: a publish on the edge reaches nginx.
        ef.publish(self, ef.rtmp_url(e.rtmp_port, "live/pushed"), e.dir)
        ef.wait_stream(e, "pushed")
        self.probe(ef.rtmp_url(nginx.rtmp_port, "live/pushed"))
        self.assertTrue(nginx.alive(), nginx.log_tail("error.log"))

    # --- 8. reload -----------------------------------------------------------------------------

    def test_reload_keeps_the_player(self):
        o = self.origin_with_stream()
        e = ef.edge(self, [f"127.0.0.1:{o.rtmp_port}"], workers=2)
        player, dump = ef.rtmpdump_url(self, ef.rtmp_url(e.rtmp_port), e.dir)
        self.wait_media(dump)
        e.signal(signal.SIGHUP)
        e.wait_log(r"reload done: generation 2 serving", timeout=20)
        frames = len(ef.video_frames(dump))
        wait_until(lambda: len(ef.video_frames(dump)) >= frames + 75, 20, interval=0.2,
                   what="3 s more of video for the player after the reload")
        self.assertTrue(player.alive(), player.output())
        # A new player (on the new generation) plays the same pull.
        self.probe(ef.rtmp_url(e.rtmp_port))
        self.assertEqual(len(ef.pulls(e)), 1, ef.pulls(e))
        self.assertEqual(len(self.upstreams(o)), 1, self.upstreams(o))

    # --- 9. configuration ----------------------------------------------------------------------

    def test_edge_without_origins_is_a_configuration_error(self):
        srv = Server(self, workers=1)

        def check(cluster):
            settings = dict(srv.settings, vhosts={ef.VHOST: {"cluster": cluster}})
            srv.write_config(text=to_yaml(settings) + "\n")
            return run([SRS, "-t", "-c", srv.conf_path])

        r = check({"mode": "edge", "origins": ["127.0.0.1:19350"]})
        self.assertEqual(r.returncode, 0, r.stderr)
        r = check({"mode": "edge"})
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("vhosts.__defaultVhost__.cluster.origins", r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()
