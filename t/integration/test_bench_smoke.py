"""Smoke runs of srs-bench and fanout-floor: a few clients for a few seconds,
asserting they received the stream (bytes, keyframes, latency stamps).

Against a private nginx-rtmp (Debian's nginx + libnginx-mod-rtmp; skipped when
they are not installed), against build/srs (skipped while it cannot serve RTMP
publish and play: detected by a short probe), and against the bare fan-out
floor. Every process is stopped by pid; every run is bounded in time.
Environment: SRS_BUILD (default build) names the build directory.
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SRS_BUILD", "build"))
SRS_BENCH = os.path.join(BUILD, "srs-bench")
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
import benchlib  # noqa: E402
import cpucap  # noqa: E402
import steady  # noqa: E402
from harness import wait_until  # noqa: E402

PLAYERS = 3
MEDIA = os.path.join(ROOT, "t", "data", "media", "h264_baseline_320x240_aac_44k_stereo.flv")


class FlvHandler(http.server.BaseHTTPRequestHandler):
    """Serves MEDIA once per request, chunked (HTTP/1.1) as some servers stream HTTP-FLV."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        with open(MEDIA, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "video/x-flv")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(data), 777):  # chunk borders fall inside tags
            piece = data[i:i + 777]
            self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args):
        pass


def why(out):
    """srs-bench's failed assertions, for a skip message."""
    lines = [l for l in out.splitlines() if "FAILED" in l or "not publishing" in l]
    return "; ".join(lines) or out.strip()[-200:] or "no output"


def bench(args, duration="4s", timeout=40):
    """Runs srs-bench; returns (exit status, JSON report, output)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "report.json")
        called = time.monotonic()
        proc = subprocess.run([SRS_BENCH, "--quiet", "--duration", duration, "--json", path,
                               "--per-client"] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
        returned = time.monotonic()
        report = None
        if os.path.exists(path):
            with open(path) as f:
                report = json.load(f)
            report["_run_mono_s"] = [called, returned]  # ours: when srs-bench ran
        return proc.returncode, report, proc.stdout


class BenchSmoke(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(SRS_BENCH):
            self.skipTest(f"{SRS_BENCH} is not built")

    def start(self, server):
        self.addCleanup(server.cleanup)
        return server.start()

    def assert_played(self, rc, report, out, players):
        self.assertEqual(rc, 0, out)
        self.assertIsNotNone(report, out)
        self.assertEqual(report["players"]["count"], players, out)
        self.assertEqual(report["players"]["played"], players, out)
        self.assertEqual(report["players"]["failed"], 0, out)
        self.assertEqual(report["publishers"]["publishing"], 1, out)
        # Every player got media at about the publish rate and measured latency.
        for c in report["clients"]:
            if c["kind"] == "publisher":
                continue
            self.assertGreater(c["media_bytes"], 40000, c)
            self.assertGreaterEqual(c["first_keyframe_ms"], 0, c)
            self.assertGreater(c["stamps"], 10, c)
        self.assertGreater(report["latency_ms"]["count"], 10 * players)
        # Stamps are real instants: a frame stamped after its player asked and
        # received before the end is not older than the run. (How low the
        # latency is belongs to make bench, not to a smoke run on a loaded machine.)
        run_ms = (report["end_mono_s"] - report["start_mono_s"]) * 1000
        self.assertTrue(0 <= report["latency_ms"]["p50"] <= run_ms, (report["latency_ms"], run_ms))
        self.assert_timeline(report)

    def assert_timeline(self, report):
        """The players' bytes over time (make bench's steady window): one sample at the
        start, about one a second, one at the end; CLOCK_MONOTONIC instants (Python's
        time.monotonic()) and bytes never going back, ending at the players' total."""
        t = report["timeline"]
        self.assertEqual(t[0], [report["start_mono_s"], 0], t)
        self.assertAlmostEqual(t[-1][0], report["end_mono_s"], places=5)
        self.assertEqual(t[-1][1], report["players"]["bytes"], t)
        self.assertGreaterEqual(len(t), int(report["duration_s"]) + 1, t)
        for a, b in zip(t, t[1:]):
            self.assertLessEqual(a[0], b[0], t)
            self.assertLessEqual(a[1], b[1], t)
        self.assertGreater(t[-2][1], t[1][1], t)  # bytes flowed between the samples
        self.assertLess(report["start_mono_s"], report["ramp_end_mono_s"])
        self.assertLess(report["ramp_end_mono_s"], report["end_mono_s"])
        called, returned = report["_run_mono_s"]
        self.assertTrue(called <= report["start_mono_s"] and report["end_mono_s"] <= returned,
                        (called, report["start_mono_s"], report["end_mono_s"], returned))

    def load_args(self, url, play_urls):
        args = ["--publish", url, "--synthetic", "400kbps,gop=1s", "--players", str(PLAYERS),
                "--ramp", "50/s", "--expect-all-played", "--expect-publish",
                "--expect-min-bytes", "40000"]
        for u in play_urls:
            args += ["--play", u]
        return args

    def test_nginx_rtmp(self):
        if not benchlib.have_nginx_rtmp():
            self.skipTest("nginx with libnginx-mod-rtmp is not installed "
                          "(tools/install-deps.sh nginx libnginx-mod-rtmp)")
        srv = self.start(benchlib.NginxRtmp(workers=1))
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/smoke"
        rc, report, out = bench(self.load_args(url, [url]))
        self.assert_played(rc, report, out, PLAYERS)

    def test_srs(self):
        if not os.path.exists(os.path.join(BUILD, "srs")):
            self.skipTest("build/srs is not built")
        srv = self.start(benchlib.Srs(BUILD, workers=2))
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/smoke"
        rc, report, out = bench(["--publish", url, "--play", url, "--synthetic", "300kbps,gop=1s",
                                 "--expect-publish", "--expect-all-played"], duration="3s")
        if rc != 0:
            self.skipTest("build/srs does not serve RTMP publish+play yet: " + why(out))
        plays = [url]
        rc, report, out = bench(self.load_args(url, plays))
        self.assert_played(rc, report, out, PLAYERS * len(plays))

    def test_srs_http_flv(self):
        if not os.path.exists(os.path.join(BUILD, "srs")):
            self.skipTest("build/srs is not built")
        srv = self.start(benchlib.Srs(BUILD, workers=1))
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/smoke"
        flv = f"http://127.0.0.1:{srv.http_port}/live/smoke.flv"
        rc, report, out = bench(["--publish", url, "--play", flv, "--synthetic", "300kbps,gop=1s",
                                 "--expect-publish", "--expect-all-played"], duration="3s")
        if rc != 0:
            self.skipTest("build/srs does not serve HTTP-FLV play yet: " + why(out))
        rc, report, out = bench(self.load_args(url, [flv]))
        self.assert_played(rc, report, out, PLAYERS)

    def test_http_flv_chunked(self):
        """The HTTP-FLV player decodes a chunked response into every tag of the file."""
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlvHandler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(httpd.server_close)
        self.addCleanup(httpd.shutdown)
        url = f"http://127.0.0.1:{httpd.server_address[1]}/live/file.flv"
        rc, report, out = bench(["--play", url, "--players", "2", "--expect-all-played"],
                                duration="2s")
        self.assertEqual(rc, 0, out)
        for c in report["clients"]:
            # The file holds 71 audio and video frames besides the sequence headers.
            self.assertEqual(c["frames"], 71, c)
            self.assertFalse(c["failed"], c)
            self.assertEqual(c["close_reason"], "end of chunked body", c)

    def test_fanout_floor(self):
        floor_bin = os.path.join(BUILD, "fanout-floor")
        if not os.path.exists(floor_bin):
            self.skipTest(f"{floor_bin} is not built")
        floor = self.start(benchlib.Floor(BUILD, PLAYERS, "500kbps", 100, 3))
        rc, report, out = bench(["--play", f"tcp://127.0.0.1:{floor.rtmp_port}", "--players",
                                 str(PLAYERS), "--ramp", "100/s", "--synthetic", "500kbps",
                                 "--expect-all-played"], duration="3s")
        self.assertEqual(rc, 0, out)
        floor.proc.wait(timeout=20)
        with open(floor.json) as f:
            result = json.load(f)
        self.assertEqual(result["players"], PLAYERS)
        self.assertGreater(result["writes"], 10 * PLAYERS)  # one per 100 ms window per player
        # About 2.5 s of 500 kb/s reached each reader.
        for c in report["clients"]:
            self.assertGreater(c["bytes"], 100000, c)
        self.assert_timeline(report)


class BenchMethod(unittest.TestCase):
    """make bench's steady window and CPU caps (tools/bench/steady.py, cpucap.py)."""

    def test_steady_window(self):
        report = {"ramp_end_mono_s": 100.0, "end_mono_s": 110.0,
                  "timeline": [[99.0, 0], [101.0, 10**9], [103.0, 3 * 10**9], [110.0, 10**10]]}
        self.assertEqual(steady.window(report), (102.0, 109.0))
        # Bytes at 102 and 109 are interpolated (2 and 9 GB); CPU likewise (0.2 and 0.9 s).
        cpu = [(100.0, 0.0), (110.0, 1.0)]
        m = steady.measure(report, cpu)
        self.assertAlmostEqual(m["steady_cpu_s"], 0.7)
        self.assertAlmostEqual(m["steady_gbit"], 56.0)
        self.assertAlmostEqual(m["steady_cpu_per_gbit"], 0.0125)
        self.assertAlmostEqual(m["steady_cpu_share"], 0.1)
        # A capacity run counts from its cap; a ramp that never ended has no window.
        self.assertEqual(steady.window(report, start=104.0), (106.0, 109.0))
        self.assertIsNone(steady.window(dict(report, ramp_end_mono_s=0)))
        self.assertIsNone(steady.window(dict(report, ramp_end_mono_s=107.5)))

    def test_quota(self):
        self.assertEqual(cpucap.quota_for(0.5), (50000, 100000))
        # Under the kernel's 1 ms minimum quota, the period grows instead.
        self.assertEqual(cpucap.quota_for(0.004), (1000, 250000))
        self.assertEqual(cpucap.quota_for(0.0001), (1000, 1000000))

    def test_cpu_cap(self):
        """A capped busy loop gets about its quota, and the cgroup goes away after."""
        try:
            caps = cpucap.CpuCaps.create(f"srs-bench-test-{os.getpid()}")
        except cpucap.Unavailable as e:
            self.skipTest(str(e))
        child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        self.addCleanup(child.wait)
        self.addCleanup(child.kill)
        home = cpucap.current_group(child.pid, caps.version)
        group = caps.add(child.pid)
        try:
            caps.set(*cpucap.quota_for(0.1))
            t0, cpu0 = time.monotonic(), benchlib.proc_cpu_seconds(child.pid)
            # The cap bites: ten 100 ms periods throttled, whatever else the machine does.
            wait_until(lambda: caps.stats()[0].get("nr_throttled", 0) > 10, 30,
                       what="the busy loop to be throttled")
            share = (benchlib.proc_cpu_seconds(child.pid) - cpu0) / (time.monotonic() - t0)
            self.assertLess(share, 0.2)
        finally:
            self.assertEqual(caps.remove(), [])
        self.assertFalse(os.path.exists(group))
        self.assertEqual(cpucap.current_group(child.pid, caps.version), home)


if __name__ == "__main__":
    unittest.main()
