"""/api/v1/dvrs (issue 12): the API starts and stops the recording of a live
stream whose vhost records nothing by configuration, through whichever worker
answers; the file it leaves decodes. A configured recording is stopped the
same way, and a stream nobody asked for is never recorded."""
import glob
import json
import os
import unittest

from harness import Server, publish, run, wait_until


def call(srv, method, path):
    url = f"http://127.0.0.1:{srv.api_port}{path}"
    r = run(["curl", "-sS", "--max-time", "5", "-X", method, url], timeout=10)
    if r.returncode != 0:
        raise AssertionError(f"curl -X {method} {url} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def dvr_of(srv, name):
    for d in srv.api("/api/v1/dvrs")["dvrs"]:
        if d["name"] == name:
            return d
    return None


def duration(path):
    r = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
            timeout=30)
    return float(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else 0.0


class DvrApiTest(unittest.TestCase):
    def test_start_and_stop_by_hand(self):
        srv = Server(self, workers=2, extra={"vhosts": {"__defaultVhost__": {
            "hls": {"enabled": False},
            "dvr": {"enabled": False, "path": "html/rec/[stream].[timestamp].mp4"}}}}).start()
        publish(self, srv, stream="live/cam", seconds=60)
        publish(self, srv, stream="live/other", seconds=60)
        wait_until(lambda: dvr_of(srv, "cam") and dvr_of(srv, "other"), 20,
                   what="both streams listed by /api/v1/dvrs")
        cam = dvr_of(srv, "cam")
        self.assertEqual((cam["recording"], cam["configured"], cam["request"]),
                         (False, False, "none"))
        rec = os.path.join(srv.dir, "html", "rec")
        self.assertEqual(glob.glob(os.path.join(rec, "*")), [])

        reply = call(srv, "POST", f"/api/v1/dvrs/{cam['stream']}?action=start")
        self.assertEqual((reply["code"], reply["request"]), (0, "start"))
        wait_until(lambda: dvr_of(srv, "cam")["recording"], 10, what="the recording to start")
        tmp = lambda: glob.glob(os.path.join(rec, "cam.*.mp4.tmp"))
        wait_until(lambda: tmp() and os.path.getsize(tmp()[0]) > 100_000, 20,
                   what="a few seconds recorded")
        self.assertEqual(call(srv, "DELETE", f"/api/v1/dvrs/{cam['stream']}")["request"], "stop")
        wait_until(lambda: not dvr_of(srv, "cam")["recording"], 10, what="the recording to stop")
        files = glob.glob(os.path.join(rec, "*"))
        self.assertEqual(len(files), 1, files)
        self.assertTrue(files[0].endswith(".mp4") and "/cam." in files[0], files)
        self.assertGreater(duration(files[0]), 1.0)
        errors = run(["ffmpeg", "-v", "error", "-i", files[0], "-f", "null", "-"], timeout=60)
        self.assertEqual((errors.returncode, errors.stderr.strip()), (0, ""))
        self.assertFalse(dvr_of(srv, "other")["recording"])  # nobody asked for it
        srv.wait_log(r"dvr __defaultVhost__/live/cam: recording started by the API")
        srv.wait_log(r"dvr __defaultVhost__/live/cam: recording stopped by the API")

        bad = call(srv, "POST", f"/api/v1/dvrs/{cam['stream']}?action=pause")
        self.assertEqual(bad["code"], 2052)
        self.assertEqual(call(srv, "POST", "/api/v1/dvrs/s999-1?action=start")["code"], 2048)

    def test_stop_a_configured_recording(self):
        srv = Server(self, workers=2, extra={"vhosts": {"__defaultVhost__": {
            "hls": {"enabled": False},
            "dvr": {"enabled": True, "path": "html/rec/[stream].flv"}}}}).start()
        publish(self, srv, stream="live/cam", seconds=60)
        wait_until(lambda: dvr_of(srv, "cam") and dvr_of(srv, "cam")["recording"], 20,
                   what="the configured recording")
        self.assertTrue(dvr_of(srv, "cam")["configured"])
        cam = dvr_of(srv, "cam")["stream"]
        call(srv, "POST", f"/api/v1/dvrs/{cam}?action=stop")
        path = os.path.join(srv.dir, "html", "rec", "cam.flv")
        wait_until(lambda: os.path.exists(path), 10, what="the file closed under its name")
        self.assertFalse(dvr_of(srv, "cam")["recording"])
        self.assertEqual(run(["ffprobe", "-v", "error", path], timeout=30).returncode, 0)


if __name__ == "__main__":
    unittest.main()
