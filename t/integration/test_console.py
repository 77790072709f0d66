"""The web console (issue 15): /console/ on the API's port, with the API's
access rules, served from http_api.console_dir by the HTTP server's static
file code; and the page itself in Debian's Chromium (t/browser/console_check.js,
playwright-core, `make browser-deps`) against a live ffmpeg publisher: the
streams table lists the stream with its codecs, the HTTP-FLV preview plays,
a kick closes an rtmpdump player, a reload of a broken configuration shows
its file:line error, Basic auth lets the page in only with credentials.
Screenshots stay in each server's temporary folder (SRS_KEEP_TMP=1 keeps it)."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import BUILD, ROOT, Server, merge, publish, rtmpdump, run, to_yaml, wait_until

CONSOLE = os.path.join(ROOT, "console")
BROWSER_DIR = os.path.join(ROOT, "t", "browser")
CHROMIUM = "/usr/bin/chromium"


def missing_vendor():
    for name in ("hls.min.js", "mpegts.js"):
        if not os.path.exists(os.path.join(CONSOLE, "vendor", name)):
            return f"console/vendor/{name} is missing (make console-deps)"
    return None


def missing_browser():
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed (tools/install-deps.sh installs Debian's chromium)"
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        return "t/browser/node_modules is missing (make browser-deps)"
    return missing_vendor()


def curl(url, *args):
    """(status, headers as a lower-case dict, body) of one request."""
    r = run(["curl", "-sS", "--max-time", "5", "-D", "-", *args, url], timeout=15)
    if r.returncode != 0:
        raise AssertionError(f"curl {url} failed ({r.returncode}): {r.stderr.strip()}")
    head, _, body = r.stdout.partition("\n\n")  # text mode: CRLF reads as \n
    lines = head.split("\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body


def console_server(test, workers=1, extra=None):
    settings = {"http_api": {"console_dir": CONSOLE}}
    merge(settings, extra or {})
    return Server(test, workers=workers, extra=settings)


class ConsoleServingTest(unittest.TestCase):
    """curl: what the API listener serves under /console/."""

    def setUp(self):
        reason = missing_vendor()
        if reason:
            self.fail(reason)

    def test_files_types_range_redirect_and_no_escape(self):
        srv = console_server(self).start()
        base = f"http://127.0.0.1:{srv.api_port}"
        status, headers, body = curl(f"{base}/console/")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "text/html; charset=utf-8")
        self.assertIn("<title>SRS console</title>", body)
        with open(os.path.join(CONSOLE, "index.html")) as f:
            self.assertEqual(body, f.read())
        self.assertNotIn("access-control-allow-origin", headers)  # a page, not the API
        for path in ("console.js", "api.js", "vendor/mpegts.js", "vendor/hls.min.js"):
            status, headers, _ = curl(f"{base}/console/{path}", "-o", "/dev/null")
            self.assertEqual(status, 200, path)
            # RFC 9239: text/javascript is JavaScript's one type (application/javascript is obsolete).
            self.assertEqual(headers["content-type"], "text/javascript; charset=utf-8", path)
        status, _, _ = curl(f"{base}/console/console.css", "-o", "/dev/null")
        self.assertEqual(status, 200)
        # Range, as for any static file.
        status, headers, body = curl(f"{base}/console/index.html", "-r", "0-14")
        self.assertEqual((status, body), (206, "<!doctype html>"))
        self.assertTrue(headers["content-range"].startswith("bytes 0-14/"))
        # /console goes to /console/ with a relative Location (a proxy's prefix stays).
        status, headers, _ = curl(f"{base}/console")
        self.assertEqual((status, headers["location"]), (302, "console/"))
        r = run(["curl", "-sS", "-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}",
                 f"{base}/console"])
        self.assertEqual(r.stdout, f"200 {base}/console/")
        # Nothing above the folder: dot segments, encoded or not, and encoded slashes.
        for path in ("/console/../etc/passwd", "/console/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                     "/console/vendor/../../Makefile", "/console/..%2fMakefile"):
            status, _, body = curl(f"{base}{path}", "--path-as-is")
            self.assertEqual(status, 403, path)
            self.assertNotIn("root:", body)
        status, _, _ = curl(f"{base}/console/vendor/../index.html", "--path-as-is", "-o", "/dev/null")
        self.assertEqual(status, 200)  # a dot segment that stays inside is fine
        status, _, _ = curl(f"{base}/console/no-such-file.js", "-o", "/dev/null")
        self.assertEqual(status, 404)
        status, _, _ = curl(f"{base}/console/", "-X", "DELETE", "-o", "/dev/null")
        self.assertEqual(status, 405)
        # The HTTP server's port serves no console; the API still answers.
        status, _, _ = curl(f"http://127.0.0.1:{srv.http_port}/console/", "-o", "/dev/null")
        self.assertEqual(status, 404)
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)
        features = srv.api("/api/v1/features")["data"]
        self.assertEqual(features["http_server"]["ports"], [srv.http_port])

    def test_allow_list_applies(self):
        srv = console_server(self, extra={"http_api": {"allow": ["10.0.0.0/8"]}}).start()
        for path in ("/console/", "/console", "/console/vendor/mpegts.js"):
            status, _, _ = curl(f"http://127.0.0.1:{srv.api_port}{path}", "-o", "/dev/null")
            self.assertEqual(status, 403, path)
        srv.wait_log(r"api GET /console/ from 127\.0\.0\.1 refused \(403\)")

    def test_basic_auth_applies(self):
        auth = {"enabled": True, "username": "admin", "password": "s3cret"}
        srv = console_server(self, extra={"http_api": {"auth": auth}}).start()
        url = f"http://127.0.0.1:{srv.api_port}/console/"
        status, headers, _ = curl(url, "-o", "/dev/null")
        self.assertEqual(status, 401)
        self.assertTrue(headers["www-authenticate"].startswith("Basic "))
        status, _, _ = curl(url, "-u", "admin:wrong", "-o", "/dev/null")
        self.assertEqual(status, 401)
        status, _, body = curl(url, "-u", "admin:s3cret")
        self.assertEqual(status, 200)
        self.assertIn("SRS console", body)

    def test_make_install_copies_the_console_and_points_the_config_at_it(self):
        dest = tempfile.mkdtemp(prefix="srs-install-")
        self.addCleanup(shutil.rmtree, dest, True)
        r = run(["make", "-s", "--no-print-directory", "install", f"DESTDIR={dest}",
                 "PREFIX=/opt/srs", "SYSCONFDIR=/opt/srs/etc", f"BUILD={BUILD}"],
                timeout=120, cwd=ROOT)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        share = os.path.join(dest, "opt/srs/share/srs/console")
        for name in ("index.html", "console.js", "api.js", "console.css", "vendor/hls.min.js",
                     "vendor/mpegts.js", "vendor/mpegts.js.LICENSE"):
            self.assertTrue(os.path.isfile(os.path.join(share, name)), name)
        with open(os.path.join(dest, "opt/srs/etc/srs.yaml")) as f:
            config = f.read()
        self.assertIn("  console_dir: /opt/srs/share/srs/console ", config)
        check = run([os.path.join(BUILD, "srs"), "-t", "-c", os.path.join(dest, "opt/srs/etc/srs.yaml")])
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


class ConsoleBrowserTest(unittest.TestCase):
    """Chromium drives the page (t/browser/console_check.js)."""

    def setUp(self):
        # make test installs all three: a missing one is a broken set-up, not a pass.
        reason = missing_browser()
        if reason:
            self.fail(reason)

    def browse(self, srv, options, path="/console/", timeout=120):
        out = os.path.join(srv.dir, "screenshots")
        os.makedirs(out, exist_ok=True)
        url = f"http://127.0.0.1:{srv.api_port}{path}"
        proc = subprocess.run(["node", os.path.join(BROWSER_DIR, "console_check.js"), url, out,
                               json.dumps(options)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout, cwd=BROWSER_DIR)
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:] + "\nlog tail:\n" + srv.log()[-2000:])
        seen = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n  chromium: {seen}")
        return seen

    def test_streams_preview_and_kick(self):
        srv = console_server(self, workers=2).start()
        publish(self, srv, stream="live/cam", seconds=120)
        wait_until(lambda: any(s["name"] == "cam" and s["video"] and s["audio"]
                               for s in srv.api("/api/v1/streams")["streams"]),
                   20, interval=0.2, what="live/cam with its codecs in the API")
        player, _ = rtmpdump(self, srv, stream="live/cam")

        def rtmpdump_client():
            clients = srv.api("/api/v1/clients?count=100")["clients"]
            return next((c["id"] for c in clients if c["type"] == "rtmp-play"), None)

        victim = wait_until(rtmpdump_client, 15, interval=0.2, what="rtmpdump in /api/v1/clients")
        seen = self.browse(srv, {"stream": "live/cam", "preview": "flv", "minSeconds": 1.5,
                                 "kick": victim, "phone": True})
        self.assertIn("H264", seen["codecs"])
        self.assertIn("AAC", seen["codecs"])
        self.assertIn("320×240", seen["streamRow"])
        self.assertIn("127.0.0.1", seen["streamRow"])  # the publisher's address
        self.assertGreaterEqual(seen["chartPoints"], 2)
        self.assertGreater(seen["previewTime"], 1.5)
        self.assertEqual(seen["kickedType"], "rtmp-play")
        self.assertLessEqual(seen["phoneWidth"], 380)  # no sideways scroll on a phone
        # The kicked player saw its connection close: rtmpdump ends.
        wait_until(lambda: not player.alive(), 15, what="rtmpdump to end after the kick")
        self.assertNotIn(victim, [c["id"] for c in srv.api("/api/v1/clients?count=100")["clients"]])
        srv.wait_log(rf"api: kick client {victim} ")
        for name in ("overview.png", "preview-flv.png", "kicked.png", "phone.png"):
            self.assertGreater(os.path.getsize(os.path.join(srv.dir, "screenshots", name)), 1000)

    def test_reload_of_a_broken_configuration_shows_its_error_line(self):
        raw = {"raw_api": {"enabled": True, "allow_reload": True}}
        srv = console_server(self, extra={"http_api": raw}).start()
        # The running server keeps its configuration until the reload.
        text = to_yaml(srv.settings) + "\n"
        line = text.count("\n") + 1
        srv.write_config(text=text + "rtmp_typo: 1\n")
        seen = self.browse(srv, {"reload": True})
        self.assertIn("failed", seen["reloadClass"])
        self.assertIn(f"{srv.conf_path}:{line}:1: rtmp_typo", seen["reloadText"])
        self.assertEqual(srv.api("/api/v1/reload")["data"]["state"], "failed")
        srv.write_config()
        seen = self.browse(srv, {"reload": True})
        self.assertIn("ok", seen["reloadClass"])
        self.assertIn("generation 2 serves", seen["reloadText"])

    def test_reload_button_explains_when_the_raw_api_is_off(self):
        srv = console_server(self).start()
        seen = self.browse(srv, {})
        self.assertEqual(seen["status"], 200)
        self.assertTrue(seen["reloadDisabled"])
        self.assertIn("http_api.raw_api.allow_reload: true", seen["reloadHint"])
        self.assertTrue(os.path.exists(os.path.join(srv.dir, "screenshots", "overview.png")))

    def test_basic_auth_in_the_browser(self):
        auth = {"enabled": True, "username": "admin", "password": "s3cret"}
        srv = console_server(self, extra={"http_api": {"auth": auth}}).start()
        seen = self.browse(srv, {"user": "admin", "password": "s3cret", "phone": False})
        self.assertEqual(seen["status"], 200)
        self.assertTrue(seen["version"][0].isdigit(), seen)  # the page's API calls got in too
        self.assertTrue(seen["statusLine"].startswith("updated"), seen)
        refused = self.browse(srv, {})
        self.assertEqual(refused["status"], 401)


if __name__ == "__main__":
    unittest.main()
