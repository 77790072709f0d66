"""Forward (vhosts.NAME.forward): every stream published on a vhost is also
published to each destination, static (forward.destinations) or given by a
backend (forward.backend). Real clients only: ffmpeg publishes a test pattern
(H.264 + AAC) to server A; ffprobe and rtmpdump play it on A and on the
destinations (our server B, nginx-rtmp); the API and /metrics tell the
forwarders' states and counters; the logs tell the identities and retries.
Every server and client is stopped by pid, every wait is bounded."""
import os
import re
import sys
import time
import unittest

import forward_fixtures as ff
from callbacks import CallbackServer
from harness import (ROOT, SRS, Probe, Proc, Server, assert_test_pattern, flv_tags, free_port,
                     rtmpdump, run, size_of, to_yaml, wait_until)

# --- what the implementation logs and answers (kept here to be easy to change) ---

API_FORWARDS = "/api/v1/forwards"
STATES = ("connecting", "publishing", "retrying")
# On the forwarding server, {stream} is app/stream, {url} the destination's full URL.
# The brief has "forward live/livestream -> ..."; the implementation writes the
# vhost too ("forward __defaultVhost__/live/livestream -> ..."): both are taken.
LOG_VHOST_PREFIX = r"(?:__defaultVhost__/)?"
LOG_PUBLISHING = "forward {stream} -> {url}: publishing"
LOG_RETRY = r"forward {stream} -> {url}: (?P<why>[^\n]*?); retry in (?P<ms>\d+) ms"
# On the forwarding server, the destination's identity (an SRS-compatible one);
# other key=value fields may stand between these.
LOG_UPSTREAM_SEEN = (r"upstream server=(?P<server>\S+)(?: \w+=\S*)*? pid=(?P<pid>\d+)"
                     r"(?: \w+=\S*)*? cid=(?P<cid>\w+)")
# On the destination (our server), the forwarder's connect.
LOG_UPSTREAM_CONNECT = (r"\]\[(?P<logpid>\d+)\]\[\w+\] rtmp connect from upstream "
                        r"server=(?P<server>\S+)(?: \w+=\S*)*? pid=(?P<pid>\d+)"
                        r"(?: \w+=\S*)*? cid=(?P<cid>\w+)")
LOG_LOOP = "forward loop"
# A backend that is down or answers an error or garbage: a warning or an error
# that names the backend call.
LOG_BACKEND_FAILED = r"\]\[(?:WARN|ERROR)\]\[\d+\]\[\w+\] [^\n]*(?:on_forward|backend)[^\n]*"
# srs -t: FILE:LINE:COL: KEY PATH: why
CONFIG_ERROR = r"srs\.yaml:(?P<line>\d+):(?P<col>\d+): vhosts\.__defaultVhost__\.forward\.destinations\[{i}\]: \S"
METRIC_FORWARDS = "srs_forwards"
METRIC_RECONNECTS = "srs_forward_retries_total"

STREAM = "live/livestream"


def log_rx(template, stream=STREAM, **kw):
    """A LOG_* template with its {fields} filled in as literal text ({stream}
    after an optional vhost)."""
    fields = {k: re.escape(v) for k, v in kw.items()}
    return template.format(stream=LOG_VHOST_PREFIX + re.escape(stream), **fields)


def rtmp(host, port, path):
    return f"rtmp://{host}:{port}/{path}"


class ForwardTest(unittest.TestCase):
    # --- servers ---------------------------------------------------------------

    def server(self, workers=1, forward=None, host="127.0.0.1", vhost=None):
        """Our server, started; `forward` is the vhost's forward section; `host`
        the address its RTMP listener binds (127.0.0.2... for a second host)."""
        v = dict(vhost or {})
        if forward is not None:
            v["forward"] = forward
        srv = Server(self, workers=workers, extra={"vhosts": {"__defaultVhost__": v}} if v else None)
        srv.host = host
        srv.settings["rtmp"]["listen"] = [f"{host}:{srv.rtmp_port}"]
        srv.write_config()
        self.addCleanup(srv.stop)
        return srv.start()

    def url_of(self, srv, path=STREAM):
        return rtmp(srv.host, srv.rtmp_port, path)

    def publish(self, srv, stream=STREAM, seconds=90):
        """ffmpeg publishing harness.publish()'s test pattern to srv's host, with
        a keyframe every second: players and reconnected forwarders start sooner."""
        cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
               "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
               "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
               "-t", str(seconds),
               "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-threads", "1",
               "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
               "-c:a", "aac", "-ac", "2", "-f", "flv", self.url_of(srv, stream)]
        name = re.sub(r"[^\w]", "_", stream)[:40]
        return Proc(self, cmd, os.path.join(srv.dir, f"publish-{name}-{time.monotonic_ns()}.log"))

    def probe(self, url, timeout=25):
        """ffprobe's streams at url: both the test pattern's (asserted)."""
        streams = Probe(url).streams(timeout)
        assert_test_pattern(self, streams)
        return streams

    # --- forwarders ------------------------------------------------------------

    def wait_forward(self, srv, destination, state="publishing", timeout=20, **more):
        """Until the API shows the forwarder to destination in state (and more[k]
        <= its field k for the numbers given); returns it."""

        def ok():
            f = ff.forward_to(srv, API_FORWARDS, destination)
            if not f or f.get("state") != state:
                return None
            return f if all(f.get(k, -1) >= v for k, v in more.items()) else None

        try:
            return wait_until(ok, timeout, interval=0.2, what=f"forward to {destination} {state} {more}")
        except AssertionError:
            raise AssertionError(f"no forward to {destination} in state {state} {more} within "
                                 f"{timeout}s; the API: {ff.forwards(srv, API_FORWARDS)}; "
                                 f"log tail:\n{srv.log()[-3000:]}")

    def assert_forward_fields(self, f, destination, cid, pid):
        """The API's forwarder has the brief's fields: the publisher's vhost, app
        and stream names, the forwarder's context id and worker."""
        self.assertEqual(f["destination"], destination)
        self.assertIn(f["state"], STATES)
        self.assertTrue(f["id"], f)
        for k in ("send_bytes", "recv_bytes", "reconnects"):
            self.assertIsInstance(f[k], int, (k, f))
            self.assertGreaterEqual(f[k], 0, (k, f))
        # As /api/v1/clients names them: the vhost's and the stream's API ids,
        # the app and stream names, the forwarder's context id, its worker.
        self.assertEqual(f["kind"], "forward")
        self.assertEqual(f["vhost"], "v0", f)
        self.assertRegex(f["stream"], r"^s\d+-\d+$", f)
        self.assertEqual((f["app"], f["name"]), ("live", "livestream"), f)
        self.assertEqual(f["id"], cid, f)
        self.assertEqual(f["worker_pid"], pid, f)

    def assert_metrics(self, srv, publishing, failing, reconnects):
        """/metrics: the forwarders by state (failing: retrying or connecting) and
        the reconnects counter (an exact count, or (at least,) as a tuple)."""
        with self.subTest(f"/metrics: {METRIC_FORWARDS} and {METRIC_RECONNECTS}"):
            samples = ff.metrics(srv)
            self.assertIn(METRIC_FORWARDS, samples, sorted(samples))
            self.assertEqual(ff.metric_sum(samples, METRIC_FORWARDS, state="publishing"), publishing,
                             samples[METRIC_FORWARDS])
            self.assertEqual(ff.metric_sum(samples, METRIC_FORWARDS, state="retrying")
                             + ff.metric_sum(samples, METRIC_FORWARDS, state="connecting"), failing,
                             samples[METRIC_FORWARDS])
            self.assertIn(METRIC_RECONNECTS, samples,
                          [n for n in samples if n.startswith("srs_forward")])
            if isinstance(reconnects, tuple):
                self.assertGreaterEqual(ff.metric_sum(samples, METRIC_RECONNECTS), reconnects[0])
            else:
                self.assertEqual(ff.metric_sum(samples, METRIC_RECONNECTS), reconnects)

    # --- 1. our server to our server ---------------------------------------------

    def test_forward_to_our_server(self):
        b = self.server(workers=1, host="127.0.0.2")
        dest = self.url_of(b)
        a = self.server(workers=2, forward={"destinations": [f"127.0.0.2:{b.rtmp_port}"]})
        self.publish(a)
        ff.wait_stream(a, "live", "livestream")
        ff.wait_stream(b, "live", "livestream")
        self.probe(dest)

        # The API of A (whichever worker answers): one forwarder, publishing, its bytes growing.
        reply = a.api(API_FORWARDS)
        self.assertEqual(reply["code"], 0, reply)
        self.assertTrue(reply["server"], reply)
        f = self.wait_forward(a, dest)
        self.assertEqual(len(ff.forwards(a, API_FORWARDS)), 1, ff.forwards(a, API_FORWARDS))
        self.assertEqual(f["reconnects"], 0, f)
        self.wait_forward(a, dest, send_bytes=f["send_bytes"] + 50000)

        # A logs it live (the forwarder's worker pid and context id), and the
        # destination's identity (B's worker pid).
        publishing = a.wait_log(r"\]\[(\d+)\]\[(\w+)\] " + log_rx(LOG_PUBLISHING, url=dest))
        fwd_pid, fwd_cid = int(publishing[0][0]), publishing[0][1]
        self.assertIn(fwd_pid, a.workers())
        self.assert_forward_fields(f, dest, fwd_cid, fwd_pid)
        seen = re.search(LOG_UPSTREAM_SEEN, a.log())
        self.assertIsNotNone(seen, a.log()[-3000:])
        self.assertIn(int(seen["pid"]), b.workers())
        self.assertTrue(seen["server"].startswith("SRS/"), seen.group(0))

        # B logs the forwarder's connect with A's identity: the forwarding
        # worker's pid and the forwarder's context id.
        m = wait_until(lambda: re.search(LOG_UPSTREAM_CONNECT, b.log()), 10, what="B's upstream line")
        self.assertEqual(int(m["pid"]), fwd_pid, m.group(0))
        self.assertIn(int(m["logpid"]), b.workers())
        self.assertEqual(m["cid"], fwd_cid, m.group(0))
        self.assertTrue(m["server"].startswith("SRS/"), m.group(0))

        # /metrics: one forwarder publishing, none else, no reconnect.
        self.assert_metrics(a, publishing=1, failing=0, reconnects=0)

    # --- 2. to nginx-rtmp ------------------------------------------------------

    def test_forward_to_nginx_rtmp(self):
        sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
        import benchlib  # noqa: E402
        if not benchlib.install_nginx_rtmp():
            self.skipTest("nginx with libnginx-mod-rtmp could not be installed")
        # A private nginx: tools/bench/nginx-rtmp.conf.in, application live { live on; }.
        nginx = benchlib.NginxRtmp(workers=1)
        self.addCleanup(nginx.cleanup)
        nginx.start()
        dest = rtmp("127.0.0.1", nginx.rtmp_port, STREAM)
        a = self.server(workers=1, forward={"destinations": [f"127.0.0.1:{nginx.rtmp_port}"]})
        self.publish(a)
        ff.wait_stream(a, "live", "livestream")
        self.wait_forward(a, dest)
        a.wait_log(log_rx(LOG_PUBLISHING, url=dest))
        self.probe(dest)
        self.assertTrue(nginx.alive(), nginx.log_tail("error.log"))

    # --- 3. a dead destination beside a live one --------------------------------

    def test_dead_destination_does_not_disturb(self):
        b = self.server(workers=1)
        live = self.url_of(b)
        dead_port = free_port()  # nobody listens there
        dead = rtmp("127.0.0.1", dead_port, STREAM)
        a = self.server(workers=1, forward={"destinations": [f"127.0.0.1:{dead_port}",
                                                             f"127.0.0.1:{b.rtmp_port}"]})
        self.publish(a)
        ff.wait_stream(a, "live", "livestream")
        player, path = rtmpdump(self, a, stream=STREAM)
        ff.wait_stream(b, "live", "livestream")
        self.probe(live)
        self.wait_forward(a, live)

        # The dead one retries with back-off: >= 2 reconnects in the API, "retry in" lines.
        f = self.wait_forward(a, dead, state="retrying", timeout=30, reconnects=2)
        self.assertEqual(f["send_bytes"], 0, f)
        retries = a.wait_log(log_rx(LOG_RETRY, url=dead), count=3, timeout=30)
        delays = [int(r[1]) for r in retries]
        self.assertLessEqual(delays[0], 1000, f"the first retry comes within 1 s: {delays}")
        self.assertGreater(delays[0], 0, delays)
        self.assertEqual(delays[:3], sorted(delays[:3]), f"the delays never shrink: {delays}")
        self.assertGreater(delays[2], delays[0], f"the delays grow: {delays}")
        self.assertTrue(all(d <= 30000 for d in delays), delays)
        self.assertTrue(all(r[0].strip() for r in retries), retries)  # each says why
        self.assertNotRegex(a.log(), log_rx(LOG_PUBLISHING, url=dead))
        self.assert_metrics(a, publishing=1, failing=1, reconnects=(2,))

        # Meanwhile the player on A received media continuously: the frames of
        # the whole time, no gap in their timestamps; the live destination too.
        before = size_of(path)
        wait_until(lambda: size_of(path) > before + 30000, 15, what="the player to keep receiving")
        player.stop()
        video = [t for t in flv_tags(path) if t[0] == 9 and len(t[3]) > 1 and t[3][1] == 1]
        self.assertGreater(len(video), 75, "3 s of video or more")
        gaps = [b2[1] - b1[1] for b1, b2 in zip(video, video[1:])]
        self.assertLessEqual(max(gaps), 200, "a gap in the player's video")
        self.wait_forward(a, live, send_bytes=self.wait_forward(a, live)["send_bytes"] + 30000)

    # --- 4. the destination restarts ---------------------------------------------

    def test_destination_restart(self):
        b = self.server(workers=1)
        dest = self.url_of(b)
        a = self.server(workers=1, forward={"destinations": [f"127.0.0.1:{b.rtmp_port}"]})
        pub = self.publish(a, seconds=120)
        ff.wait_stream(b, "live", "livestream")
        self.wait_forward(a, dest)
        self.probe(dest)

        b.stop()
        f = self.wait_forward(a, dest, state="retrying", reconnects=1, timeout=20)
        a.wait_log(log_rx(LOG_RETRY, url=dest))
        ff.restart(b)
        # Back to publishing on the new B, which got the sequence headers again.
        f = self.wait_forward(a, dest, timeout=40, reconnects=1)
        a.wait_log(log_rx(LOG_PUBLISHING, url=dest), count=2)
        ff.wait_stream(b, "live", "livestream")
        b.wait_log(LOG_UPSTREAM_CONNECT)
        self.probe(dest)
        self.assertTrue(pub.alive(), pub.output())
        self.assert_metrics(a, publishing=1, failing=0, reconnects=(1,))

    # --- 5. a forward loop ---------------------------------------------------------

    def test_forward_loop_is_refused(self):
        port_a, port_b = free_port(), free_port()
        a = Server(self, workers=1)
        b = Server(self, workers=1)
        a.rtmp_port, b.rtmp_port = port_a, port_b
        for srv, other in ((a, port_b), (b, port_a)):
            srv.host = "127.0.0.1"
            srv.settings["rtmp"]["listen"] = [f"127.0.0.1:{srv.rtmp_port}"]
            srv.settings["vhosts"] = {"__defaultVhost__": {"forward": {"destinations": [f"127.0.0.1:{other}"]}}}
            srv.write_config()
            self.addCleanup(srv.stop)
            srv.start()
        pub = self.publish(a)
        ff.wait_stream(a, "live", "livestream")
        ff.wait_stream(b, "live", "livestream")
        wait_until(lambda: LOG_LOOP in a.log() or LOG_LOOP in b.log(), 20, interval=0.2,
                   what=f"'{LOG_LOOP}' in A's or B's log")
        # Both still serve the stream, A's from its publisher.
        self.probe(self.url_of(a))
        self.probe(self.url_of(b))
        self.assertTrue(pub.alive(), pub.output())
        self.assertEqual(len(re.findall(r"rtmp publish __defaultVhost__/live/livestream ", a.log())), 1,
                         "A's stream was taken over")
        self.wait_forward(a, self.url_of(b))

    # --- 6. URL templates ----------------------------------------------------------

    def test_destination_templates(self):
        cb = CallbackServer(self)
        b = self.server(workers=1, vhost={"http_hooks": {"enabled": True,
                                                         "on_publish": [cb.url("/notify")]}})
        a = self.server(workers=1, forward={"destinations": [
            f"rtmp://127.0.0.1:{b.rtmp_port}/[app]/[stream]_copy[param]",
            f"rtmp://127.0.0.1:{b.rtmp_port}/[app]/[stream]-[vhost]"]})
        self.publish(a, stream=STREAM + "?token=abc")
        # The API and the log show the destination with its token masked; the
        # token itself goes to B (its on_publish below gets "?token=abc").
        copy = self.url_of(b, "live/livestream_copy?token=***")
        ff.wait_stream(b, "live", "livestream_copy")
        self.wait_forward(a, copy)
        a.wait_log(log_rx(LOG_PUBLISHING, url=copy))
        self.probe(self.url_of(b, "live/livestream_copy"))
        ev = wait_until(lambda: cb.of("on_publish", stream="livestream_copy"), 10, what="B's on_publish")[0]
        self.assertEqual((ev["app"], ev["param"]), ("live", "?token=abc"), ev)
        ev = wait_until(lambda: cb.of("on_publish", stream="livestream-__defaultVhost__"), 10,
                        what="B's on_publish of [stream]-[vhost]")[0]
        self.assertEqual((ev["app"], ev["param"]), ("live", ""), ev)
        self.wait_forward(a, self.url_of(b, "live/livestream-__defaultVhost__"))

    # --- 7. a backend gives the destinations ---------------------------------------

    def test_backend_destinations(self):
        b = self.server(workers=1)
        static, dynamic = self.url_of(b), self.url_of(b, "live/dynamic")
        backend = ff.Backend(self, ff.Backend.urls(dynamic))
        a = self.server(workers=1, forward={"destinations": [f"127.0.0.1:{b.rtmp_port}"],
                                            "backend": backend.url()})
        self.publish(a)
        ff.wait_stream(b, "live", "dynamic")
        self.probe(dynamic)
        self.wait_forward(a, dynamic)
        self.wait_forward(a, static)
        self.assertEqual(len(ff.forwards(a, API_FORWARDS)), 2, ff.forwards(a, API_FORWARDS))
        calls = backend.of(action="on_forward")
        self.assertEqual(len(calls), 1, backend.events)
        ev = calls[0]
        self.assertEqual(ev["_path"], "/api/v1/forward")
        self.assertEqual(ev["_content_type"], "application/json")
        self.assertEqual((ev["vhost"], ev["app"], ev["stream"], ev["param"]),
                         ("__defaultVhost__", "live", "livestream", ""), ev)
        self.assertEqual(ev["ip"], "127.0.0.1")
        self.assertTrue(ev["tcUrl"].startswith(f"rtmp://127.0.0.1:{a.rtmp_port}/live"), ev)
        self.assertTrue(ev["server_id"] and ev["service_id"], ev)
        # client_id is the publisher's context id.
        self.assertRegex(a.log(), r"\[" + re.escape(ev["client_id"]) + r"\] rtmp publish __defaultVhost__/live/livestream ")

    def backend_fails(self, answer, stream):
        """A backend that answers `answer` (None: nothing listens): a log line,
        no dynamic forward; the publish works and the static forward too."""
        b = self.server(workers=1)
        if answer is None:
            backend_url, backend = f"http://127.0.0.1:{free_port()}/api/v1/forward", None
        else:
            backend = ff.Backend(self, lambda event: answer)
            backend_url = backend.url()
        a = self.server(workers=1, forward={"destinations": [f"127.0.0.1:{b.rtmp_port}"],
                                            "backend": backend_url})
        self.publish(a, stream=stream)
        ff.wait_stream(a, "live", stream.split("/")[1])
        if backend:
            wait_until(lambda: backend.of(action="on_forward"), 10, what="the backend call")
        a.wait_log(LOG_BACKEND_FAILED, timeout=15)
        self.probe(self.url_of(a, stream))
        static = self.url_of(b, stream)
        self.wait_forward(a, static)
        ff.wait_stream(b, "live", stream.split("/")[1])
        self.probe(static)
        self.assertEqual([f["destination"] for f in ff.forwards(a, API_FORWARDS)], [static])

    def test_backend_answers_an_error(self):
        self.backend_fails(b'{"code":1}', STREAM)

    def test_backend_answers_garbage(self):
        self.backend_fails(b"<html>not json</html>", STREAM)

    def test_backend_down(self):
        self.backend_fails(None, STREAM)

    # --- 8. configuration errors ---------------------------------------------------

    def test_configuration_errors(self):
        srv = Server(self, workers=1)

        def check(destinations, backend=None):
            settings = dict(srv.settings)
            fwd = {"destinations": destinations}
            if backend:
                fwd["backend"] = backend
            settings["vhosts"] = {"__defaultVhost__": {"forward": fwd}}
            text = to_yaml(settings) + "\n"
            srv.write_config(text=text)
            return text, run([SRS, "-t", "-c", srv.conf_path])

        text, r = check(["127.0.0.2:19350", "rtmp://127.0.0.3:19351/[app]/[stream]?k=v"],
                        backend="http://127.0.0.1:8085/api/v1/forward")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("is valid", r.stdout)

        for destinations, bad in ((["foo:0"], 0), (["http://x/y"], 0),
                                  (["127.0.0.1:19350", "127.0.0.1:70000"], 1),
                                  (["rtmp://127.0.0.1:99999/live"], 0)):
            with self.subTest(destinations=destinations):
                text, r = check(destinations)
                self.assertNotEqual(r.returncode, 0, r.stdout)
                m = re.search(CONFIG_ERROR.format(i=bad), r.stderr)
                self.assertIsNotNone(m, r.stderr)
                line = [i for i, l in enumerate(text.split("\n"), 1) if f'"{destinations[bad]}"' in l]
                self.assertEqual(int(m["line"]), line[0], (r.stderr, text))
                self.assertEqual(len(re.findall(r"forward\.destinations\[\d+\]", r.stderr)), 1, r.stderr)


    # --- 9. a reload of the forwarding server ----------------------------------

    def test_reload_keeps_the_forward(self):
        """A reload drops nobody: the publish stays on its (draining) worker,
        and so does its forwarder, with no reconnect."""
        import signal
        b = self.server(workers=1, host="127.0.0.2")
        dest = self.url_of(b)
        a = self.server(workers=2, forward={"destinations": [f"127.0.0.2:{b.rtmp_port}"]})
        self.publish(a)
        ff.wait_stream(b, "live", "livestream")
        before = self.wait_forward(a, dest)
        path = os.path.join(b.dir, "reload-player.flv")
        dump = Proc(self, ["rtmpdump", "-q", "-v", "-r", dest, "-o", path], path + ".log")
        wait_until(lambda: size_of(path) > 50000, 20, what="the player on B to get media")
        a.signal(signal.SIGHUP)
        a.wait_log(r"reload done: generation 2 serving", timeout=20)
        # The forward goes on, not again: its bytes grow, it never retried,
        # and B's player keeps receiving.
        after = self.wait_forward(a, dest, send_bytes=before["send_bytes"] + 100000)
        self.assertEqual(after["reconnects"], 0, after)
        self.assertEqual(after["id"], before["id"], (before, after))
        size = size_of(path)
        wait_until(lambda: size_of(path) > size + 100000, 20,
                   what="the player on B to keep receiving after A's reload")
        self.assertTrue(dump.alive(), "B's player was dropped")


if __name__ == "__main__":
    unittest.main()
