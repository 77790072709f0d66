"""The smoke test of a board's build (make -f GNUmakefile.cross ARCH=... smoke):
srs built for the target runs under qemu-user with 2 workers and the build
machine's own clients drive it: ffmpeg publishes, ffprobe and rtmpdump play, a
worker SIGKILLed and a reload are survived by the player on the other worker,
and srs-bench measures the publish-to-play delay (printed; an emulated core is
slow: the point is that it works, not its speed).

Environment: SRS_BUILD (build-<arch>), SRS_LAUNCHER ("qemu-<arch> -L <sysroot>");
without a launcher it runs against the native build, as a check of the test.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import (BUILD, LAUNCHER, ROOT, Server, assert_test_pattern, ffprobe_streams,  # noqa: E402
                     logged_pids, publish, rtmpdump, size_of, start_on_worker,
                     wait_until)

# Under emulation every step is slower: generous bounds, never a wall-clock assertion.
START_TIMEOUT = 60
STEP_TIMEOUT = 45


def srs_bench():
    """The build machine's srs-bench when there is one (a native client measures
    the emulated server alone), else the target's under the same launcher."""
    native = os.path.join(ROOT, "build", "srs-bench")
    if LAUNCHER and os.access(native, os.X_OK):
        return [native], "native srs-bench"
    return LAUNCHER + [os.path.join(BUILD, "srs-bench")], "the target's srs-bench"


class BoardSmoke(unittest.TestCase):
    def start_server(self):
        srv = Server(self, workers=2)
        srv.start(wait=False)
        srv.wait_log(r"generation 1 ready", timeout=START_TIMEOUT)
        wait_until(lambda: len(srv.workers()) == 2, STEP_TIMEOUT, what="two workers")
        if LAUNCHER:  # the emulator runs the target's binary, not a native one
            exe = os.readlink(f"/proc/{srv.pid}/exe")
            self.assertEqual(os.path.basename(exe), os.path.basename(LAUNCHER[0]), exe)
        return srv

    def wait_growing(self, path, what):
        size = size_of(path)
        wait_until(lambda: size_of(path) > size + 20000, STEP_TIMEOUT, what=what)

    def test_publish_play_kill_reload(self):
        srv = self.start_server()
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/cam"
        publish(self, srv, seconds=300)
        srv.wait_log(r"rtmp publish ", timeout=STEP_TIMEOUT)
        assert_test_pattern(self, ffprobe_streams(url, timeout=STEP_TIMEOUT))

        # One player on each worker; the one away from the publisher is killed.
        publisher = logged_pids(srv, "rtmp publish")[-1]
        other = next(p for p in srv.workers() if p != publisher)
        _, kept = start_on_worker(srv, publisher, "rtmp play", lambda: rtmpdump(self, srv))
        _, lost = start_on_worker(srv, other, "rtmp play", lambda: rtmpdump(self, srv))
        self.wait_growing(kept, "the player on the publisher's worker to receive")
        self.wait_growing(lost, "the player on the other worker to receive")

        os.kill(other, signal.SIGKILL)
        srv.wait_log(r"pid %d killed by signal 9" % other, timeout=STEP_TIMEOUT)
        wait_until(lambda: len(srv.workers()) == 2 and other not in srv.workers(),
                   STEP_TIMEOUT, what="the killed worker's slot to be started again")
        self.wait_growing(kept, "the kept player to go on after the kill")
        respawned = next(p for p in srv.workers() if p != publisher)
        _, fresh = start_on_worker(srv, respawned, "rtmp play", lambda: rtmpdump(self, srv))
        self.wait_growing(fresh, "a player on the new worker to receive")

        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 2 serving", timeout=STEP_TIMEOUT)
        self.wait_growing(kept, "the kept player to go on after the reload")
        assert_test_pattern(self, ffprobe_streams(url, timeout=STEP_TIMEOUT))

    def test_publish_to_play_delay(self):
        srv = self.start_server()
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/bench"
        bench, which = srs_bench()
        with tempfile.TemporaryDirectory() as d:
            report_path = os.path.join(d, "report.json")
            proc = subprocess.run(
                bench + ["--quiet", "--duration", "10s", "--json", report_path,
                         "--publish", url, "--play", url, "--players", "2",
                         "--synthetic", "300kbps,gop=1s", "--expect-publish",
                         "--expect-all-played"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stdout)
            with open(report_path) as f:
                report = json.load(f)
        latency = report["latency_ms"]
        self.assertEqual(report["players"]["played"], 2, proc.stdout)
        self.assertGreater(latency["count"], 20, latency)
        where = " ".join(os.path.basename(w) for w in LAUNCHER[:1]) or "native"
        print(f"\nboard smoke: publish-to-play delay ({where}, {which}): "
              f"p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms, "
              f"{latency['count']} samples", file=sys.stderr, flush=True)


if __name__ == "__main__":
    unittest.main()
