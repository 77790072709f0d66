"""play.merge_window: auto, the default. An idle worker sends each frame as it
comes: its players see a few milliseconds of delay where a fixed 350 ms window
shows hundreds. A worker that spends its time writing (here: held to a small
CPU quota by a cgroup of its own) gathers more per write, up to
play.merge_ceiling. /api/v1/workers shows the share and the window used.

What is measured: srs-bench's latency stamps (the players' view) and the
API's writing figures (the server's). Every process is stopped by pid.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SRS_BUILD", "build"))
SRS_BENCH = os.path.join(BUILD, "srs-bench")
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
import benchlib  # noqa: E402
import cpucap  # noqa: E402
from harness import wait_until  # noqa: E402


def workers(srv):
    with urllib.request.urlopen(f"http://127.0.0.1:{srv.api_port}/api/v1/workers", timeout=10) as r:
        return json.load(r)["workers"]


def load_args(url, players):
    return ["--publish", url, "--play", url, "--synthetic", "1000kbps,gop=1s", "--players",
            str(players), "--ramp", "100/s", "--expect-all-played", "--expect-publish"]


class MergeWindowTest(unittest.TestCase):
    def setUp(self):
        for tool in ("srs", "srs-bench"):
            if not os.path.exists(os.path.join(BUILD, tool)):
                self.skipTest(f"{BUILD}/{tool} is not built")

    def start(self, **kw):
        srv = benchlib.Srs(BUILD, workers=1, **kw)
        self.addCleanup(srv.cleanup)
        srv.start()
        return srv

    def bench(self, srv, players=20, duration="5s"):
        """srs-bench against srv; returns its JSON report."""
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/mw"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "report.json")
            proc = subprocess.run([SRS_BENCH, "--quiet", "--duration", duration, "--json", path] +
                                  load_args(url, players), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stdout)
            with open(path) as f:
                return json.load(f)

    def test_idle_worker_sends_each_frame(self):
        auto = self.start(merge_window="auto")
        report = self.bench(auto)
        auto_ms = report["latency_ms"]
        w = workers(auto)[0]["writing"]
        self.assertLess(w["busy"], 0.3, w)  # 20 players of 1 Mbit/s: an idle worker
        self.assertEqual(w["merge_window_ms"], 0, w)

        fixed = self.start(merge_window="350ms")
        fixed_ms = self.bench(fixed)["latency_ms"]
        self.assertEqual(workers(fixed)[0]["writing"]["merge_window_ms"], 350)

        # The players' view: the fixed window holds each frame up to 350 ms (about
        # half of that on average); auto sends it on the wake-up it arrives with.
        self.assertGreater(fixed_ms["p50"], 100, fixed_ms)
        self.assertLess(auto_ms["p50"], 50, (auto_ms, fixed_ms))
        self.assertLess(auto_ms["p99"], fixed_ms["p50"], (auto_ms, fixed_ms))

    def test_busy_worker_gathers_up_to_the_ceiling(self):
        try:
            caps = cpucap.CpuCaps.create(f"srs-mw-test-{os.getpid()}")
        except cpucap.Unavailable as e:
            self.skipTest(str(e))
        srv = self.start(merge_window="auto", merge_ceiling="200ms")
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/mw"
        bench = subprocess.Popen([SRS_BENCH, "--quiet", "--duration", "60s"] + load_args(url, 100),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(bench.wait)
        self.addCleanup(bench.kill)
        try:
            wait_until(lambda: workers(srv)[0]["players"] >= 100, 20, what="100 players")
            (worker,) = benchlib.children(srv.proc.pid)
            caps.add(worker)
            # 1 ms of CPU per 200 ms: each pass over the players spans throttled periods.
            caps.set(*cpucap.quota_for(0.005))
            seen = []

            def gathers():
                seen.append(workers(srv)[0]["writing"])
                return seen[-1]["merge_window_ms"] > 0
            wait_until(gathers, 30, what="the worker to gather more per write")
            self.assertGreaterEqual(seen[-1]["busy"], 0.3, seen)
            self.assertLessEqual(seen[-1]["merge_window_ms"], 200, seen)  # the ceiling
            self.assertGreater(caps.stats()[0].get("nr_throttled", 0), 0)
        finally:
            self.assertEqual(caps.remove(), [])
        # Uncapped again, the worker writes as frames come within a few seconds
        # (the share decays with a quarter-second time constant).
        wait_until(lambda: workers(srv)[0]["writing"]["merge_window_ms"] == 0, 15,
                   what="the window to fall back to 0")


if __name__ == "__main__":
    unittest.main()
