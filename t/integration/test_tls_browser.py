"""Chromium plays live streams over HTTPS (issue 13): a page served by our
HTTPS listener attaches hls.js (HLS) or mpegts.js (HTTP-FLV) to a <video>,
the way a web player does, and the stream plays; both with a play token in
the URL, so that the tokenized playlist (each segment URI carrying the
token) is what hls.js follows. Debian's /usr/bin/chromium, driven by
playwright-core (t/browser/, `make browser-deps`); the player libraries come
from console/node_modules (`make console-deps`)."""
import json
import os
import shutil
import subprocess
import time
import unittest

from harness import ROOT, Server, merge, publish, run, wait_until

BROWSER_DIR = os.path.join(ROOT, "t", "browser")
CHROMIUM = "/usr/bin/chromium"
SECRET = "tls-browser-test-secret-0123456789abcdef"
LIBS = {"hls.min.js": os.path.join(ROOT, "console", "node_modules", "hls.js", "dist", "hls.min.js"),
        "mpegts.js": os.path.join(ROOT, "console", "node_modules", "mpegts.js", "dist", "mpegts.js")}

PAGE = """<!doctype html>
<html><body><video id="v" muted playsinline autoplay></video>
<script src="hls.min.js"></script><script src="mpegts.js"></script>
<script>
const q = new URLSearchParams(location.search);
const v = document.getElementById('v');
const src = q.get('src');
if (q.get('type') === 'hls') {
  const h = new Hls({ lowLatencyMode: false });
  h.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) window.playerError = d.type + ' ' + d.details; });
  h.loadSource(src);
  h.attachMedia(v);
} else {
  const p = mpegts.createPlayer({ type: 'flv', isLive: true, url: src });
  p.on(mpegts.Events.ERROR, (t, d) => { window.playerError = t + ' ' + d; });
  p.attachMediaElement(v);
  p.load();
}
v.play().catch(() => {});
</script></body></html>
"""


def missing():
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (tools/install-deps.sh installs Debian's chromium)"
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        return "t/browser/node_modules is missing (make browser-deps)"
    for name, path in LIBS.items():
        if not os.path.exists(path):
            return f"{path} is missing (make console-deps)"
    return None


def token(stream, act):
    from jwt_token import make_token
    return make_token(stream, act, int(time.time()) + 600, secret=SECRET)


class TlsBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # make test installs all of them: a missing one is a broken set-up.
        cls.reason = missing()

    def setUp(self):
        if self.reason:
            self.fail(self.reason)

    def start(self):
        from harness import free_port
        self.https_port = free_port()
        srv = Server(self, workers=1)
        cert, key = os.path.join(srv.dir, "cert.pem"), os.path.join(srv.dir, "key.pem")
        r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                 "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        self.assertEqual(r.returncode, 0, r.stderr)
        vhost = {"hls": {"fragment": "2s", "window": "20s"},
                 "auth": {"jwt_secret": SECRET, "play": True, "publish": False}}
        merge(srv.settings, {"tls": {"certificate": cert, "key": key},
                             "http_server": {"listen_tls": [f"127.0.0.1:{self.https_port}"]},
                             "vhosts": {"__defaultVhost__": vhost}})
        srv.write_config()
        return srv.start()

    def play(self, srv, kind, src):
        html = os.path.join(srv.dir, "html")
        os.makedirs(html, exist_ok=True)
        for name, path in LIBS.items():
            shutil.copy(path, os.path.join(html, name))
        with open(os.path.join(html, "live.html"), "w") as f:
            f.write(PAGE)
        page = (f"https://127.0.0.1:{self.https_port}/live.html?type={kind}&src="
                + src.replace("&", "%26").replace("?", "%3F"))
        proc = subprocess.run(["node", os.path.join(BROWSER_DIR, "play_live.js"), page, "1.5",
                               "40000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=120, cwd=BROWSER_DIR)
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n  chromium {kind}: {seen}")
        self.assertEqual(seen["protocol"], "https:")
        self.assertGreater(seen["currentTime"], 1.5)
        self.assertEqual((seen["width"], seen["height"]), (320, 240))
        self.assertEqual(seen["plainRequests"], 0, "everything went over TLS")
        return seen

    def test_hls_js_and_mpegts_js_play_over_https_with_a_token(self):
        srv = self.start()
        publish(self, srv, stream="live/cam", seconds=60)
        base = f"https://127.0.0.1:{self.https_port}"
        t = token("live/cam", "play")
        wait_until(lambda: run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                                f"{base}/live/cam.m3u8?token={t}"]).stdout == "200", 30,
                   what="the HLS playlist over HTTPS")
        # Segments enough for hls.js to start at a live edge.
        wait_until(lambda: run(["curl", "-sk", f"{base}/live/cam.m3u8?token={t}"]).stdout
                   .count("#EXTINF") >= 2, 30, what="two HLS segments")
        self.assertEqual(run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                              f"{base}/live/cam.m3u8"]).stdout, "403", "no token, no playlist")
        hls = self.play(srv, "hls", f"{base}/live/cam.m3u8?token={t}")
        self.assertGreater(hls["httpsRequests"], 3)
        srv.wait_log(r"tls handshake done: TLSv1\.3", timeout=5)
        self.play(srv, "flv", f"{base}/live/cam.flv?token={t}")


if __name__ == "__main__":
    unittest.main()
