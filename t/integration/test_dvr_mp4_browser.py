"""Chromium plays a recorded MP4 (issue 12): a session recorded to MP4 under
the HTTP server's folder is served by our HTTP server (with Range) to
Debian's /usr/bin/chromium, driven by playwright-core (t/browser/, `make
browser-deps`): the <video> element gets the file's duration, plays, seeks
near the end and plays on, with no media error."""
import json
import os
import subprocess
import unittest

from harness import ROOT, Server, publish, run, wait_until

PUBLISH_SECONDS = 6
BROWSER_DIR = os.path.join(ROOT, "t", "browser")
CHROMIUM = "/usr/bin/chromium"

PAGE = """<!doctype html>
<html><body><video id="v" src="rec/cam.mp4" muted playsinline preload="auto"></video></body></html>
"""


def missing():
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (tools/install-deps.sh installs Debian's chromium)"
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        return "t/browser/node_modules is missing (make browser-deps)"
    return None


class DvrMp4BrowserTest(unittest.TestCase):
    def setUp(self):
        # make test installs both (tools/install-deps.sh, make browser-deps): a
        # missing one is a broken set-up, not a reason to pass.
        reason = missing()
        if reason:
            self.fail(reason)

    def test_chromium_plays_and_seeks_a_recorded_mp4(self):
        vhost = {"hls": {"enabled": False},
                 "dvr": {"enabled": True, "path": "html/rec/[stream].mp4"}}
        srv = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": vhost}}).start()
        publish(self, srv, stream="live/cam", seconds=PUBLISH_SECONDS).wait(PUBLISH_SECONDS + 30)
        srv.wait_log(r"dvr __defaultVhost__/live/cam: closed ", timeout=15)
        path = os.path.join(srv.dir, "html/rec/cam.mp4")
        wait_until(lambda: os.path.exists(path), 10, what="the closed MP4")
        with open(os.path.join(srv.dir, "html/page.html"), "w") as f:
            f.write(PAGE)
        base = f"http://127.0.0.1:{srv.http_port}"
        # The server answers a Range request with 206 and the bytes asked for.
        r = run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                 "-r", "100-199", f"{base}/rec/cam.mp4"])
        self.assertEqual(r.stdout, "206 100", r.stderr)
        proc = subprocess.run(["node", os.path.join(BROWSER_DIR, "play_video.js"),
                               f"{base}/page.html", "1.0", "30000"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=90, cwd=BROWSER_DIR)
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n  chromium: {seen}")
        self.assertAlmostEqual(seen["duration"], PUBLISH_SECONDS, delta=1.0)
        self.assertGreater(seen["played"], 1.0)
        self.assertGreater(seen["after"], seen["seekedTo"])


if __name__ == "__main__":
    unittest.main()
