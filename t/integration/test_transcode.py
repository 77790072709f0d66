"""Transcode (issue #12): for each live stream a vhost's transcode applies
to, the master runs one ffmpeg per enabled engine that plays the stream from
this server and publishes the result back (live/cam -> live/cam_small).
Real clients only: ffmpeg publishes a 640x360 test pattern, ffprobe plays
the output on each worker; the API tells the children and marks the
transcoder's output; /proc tells their pids. Every wait is bounded."""
import re
import signal
import unittest

import children_fixtures as cf
from harness import Probe, pid_alive, publish, start_on_worker, wait_until

ENGINES = {"transcode": {"enabled": True, "engines": {"small": cf.SMALL}}}
CAM = f"{cf.VHOST}/live/cam"
CAM_SMALL = f"{cf.VHOST}/live/cam_small"


class TranscodeTest(unittest.TestCase):
    def assert_small(self, streams):
        """ffprobe's streams are the engine's: H.264 320x180 and AAC."""
        self.assertEqual(cf.codecs(streams), {"video": ("h264", 320, 180),
                                              "audio": ("aac", None, None)}, streams)

    def test_small_engine_plays_on_every_worker(self):
        # A grace of 3 s: the output waits that long (a sweep or two) for its
        # transcoder to come back once the input ended; never transcoded meanwhile.
        srv = cf.server(self, vhost=ENGINES, grace="3s").start()
        pub = publish(self, srv, "live/cam", seconds=90, size="640x360")
        small = cf.wait_live(srv, "live", "cam_small")
        cam = cf.stream(srv, "live", "cam")
        self.assertEqual((cam["video"]["width"], cam["video"]["height"]), (640, 360), cam)
        self.assertEqual((small["video"]["width"], small["video"]["height"]), (320, 180), small)

        # The API: one transcode child, running, from cam to cam_small; the
        # master's child; cam_small says it made it, cam says nothing.
        kids = cf.children(srv, kind="transcode")
        self.assertEqual(len(kids), 1, kids)
        c = kids[0]
        self.assertRegex(c["id"], r"^c\d+$")
        self.assertEqual((c["name"], c["source"], c["output"], c["state"], c["restarts"]),
                         ("small", CAM, CAM_SMALL, "running", 0), c)
        self.assertTrue(pid_alive(c["pid"]), c)
        self.assertEqual(cf.proc_stat(c["pid"])[1], srv.pid, "the transcoder is the master's child")
        self.assertGreater(c["started_at"], 0, c)
        self.assertEqual(small["transcoder"], {"id": c["id"], "engine": "small", "source": CAM,
                                               "pid": c["pid"]})
        self.assertIsNone(small["ingest"], small)
        self.assertIsNone(cam["transcoder"], cam)
        one = srv.api(f"{cf.API_CHILDREN}/{c['id']}")
        self.assertEqual(one["code"], 0, one)
        self.assertEqual(one["child"]["pid"], c["pid"], one)
        missing = srv.api(f"{cf.API_CHILDREN}/c999999")
        self.assertEqual(missing["code"], 2051, missing)
        srv.wait_log(r"child " + cf.child_pattern("transcode", "live/cam small")
                     + rf" pid {c['pid']} started: ffmpeg .*-s 320x180")

        # ffprobe sees 320x180 on the worker the transcoder publishes to and on the other.
        workers = srv.workers()
        self.assertEqual(len(workers), 2, workers)
        self.assertIn(small["worker_pid"], workers)
        url = cf.rtmp_url(srv, "live/cam_small")
        for pid in sorted(workers, key=lambda p: p == small["worker_pid"]):
            with self.subTest(worker=pid, publisher_worker=small["worker_pid"]):
                probe = start_on_worker(srv, pid, "rtmp play", lambda: Probe(url))
                self.assert_small(probe.streams(timeout=25))

        # /metrics counts it.
        samples = cf.metrics(srv)
        self.assertEqual(cf.metric_sum(samples, "srs_children", kind="transcode",
                                       state="running"), 1, samples.get("srs_children"))
        self.assertGreaterEqual(cf.metric_sum(samples, "srs_child_starts_total"), 1)

        # No loop: while cam_small gets 3 s more of media, one transcode child
        # only, the same, and no cam_small_small.
        start = cf.stream(srv, "live", "cam_small")["messages"]

        def steady():
            now = cf.children(srv, kind="transcode")
            self.assertEqual([(k["id"], k["pid"], k["source"]) for k in now],
                             [(c["id"], c["pid"], CAM)])
            names = [s["name"] for s in cf.streams(srv)]
            self.assertNotIn("cam_small_small", names)
            return cf.stream(srv, "live", "cam_small")["messages"] > start + 200

        wait_until(steady, 30, interval=0.25, what="3 s more of cam_small")
        self.assertNotRegex(srv.log(), r"child transcode \S+/live/cam_small ")

        # The publisher leaves: the stream ends after its grace, and with it
        # the transcoder; then its output ends after its own grace, and was
        # never transcoded meanwhile either.
        pub.stop()
        wait_until(lambda: not pid_alive(c["pid"]), 20, what=f"transcoder {c['pid']} to exit")
        srv.wait_log(cf.child_pattern("transcode", "live/cam small")
                     + r": no longer wanted, stopping it")
        wait_until(lambda: not cf.streams(srv) and not cf.children(srv), 20, interval=0.2,
                   what="cam and cam_small to end, and every child to leave")
        loops = re.findall(r"[^\n]*child transcode \S+/live/cam_small [^\n]*", srv.log())
        self.assertFalse(loops, "a transcoder's output was transcoded once its input ended:\n"
                         + "\n".join(loops))

    def test_apply_limits_the_streams(self):
        vhost = {"transcode": {"enabled": True, "apply": ["live/only"],
                               "engines": {"small": cf.SMALL}}}
        srv = cf.server(self, vhost=vhost).start()
        publish(self, srv, "live/only", seconds=90)
        publish(self, srv, "live/other", seconds=90)
        cf.wait_live(srv, "live", "only_small")
        start = cf.wait_live(srv, "live", "other")["messages"]

        # While other gets 3 s more of media: one transcode child, of only.
        def steady():
            kids = cf.children(srv, kind="transcode")
            self.assertEqual([(k["source"], k["output"]) for k in kids],
                             [(f"{cf.VHOST}/live/only", f"{cf.VHOST}/live/only_small")])
            self.assertNotIn("other_small", [s["name"] for s in cf.streams(srv)])
            return cf.stream(srv, "live", "other")["messages"] > start + 200

        wait_until(steady, 30, interval=0.25, what="3 s more of live/other")
        self.assert_small(Probe(cf.rtmp_url(srv, "live/only_small")).streams(timeout=25))
        self.assertNotRegex(srv.log(), r"child transcode \S+/live/other ")

    def test_a_reload_keeps_the_transcoder_and_adds_an_engine(self):
        srv = cf.server(self, vhost=ENGINES).start()
        publish(self, srv, "live/cam", seconds=90)
        cf.wait_live(srv, "live", "cam_small")
        before = cf.wait_child(srv, "transcode", "small")

        engines = srv.settings["vhosts"][cf.VHOST]["transcode"]["engines"]
        engines["tiny"] = dict(cf.SMALL, size="160x90", vcodec="libx264", acodec="none")
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 2 serving", timeout=20)
        tiny = cf.wait_live(srv, "live", "cam_tiny", audio=False)
        self.assertEqual((tiny["video"]["width"], tiny["video"]["height"]), (160, 90), tiny)
        self.assertEqual(tiny["transcoder"]["engine"], "tiny", tiny)
        streams = Probe(cf.rtmp_url(srv, "live/cam_tiny")).streams(timeout=25)
        self.assertEqual(cf.codecs(streams), {"video": ("h264", 160, 90)}, streams)

        # small went on as it was: the same ffmpeg, its output still growing.
        start = cf.stream(srv, "live", "cam_small")["messages"]
        cf.wait_live(srv, "live", "cam_small", more_than=start + 100)
        after = cf.the_child(srv, "transcode", "small")
        self.assertEqual((after["id"], after["pid"], after["restarts"], after["state"]),
                         (before["id"], before["pid"], 0, "running"), after)
        self.assertNotRegex(srv.log(), cf.child_pattern("transcode", "live/cam small")
                            + ": (?:no longer wanted|its command changed)")
        self.assertEqual(sorted(c["name"] for c in cf.children(srv, kind="transcode")),
                         ["small", "tiny"])

    def test_a_transcoder_whose_output_gets_no_media_is_restarted(self):
        # select=0 drops every frame: the output is published, and stays empty.
        blind = dict(cf.SMALL, filters="select=0", acodec="none")
        srv = cf.server(self, ffmpeg={"stall_timeout": "2s"}, vhost={
            "transcode": {"enabled": True, "engines": {"blind": blind}}}).start()
        publish(self, srv, "live/cam", seconds=90)
        cf.wait_live(srv, "live", "cam")
        first = cf.wait_child(srv, "transcode", "blind")
        stalled = srv.wait_log(
            r"child " + cf.child_pattern("transcode", "live/cam blind") + r" pid (\d+): its output "
            + re.escape(f"{cf.VHOST}/live/cam_blind") + r" got no media for 2000 ms; restarting it",
            timeout=20)
        self.assertEqual(int(stalled[0]), first["pid"])
        c = cf.wait_child(srv, "transcode", "blind", check=lambda c: c["restarts"] >= 1,
                          what="restarted", timeout=20)
        self.assertNotEqual(c["pid"], first["pid"], c)
        self.assertGreaterEqual(cf.metric_sum(cf.metrics(srv), "srs_child_stalls_total"), 1)
        self.assertTrue(cf.is_live(cf.stream(srv, "live", "cam")), "the input goes on")

    def test_configuration_errors(self):
        srv = cf.server(self)
        passthrough = {"vcodec": "copy", "acodec": "none",
                "output": "rtmp://[host]:[port]/[app]/[stream]-[engine]?vhost=[vhost]"}
        good = {"transcode": {"enabled": True, "apply": ["live/*", "app/stream"],
                              "engines": {"small": cf.SMALL, "copy": passthrough}}}
        _, r = cf.check_config(srv, good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("is valid", r.stdout)

        path = f"vhosts.{cf.VHOST}.transcode.engines.small."
        for key, value, message in (
                ("size", "abc", "expected WIDTHxHEIGHT"),
                ("size", "321x180", "expected WIDTHxHEIGHT"),
                ("output", "rtmp://[host]:[port]/[app]/[foo]", "unknown template '[foo]'"),
                ("output", "http://[host]/[app]/[stream]", "expected an rtmp:// URL template")):
            with self.subTest(key=key, value=value):
                engine = dict(cf.SMALL, **{key: value})
                text, r = cf.check_config(srv, {"transcode": {"enabled": True,
                                                              "engines": {"small": engine}}})
                cf.assert_config_error(self, text, r, path + key, message, f'"{value}"')
        with self.subTest(apply="live*/x"):
            text, r = cf.check_config(srv, {"transcode": {"enabled": True, "apply": ["live*/x"],
                                                          "engines": {"small": cf.SMALL}}})
            self.assertNotEqual(r.returncode, 0, r.stdout)
            self.assertRegex(r.stderr, r"srs\.yaml:\d+:\d+: "
                             + re.escape(f"vhosts.{cf.VHOST}.transcode.apply"))


if __name__ == "__main__":
    unittest.main()
