"""The worker's HTTP/1.1 server (issue #6, HTTP part), with real clients:
curl for files (HEAD, ranges, MIME types, CORS, keep-alive, paths that try to
leave the root), ffprobe and ffmpeg for HTTP-FLV live on every worker, raw
sockets for malformed requests, and the API on a shared HTTP port."""
import os
import signal
import socket
import subprocess
import unittest

from harness import (Probe, Server, assert_test_pattern, decoded_frames, ffprobe_streams,
                     publish, run, start_on_worker, wait_publishing)


def curl(*args, timeout=10):
    """curl -sS with `args`; returns the CompletedProcess."""
    return run(["curl", "-sS", "--max-time", str(timeout), *args], timeout=timeout + 5)


def head_and_body(srv, path, *args):
    """(status, headers dict with lower-case names, body bytes) of one GET through curl."""
    url = f"http://127.0.0.1:{srv.http_port}{path}"
    r = subprocess.run(["curl", "-sS", "-i", "--max-time", "10", *args, url],
                       capture_output=True, timeout=20)
    if r.returncode != 0:
        raise AssertionError(f"curl {url} failed: {r.stderr.decode(errors='replace')}")
    raw_head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = raw_head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def raw_request(port, data, timeout=5):
    """Sends raw bytes, returns everything the server answered until it closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out


class HttpFilesTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server(self, workers=2).start()
        html = os.path.join(self.srv.dir, "html")
        os.makedirs(os.path.join(html, "live"), exist_ok=True)
        self.data = bytes(range(256)) * 40  # 10240 bytes
        with open(os.path.join(html, "live", "seg-1.ts"), "wb") as f:
            f.write(self.data)
        for name, text in [("live/cam.m3u8", "#EXTM3U\n"), ("index.html", "<p>hi</p>\n"),
                           ("a.js", "x"), ("a.css", "x"), ("a.json", "{}"), ("a.txt", "t"),
                           ("a.mp4", "m"), ("a.flv", "FLV")]:
            with open(os.path.join(html, name), "w") as f:
                f.write(text)
        with open(os.path.join(self.srv.dir, "secret.txt"), "w") as f:
            f.write("secret\n")
        os.symlink(os.path.join(self.srv.dir, "secret.txt"), os.path.join(html, "link.txt"))

    def test_get_head_and_mime_types(self):
        status, h, body = head_and_body(self.srv, "/live/seg-1.ts")
        self.assertEqual(status, 200)
        self.assertEqual(body, self.data)
        self.assertEqual(h["content-type"], "video/mp2t")
        self.assertEqual(h["content-length"], str(len(self.data)))
        self.assertIn("date", h)
        self.assertTrue(h["server"].startswith("SRS/"))
        r = curl("-I", f"http://127.0.0.1:{self.srv.http_port}/live/seg-1.ts")
        self.assertIn("Content-Length: 10240", r.stdout)
        self.assertNotIn("\x00", r.stdout)
        expected = {"/live/cam.m3u8": "application/vnd.apple.mpegurl", "/": "text/html",
                    "/a.js": "text/javascript", "/a.css": "text/css", "/a.json": "application/json",
                    "/a.txt": "text/plain", "/a.mp4": "video/mp4"}
        for path, mime in expected.items():
            status, h, _ = head_and_body(self.srv, path)
            self.assertEqual(status, 200, path)
            self.assertTrue(h["content-type"].startswith(mime), (path, h["content-type"]))
        _, h, _ = head_and_body(self.srv, "/live/cam.m3u8")
        self.assertEqual(h["cache-control"], "no-cache")

    def test_ranges(self):
        status, h, body = head_and_body(self.srv, "/live/seg-1.ts", "-r", "100-299")
        self.assertEqual(status, 206)
        self.assertEqual(body, self.data[100:300])
        self.assertEqual(h["content-range"], "bytes 100-299/10240")
        status, h, body = head_and_body(self.srv, "/live/seg-1.ts", "-H", "Range: bytes=-10")
        self.assertEqual((status, body), (206, self.data[-10:]))
        status, h, body = head_and_body(self.srv, "/live/seg-1.ts", "-H", "Range: bytes=10000-")
        self.assertEqual((status, body), (206, self.data[10000:]))
        status, h, _ = head_and_body(self.srv, "/live/seg-1.ts", "-H", "Range: bytes=20000-")
        self.assertEqual(status, 416)
        self.assertEqual(h["content-range"], "bytes */10240")

    def test_missing_files_and_paths_out_of_the_root(self):
        port = self.srv.http_port
        self.assertEqual(head_and_body(self.srv, "/nope.ts")[0], 404)
        for path in ["/../secret.txt", "/live/../../secret.txt", "/%2e%2e/secret.txt",
                     "/live/%2E%2E/%2e%2e/secret.txt", "/..%2fsecret.txt", "/link.txt"]:
            status, _, body = head_and_body(self.srv, path, "--path-as-is")
            self.assertIn(status, (403, 404), path)
            self.assertNotIn(b"secret", body, path)
        out = raw_request(port, b"GET /..\\secret.txt HTTP/1.1\r\nHost: h\r\n\r\n")
        self.assertRegex(out, rb"^HTTP/1.1 40[34] ")

    def test_cors_options_and_crossdomain(self):
        _, h, _ = head_and_body(self.srv, "/a.txt", "-H", "Origin: http://player.example")
        self.assertEqual(h["access-control-allow-origin"], "*")
        status, h, _ = head_and_body(self.srv, "/live/cam.m3u8", "-X", "OPTIONS",
                                     "-H", "Origin: http://x", "-H",
                                     "Access-Control-Request-Method: GET")
        self.assertEqual(status, 200)
        self.assertIn("GET", h["access-control-allow-methods"])
        status, h, body = head_and_body(self.srv, "/crossdomain.xml")
        self.assertEqual(status, 200)
        self.assertIn(b"allow-access-from", body)

    def test_keep_alive_serves_two_requests_on_one_connection(self):
        url = f"http://127.0.0.1:{self.srv.http_port}"
        r = curl("-v", "-o", "/dev/null", "-o", "/dev/null", f"{url}/a.txt", f"{url}/live/seg-1.ts")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Re-using existing connection", r.stderr)
        # Pipelined requests on a raw socket are answered in order.
        out = raw_request(self.srv.http_port,
                          b"GET /a.txt HTTP/1.1\r\nHost: h\r\n\r\n"
                          b"HEAD /a.json HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        self.assertEqual(out.count(b"HTTP/1.1 200 OK"), 2)
        self.assertLess(out.index(b"text/plain"), out.index(b"application/json"))

    def test_bad_requests(self):
        port = self.srv.http_port
        self.assertRegex(raw_request(port, b"GARBAGE\r\n\r\n"), rb"^HTTP/1.1 400 ")
        self.assertRegex(raw_request(port, b"GET / HTTP/1.1\r\n\r\n"), rb"^HTTP/1.1 400 ")
        big = b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"a" * 10000 + b"\r\n\r\n"
        self.assertRegex(raw_request(port, big), rb"^HTTP/1.1 431 ")
        self.assertEqual(head_and_body(self.srv, "/a.txt", "-X", "POST", "-d", "x")[0], 405)
        self.assertEqual(head_and_body(self.srv, "/a.txt", "-X", "DELETE")[0], 405)
        # The worker is still fine.
        self.assertEqual(head_and_body(self.srv, "/a.txt")[0], 200)

    def test_idle_keep_alive_connection_is_closed_at_drain(self):
        s = socket.create_connection(("127.0.0.1", self.srv.http_port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: h\r\n\r\n")
        reply = b""
        while not reply.endswith(b"\r\n\r\nt"):  # the whole response (a.txt holds "t")
            chunk = s.recv(65536)
            self.assertTrue(chunk, "the server closed before the response ended")
            reply += chunk
        self.assertIn(b"200 OK", reply)
        self.srv.signal(signal.SIGHUP)
        self.srv.wait_log(r"reload done: generation 2")
        self.assertEqual(s.recv(65536), b"", "the server should close the idle connection")
        # Closed by the drain (not by the keep-alive timeout, 15 s by default).
        self.srv.wait_log(r"http client \S+ closed: idle keep-alive connection closed for the drain")
        self.srv.wait_log(r"generation 1 has fully drained", timeout=10)


class HttpFlvTest(unittest.TestCase):
    def start(self, workers=3, **extra):
        return Server(self, workers=workers, extra=extra or None).start()

    def test_every_worker_serves_both_streams(self):
        srv = self.start()
        publish(self, srv)
        wait_publishing(srv)
        url = f"http://127.0.0.1:{srv.http_port}/live/cam.flv"
        for pid in srv.workers():
            probe = start_on_worker(srv, pid, "http-flv play", lambda: Probe(url))
            assert_test_pattern(self, probe.streams())
        r = curl("-I", url)
        self.assertIn("Content-Type: video/x-flv", r.stdout)
        self.assertNotRegex(r.stdout, r"(?im)^content-length:")
        srv.stop()

    def test_ffmpeg_decodes_without_errors(self):
        srv = self.start()
        publish(self, srv)
        wait_publishing(srv)
        frames = decoded_frames(self, f"http://127.0.0.1:{srv.http_port}/live/cam.flv", 5)
        self.assertGreaterEqual(frames, 120)
        srv.stop()

    def test_request_before_the_publisher_waits_then_plays(self):
        srv = self.start(workers=2, http_server={"wait_publisher": "20s"})
        path = os.path.join(srv.dir, "early.flv")
        proc = subprocess.Popen(["curl", "-sS", "--max-time", "12", "-o", path,
                                 f"http://127.0.0.1:{srv.http_port}/live/cam.flv"])
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        srv.wait_log(r"no publisher yet, waiting")
        self.assertIsNone(proc.poll(), "the request should still be waiting")
        publish(self, srv)  # the media comes as the answer to the request that waited
        proc.wait(20)
        self.assertGreater(os.path.getsize(path), 50000)
        streams = ffprobe_streams(path)
        self.assertEqual(sorted(s["codec_name"] for s in streams), ["aac", "h264"])
        srv.stop()

    def test_stream_that_never_comes_gets_404_after_the_wait(self):
        srv = self.start(workers=2, http_server={"wait_publisher": "1s"})
        status, _, _ = head_and_body(srv, "/live/never.flv")
        self.assertEqual(status, 404)
        # The 404 came when the wait ended, not at once.
        srv.wait_log(r"http-flv __defaultVhost__/live/never: no publisher within 1000 ms")
        srv.stop()


class HttpKeepAliveTimeoutTest(unittest.TestCase):
    def test_idle_connection_is_closed_after_the_keepalive_timeout(self):
        srv = Server(self, workers=1, extra={"http_server": {"keepalive_timeout": "1s"}}).start()
        s = socket.create_connection(("127.0.0.1", srv.http_port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(b"GET /nope HTTP/1.1\r\nHost: h\r\n\r\n")
        reply = b""
        while b"404 Not Found\n" not in reply:  # the head and its text body
            chunk = s.recv(65536)
            self.assertTrue(chunk, "the server closed before the response ended")
            reply += chunk
        self.assertEqual(s.recv(65536), b"")  # closed, for the timeout:
        srv.wait_log(r"http client \S+ closed: idle keep-alive timeout")
        srv.stop()


class HttpVhostTest(unittest.TestCase):
    def test_host_header_chooses_the_vhost_root(self):
        srv = Server(self, workers=1)
        other = os.path.join(srv.dir, "other")
        srv.settings["vhosts"] = {"__defaultVhost__": {}, "v.example": {"http_dir": other}}
        srv.write_config()
        srv.start()
        for root, text in [(os.path.join(srv.dir, "html"), "default"), (other, "other")]:
            os.makedirs(root, exist_ok=True)
            with open(os.path.join(root, "who.txt"), "w") as f:
                f.write(text)
        self.assertEqual(head_and_body(srv, "/who.txt")[2], b"default")
        self.assertEqual(head_and_body(srv, "/who.txt", "-H", "Host: V.example:8080")[2], b"other")
        self.assertEqual(head_and_body(srv, "/who.txt", "-H", "Host: unknown")[2], b"default")
        srv.stop()


class HttpApiTest(unittest.TestCase):
    def test_api_on_the_shared_http_port(self):
        srv = Server(self, workers=2)
        shared = f"127.0.0.1:{srv.http_port}"
        srv.settings["http_api"]["listen"] = [shared]
        srv.write_config()
        srv.start()
        os.makedirs(os.path.join(srv.dir, "html"), exist_ok=True)
        with open(os.path.join(srv.dir, "html", "a.txt"), "w") as f:
            f.write("file")
        v = srv.api("/api/v1/versions", port=srv.http_port)
        self.assertEqual(v["code"], 0)
        self.assertIn("version", v["data"])
        self.assertIn("worker_slot", srv.api("/api/v1/self", port=srv.http_port)["data"])
        self.assertEqual(head_and_body(srv, "/a.txt")[2], b"file")
        status, h, body = head_and_body(srv, "/api/v1/nope")
        self.assertEqual(status, 404)
        self.assertEqual(h["content-type"], "application/json")
        srv.stop()


if __name__ == "__main__":
    unittest.main()
