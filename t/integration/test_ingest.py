"""Ingest (issue #12): the master runs one ffmpeg per enabled ingest from
the start, reading its input (a file, looped or not, or a URL) and
publishing it into a stream of this server; it is restarted with back-off
when it exits, and when its stream gets no media for ffmpeg.stall_timeout;
a reload adds, removes and changes ingests without touching the others.
Real clients only: ffmpeg makes a 2 s FLV clip, ffprobe plays the ingested
stream; the API, /metrics and the master's log tell the rest."""
import os
import re
import shutil
import signal
import tempfile
import unittest

import children_fixtures as cf
from harness import Probe, free_port, pid_alive, wait_until

CLIP_SECONDS = 2
# The master's log: a child that exited, why (ffmpeg's last line), and when it starts again.
LOG_EXITED = (r"child ingest {name} pid (?P<pid>\d+) exited with status (?P<status>\d+) "
              r"\(its last line: (?P<last>[^\n]*)\); restarting in (?P<ms>\d+) ms")


def log_exited(name):
    return LOG_EXITED.format(name=re.escape(f"{cf.VHOST}/{name}"))


class IngestTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="srs-ingest-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def clip(self):
        return cf.make_clip(self.dir, seconds=CLIP_SECONDS)

    def assert_clip(self, streams):
        """ffprobe's streams are the clip's: H.264 320x240 and AAC."""
        self.assertEqual(cf.codecs(streams), {"video": ("h264", 320, 240),
                                              "audio": ("aac", None, None)}, streams)

    def test_a_looping_file_plays_past_its_end(self):
        clip = self.clip()
        packets = cf.packets_in(clip)
        self.assertGreater(packets, 50 * CLIP_SECONDS, "the clip has audio and video")
        srv = cf.server(self, vhost={"ingest": {"clip": {"input": clip, "loop": True,
                                                         "stream": "live/clip"}}}).start()
        s = cf.wait_live(srv, "live", "clip")
        c = cf.wait_child(srv, "ingest", "clip")
        self.assertEqual((c["source"], c["output"], c["restarts"]),
                         (clip, f"{cf.VHOST}/live/clip", 0), c)
        self.assertEqual(cf.proc_stat(c["pid"])[1], srv.pid, "the ingest is the master's child")
        self.assertEqual(s["ingest"],
                         {"id": c["id"], "name": "clip", "source": clip, "pid": c["pid"]})
        self.assertIsNone(s["transcoder"], s)
        srv.wait_log(r"child ingest " + re.escape(f"{cf.VHOST}/clip pid {c['pid']} started: ")
                     + r"ffmpeg .*-stream_loop -1 .*-i " + re.escape(clip))
        self.assert_clip(Probe(cf.rtmp_url(srv, "live/clip")).streams(timeout=25))

        # Past three times what the file holds, the stream is live, from the
        # same ffmpeg (a loop, not restarts), and still plays.
        cf.wait_live(srv, "live", "clip", timeout=10 * CLIP_SECONDS + 20, more_than=3 * packets)
        again = cf.the_child(srv, "ingest", "clip")
        self.assertEqual((again["pid"], again["restarts"], again["state"]),
                         (c["pid"], 0, "running"), again)
        self.assertNotRegex(srv.log(), r"child ingest \S+/clip pid \d+ exited")
        self.assert_clip(Probe(cf.rtmp_url(srv, "live/clip")).streams(timeout=25))

    def test_a_vanished_source_is_restarted_with_back_off(self):
        clip = self.clip()
        os.unlink(clip)  # a file that was there and is gone
        dead = f"rtmp://127.0.0.1:{free_port()}/live/gone"  # a server that is gone
        srv = cf.server(self, workers=1, vhost={"ingest": {
            "gone": {"input": dead, "stream": "live/gone"},
            "deleted": {"input": clip, "stream": "live/deleted"}}}).start()

        for name, source, reason in (("gone", dead, "Connection refused"),
                                     ("deleted", clip, "No such file or directory")):
            with self.subTest(ingest=name):
                exits = srv.wait_log(log_exited(name), count=3, timeout=30)
                self.assertEqual([int(e[3]) for e in exits[:3]], [1000, 2000, 4000],
                                 "1 s doubling after quick exits")
                for pid, status, last, _ in exits:
                    self.assertEqual(status, "1", exits)
                    self.assertIn(reason, last, exits)
                self.assertEqual(len({e[0] for e in exits}), len(exits), "a new pid each run")
                c = cf.wait_child(srv, "ingest", name, state="waiting",
                                  check=lambda c: c["restarts"] >= 3, what="after 3 restarts")
                self.assertEqual((c["source"], c["pid"]), (source, 0), c)
                self.assertTrue(
                    c["last_exit"].startswith("exited with status 1 (its last line: "), c)
                self.assertIn(reason, c["last_exit"], c)
                # With no ffmpeg.log_dir, ffmpeg's lines are in the server's log.
                self.assertRegex(srv.log(), r"\] ingest " + re.escape(f"{cf.VHOST}/{name}: ")
                                 + r"[^\n]*" + reason)
                self.assertIsNone(cf.stream(srv, "live", name))
        samples = cf.metrics(srv)
        self.assertGreaterEqual(cf.metric_sum(samples, "srs_child_restarts_total"), 6)
        self.assertGreaterEqual(cf.metric_sum(samples, "srs_child_starts_total"), 6)
        self.assertEqual(cf.metric_sum(samples, "srs_children", kind="ingest"), 2)
        self.assertEqual(cf.metric_sum(samples, "srs_child_crash_loops_total"), 0)

        # The fifth quick exit in a row (1 + 2 + 4 + 8 s later) trips the
        # crash-loop breaker: said once, and it goes on retrying every 30 s.
        for name in ("gone", "deleted"):
            with self.subTest(ingest=name):
                srv.wait_log(log_exited(name), count=4, timeout=20)
                loop = srv.wait_log(
                    r"child ingest " + re.escape(f"{cf.VHOST}/{name}") + r" pid \d+ exited with "
                    r"status 1 \(its last line: [^\n]*\); crash loop: 5 quick exits in a row "
                    r"[^\n]*retrying every 30000 ms", timeout=20)
                self.assertEqual(len(loop), 1, loop)
                self.assertEqual([int(e[3]) for e in srv.wait_log(log_exited(name))],
                                 [1000, 2000, 4000, 8000])
                c = cf.wait_child(srv, "ingest", name, state="waiting",
                                  check=lambda c: c["restarts"] >= 5, what="after 5 restarts")
                self.assertEqual(c["restarts"], 5, c)
        wait_until(lambda: cf.metric_sum(cf.metrics(srv), "srs_child_crash_loops_total") == 2, 10,
                   what="srs_child_crash_loops_total 2")

    def test_a_reload_touches_only_the_changed_ingests(self):
        clip = self.clip()
        ingests = {name: {"input": clip, "loop": True, "stream": f"live/{name}"}
                   for name in ("keep", "drop", "change")}
        srv = cf.server(self, vhost={"ingest": ingests}).start()
        for name in ingests:
            cf.wait_live(srv, "live", name)
        old = {name: cf.wait_child(srv, "ingest", name) for name in ingests}

        # drop removed, change publishing elsewhere, add added; keep as it was.
        srv.settings["vhosts"][cf.VHOST]["ingest"] = {
            "keep": ingests["keep"],
            "change": dict(ingests["change"], stream="live/changed"),
            "add": {"input": clip, "loop": True, "stream": "live/add"}}
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 2 serving", timeout=20)
        cf.wait_child_gone(srv, "ingest", "drop")
        for name in ("drop", "change"):
            wait_until(lambda: not pid_alive(old[name]["pid"]), 10,
                       what=f"ingest {name} {old[name]['pid']} to exit")
        srv.wait_log(r"ingest " + re.escape(f"{cf.VHOST}/drop")
                     + r": no longer wanted, stopping it")
        srv.wait_log(r"ingest " + re.escape(f"{cf.VHOST}/change")
                     + r": its command changed, replacing it")
        cf.wait_live(srv, "live", "add")
        cf.wait_live(srv, "live", "changed")
        added = cf.wait_child(srv, "ingest", "add")
        changed = cf.wait_child(srv, "ingest", "change")
        self.assertEqual((added["restarts"], added["output"]), (0, f"{cf.VHOST}/live/add"), added)
        self.assertEqual(changed["output"], f"{cf.VHOST}/live/changed", changed)
        self.assertNotEqual(changed["pid"], old["change"]["pid"], changed)

        start = cf.stream(srv, "live", "keep")["messages"]
        cf.wait_live(srv, "live", "keep", more_than=start + 100)
        after = cf.the_child(srv, "ingest", "keep")
        keep = old["keep"]
        self.assertEqual((after["id"], after["pid"], after["restarts"], after["state"]),
                         (keep["id"], keep["pid"], 0, "running"), after)
        self.assertNotRegex(srv.log(), r"ingest " + re.escape(f"{cf.VHOST}/keep")
                            + ": (?:no longer|its command)")
        self.assertEqual(sorted(c["name"] for c in cf.children(srv, kind="ingest")),
                         ["add", "change", "keep"])

    def test_a_stalled_ingest_is_restarted(self):
        fifo = os.path.join(self.dir, "never.fifo")
        os.mkfifo(fifo)  # nobody ever writes: ffmpeg waits in open() forever
        srv = cf.server(self, ffmpeg={"stall_timeout": "1s"}, vhost={"ingest": {
            "silent": {"input": fifo, "stream": "live/silent"}}}).start()
        first = cf.wait_child(srv, "ingest", "silent")
        stalled = srv.wait_log(
            r"child ingest " + re.escape(f"{cf.VHOST}/silent") + r" pid (\d+): its output "
            + re.escape(f"{cf.VHOST}/live/silent") + r" got no media for 1000 ms; restarting it",
            timeout=15)
        self.assertEqual(int(stalled[0]), first["pid"])
        c = cf.wait_child(srv, "ingest", "silent", check=lambda c: c["restarts"] >= 1,
                          what="restarted", timeout=30)
        self.assertNotEqual(c["pid"], first["pid"], c)
        wait_until(lambda: not pid_alive(first["pid"]), 10, what="the stalled ffmpeg to exit")
        self.assertGreaterEqual(cf.metric_sum(cf.metrics(srv), "srs_child_stalls_total"), 1)

    def test_configuration_errors(self):
        srv = cf.server(self)
        engines = {"engines": {"small": cf.SMALL}}
        good = {"input": "/tmp/cam.flv", "loop": True, "stream": "live/cam", "engine": "small"}
        _, r = cf.check_config(srv, {"transcode": engines, "ingest": {"cam": good}})
        self.assertEqual(r.returncode, 0, r.stderr)
        path = f"vhosts.{cf.VHOST}.ingest.cam."
        for key, value, message in (
                ("engine", "nope", "no engine 'nope' in this vhost's transcode.engines"),
                ("stream", "cam", "expected app/stream"),
                ("stream", "live/*", "expected app/stream")):
            with self.subTest(key=key, value=value):
                ingest = {"input": "/tmp/cam.flv", "stream": "live/cam", key: value}
                text, r = cf.check_config(srv, {"transcode": engines, "ingest": {"cam": ingest}})
                cf.assert_config_error(self, text, r, path + key, message, f'"{value}"')


if __name__ == "__main__":
    unittest.main()
