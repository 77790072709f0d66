"""The HTTP API's router and system endpoints (issue #7), with curl against a
2-worker server: every SRS system endpoint answers code 0 with SRS's fields
and plausible values, the whole-server figures follow a publishing ffmpeg and
an rtmpdump player whichever worker answers, /metrics parses as Prometheus
text, HTTP Basic authentication, the allow list, JSONP and CORS."""
import base64
import json
import os
import re
import signal
import subprocess
import unittest

from harness import SRS, Server, publish, rtmpdump, run, wait_until


def curl(srv, path, *args, timeout=10):
    """(status, headers with lower-case names, body text) of one request to the API port."""
    url = f"http://127.0.0.1:{srv.api_port}{path}"
    r = subprocess.run(["curl", "-sS", "-i", "--max-time", str(timeout), *args, url],
                       capture_output=True, timeout=timeout + 10)
    if r.returncode != 0:
        raise AssertionError(f"curl {url} failed: {r.stderr.decode(errors='replace')}")
    raw_head, _, body = r.stdout.partition(b"\r\n\r\n")
    lines = raw_head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body.decode()


def parse_metrics(text):
    """Prometheus text format 0.0.4: {name: {labels-text: value}}; asserts on its syntax."""
    families, samples = {}, {}
    sample_rx = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                           r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)\})? (\S+)$')
    assert text.endswith("\n"), "the exposition must end with a line feed"
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge"), line
            assert name not in families, f"TYPE twice for {name}"
            families[name] = kind
            continue
        m = sample_rx.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels, value = m.group(1), m.group(3) or "", m.group(4)
        assert name in families, f"{name} has no TYPE line before its samples"
        samples.setdefault(name, {})[labels] = float(value)
    for name, kind in families.items():
        if kind == "counter":
            assert name.endswith("_total"), f"counter {name} must end in _total"
    return families, samples


class ApiSystemTest(unittest.TestCase):
    def setUp(self):
        # A heartbeat every second (the summary timer beats it).
        self.srv = Server(self, workers=2, extra={"log": {"summary_interval": "1s"}}).start()
        self.addCleanup(self.srv.stop)

    def envelope_ok(self, reply):
        self.assertEqual(reply["code"], 0, reply)
        self.assertEqual(reply["pid"], str(self.srv.pid))
        self.assertTrue(reply["server"])
        self.assertTrue(reply["service"])

    def test_every_system_endpoint(self):
        srv = self.srv
        for path in ["/", "/api/", "/api/v1/"]:
            r = srv.api(path)
            self.envelope_ok(r)
            self.assertIn("urls", r)
        self.assertIn("summaries", srv.api("/api/v1/")["urls"])
        v = srv.api("/api/v1/versions")["data"]
        self.assertEqual(f'{v["major"]}.{v["minor"]}.{v["revision"]}', v["version"])
        # Every worker has beaten its heartbeat (the summary timer, every second).
        wait_until(lambda: all(w["heartbeat_age"] >= 0 for w in srv.api("/api/v1/workers")["workers"]),
                   15, what="a heartbeat from every worker")
        s = srv.api("/api/v1/summaries")
        self.envelope_ok(s)
        d = s["data"]
        self.assertTrue(d["ok"])
        self_ = d["self"]
        for k in ["version", "pid", "ppid", "argv", "cwd", "mem_kbyte", "mem_percent",
                  "cpu_percent", "srs_uptime"]:
            self.assertIn(k, self_)
        self.assertEqual(self_["pid"], srv.pid)
        self.assertEqual(self_["ppid"], os.getpid())
        self.assertIn(srv.conf_path, self_["argv"])
        self.assertEqual(os.path.realpath(self_["cwd"]), os.path.realpath(srv.dir))
        # three processes of a few MB each
        self.assertGreater(self_["mem_kbyte"], 3 * 1024)
        self.assertLess(self_["mem_percent"], 1)
        self.assertGreaterEqual(self_["srs_uptime"], 0)
        sy = d["system"]
        self.assertEqual(sy["cpus_online"], os.sysconf("SC_NPROCESSORS_ONLN"))
        self.assertEqual(sy["cpus"], os.sysconf("SC_NPROCESSORS_CONF"))
        with open("/proc/meminfo") as f:
            total = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
        self.assertEqual(sy["mem_ram_kbyte"], total)
        self.assertTrue(0 < sy["mem_ram_percent"] < 1)
        self.assertTrue(0 <= sy["cpu_percent"] <= 1)
        with open("/proc/uptime") as f:
            self.assertAlmostEqual(sy["uptime"], float(f.read().split()[0]), delta=30)
        with open("/proc/loadavg") as f:
            self.assertAlmostEqual(sy["load_1m"], float(f.read().split()[0]), delta=3)
        for k in ["load_5m", "load_15m", "net_recv_bytes", "net_send_bytes", "srs_recv_bytes",
                  "srs_send_bytes", "conn_sys", "conn_sys_et", "conn_sys_tw", "conn_sys_udp",
                  "conn_srs"]:
            self.assertIn(k, sy)
        self.assertGreaterEqual(sy["conn_sys"], 1)  # at least the API connection itself
        workers = d["srs_workers"]
        self.assertEqual(sorted(w["pid"] for w in workers), sorted(srv.workers()))
        self.assertTrue(all(w["state"] == "ready" for w in workers))
        self.assertTrue(all(0 <= w["heartbeat_age"] <= 15 for w in workers), workers)
        listed = srv.api("/api/v1/workers")["workers"]
        self.assertEqual([w["slot"] for w in listed], [w["slot"] for w in workers])

        ru = srv.api("/api/v1/rusages")["data"]
        self.assertTrue(ru["ok"])
        self.assertGreater(ru["ru_maxrss"], 1000)
        ps = srv.api("/api/v1/self_proc_stats")["data"]
        self.assertTrue(ps["ok"])
        self.assertIn(ps["pid"], srv.workers())  # the answering worker's own /proc/self
        self.assertEqual(ps["ppid"], srv.pid)
        self.assertGreater(ps["rss"], 0)
        self.assertIn("cguest_time", ps)
        sps = srv.api("/api/v1/system_proc_stats")["data"]
        self.assertTrue(sps["ok"])
        self.assertGreater(sps["user"] + sps["sys"] + sps["idle"], 0)
        mi = srv.api("/api/v1/meminfos")["data"]
        self.assertEqual(mi["MemTotal"], total)
        self.assertGreater(mi["MemFree"], 0)
        f = srv.api("/api/v1/features")["data"]["features"]
        self.assertIs(f["api"], True)
        self.assertIs(f["hls"], True)
        self.assertIs(f["dvr"], False)
        self.assertIs(f["ssl"], False)
        me = srv.api("/api/v1/self")["data"]
        self.assertIn(me["pid"], srv.workers())

    def test_unknown_path_is_404_with_the_envelope(self):
        status, _, body = curl(self.srv, "/api/v1/nope")
        self.assertEqual(status, 404)
        r = json.loads(body)
        self.assertEqual(r["code"], 404)
        self.assertEqual(r["pid"], str(self.srv.pid))

    def test_figures_follow_a_publisher_and_a_player(self):
        srv = self.srv
        publish(self, srv, seconds=30)
        wait_until(lambda: srv.api("/api/v1/summaries")["data"]["system"]["srs_recv_bytes"] > 50000,
                   15, what="the publisher's bytes in srs_recv_bytes")
        player, path = rtmpdump(self, srv)
        wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 50000, 15,
                   what="rtmpdump to receive media")
        # Whichever worker answers (new connections spread over both), the
        # whole server's figures: one publisher, one player, the API call.
        for _ in range(4):
            sy = srv.api("/api/v1/summaries")["data"]["system"]
            self.assertGreaterEqual(sy["conn_srs"], 2, sy)
            self.assertGreater(sy["srs_send_bytes"], 50000, sy)
        workers = srv.api("/api/v1/workers")["workers"]
        self.assertEqual(sum(w["publishers"] for w in workers), 1, workers)
        self.assertEqual(sum(w["players"] for w in workers), 1, workers)
        # /dev/shm: the one stream's ring (harness: shm.ring_bytes 4MiB), the filesystem around it.
        shm = srv.api("/api/v1/summaries")["data"]["shm"]
        self.assertEqual((shm["dir"], shm["rings"]), ("/dev/shm", 1), shm)
        self.assertGreaterEqual(shm["rings_bytes"], 4 << 20, shm)
        self.assertLess(shm["rings_bytes"], 5 << 20, shm)
        self.assertGreaterEqual(shm["size_bytes"], shm["rings_bytes"], shm)
        self.assertLessEqual(shm["free_bytes"], shm["size_bytes"] - shm["rings_bytes"], shm)
        self.assertGreater(shm["control_bytes"], 0, shm)

        status, headers, text = curl(srv, "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        families, samples = parse_metrics(text)
        for name in ["srs_build_info", "srs_streams", "srs_clients", "srs_clients_total",
                     "srs_send_bytes_total", "srs_receive_bytes_total", "srs_memory",
                     "srs_cpu_percent", "srs_workers", "srs_worker_connections", "srs_players",
                     "srs_publishers", "srs_lapped_players_total", "srs_dropped_players_total",
                     "srs_messages_in_total", "srs_messages_out_total", "srs_generation"]:
            self.assertIn(name, families)
        self.assertEqual(samples["srs_streams"][""], 1)
        self.assertEqual(samples["srs_publishers"][""], 1)
        self.assertEqual(samples["srs_players"][""], 1)
        self.assertGreaterEqual(samples["srs_clients"][""], 2)
        self.assertGreater(samples["srs_send_bytes_total"][""], 50000)
        self.assertGreater(samples["srs_receive_bytes_total"][""], 50000)
        # One player with 50 kB of media: many messages in, and sent to it.
        self.assertGreater(samples["srs_messages_in_total"][""], 20)
        self.assertGreater(samples["srs_messages_out_total"][""], 20)
        self.assertEqual(samples["srs_output_gaps_total"][""], 0)
        self.assertEqual(samples["srs_workers"]['state="ready"'], 2)
        self.assertEqual(len(samples["srs_worker_connections"]), 2)
        self.assertIn(f'pid="{srv.pid}"', list(samples["srs_build_info"])[0])

    def test_metrics_count_reloads(self):
        srv = self.srv

        def metrics():
            status, _, text = curl(srv, "/metrics")
            self.assertEqual(status, 200)
            return parse_metrics(text)[1]

        m = metrics()
        self.assertEqual(m["srs_reloads_total"], {'result="ok"': 0, 'result="failed"': 0})
        self.assertEqual(m["srs_generation"][""], 1)
        srv.write_config(text="rtmp: {chunk_size: 1}\n")  # out of range: refused
        srv.signal(signal.SIGHUP)
        wait_until(lambda: metrics()["srs_reloads_total"]['result="failed"'] == 1, 15,
                   what="a failed reload in srs_reloads_total")
        srv.write_config()
        srv.signal(signal.SIGHUP)
        wait_until(lambda: metrics()["srs_reloads_total"]['result="ok"'] == 1, 20,
                   what="a reload in srs_reloads_total")
        wait_until(lambda: metrics()["srs_generation"][""] == 2, 10, what="generation 2")

    def test_jsonp_method_override_kicks_a_client(self):
        srv = self.srv
        status, _, _ = curl(srv, "/api/v1/clients")
        if status == 404:
            self.skipTest("the clients routes (api_streams.cpp) are not in this build")
        ffmpeg = publish(self, srv, seconds=30)

        def publisher():
            clients = srv.api("/api/v1/clients").get("clients", [])
            return next((c for c in clients if c.get("publish")), None)

        cid = wait_until(publisher, 15, what="the publisher in /api/v1/clients")["id"]
        # A browser's JSONP can only GET: ?method=DELETE makes it the kick.
        status, _, body = curl(srv, f"/api/v1/clients/{cid}?callback=cb&method=DELETE")
        self.assertEqual(status, 200, body)
        m = re.fullmatch(r"cb\((.*)\)", body, re.S)
        self.assertTrue(m, body)
        self.assertEqual(json.loads(m.group(1))["code"], 0, body)
        wait_until(lambda: not ffmpeg.alive(), 15, what="ffmpeg to be disconnected by the kick")

    def test_jsonp_and_cors(self):
        srv = self.srv
        status, headers, body = curl(srv, "/api/v1/versions?callback=jQuery_1.cb$")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("application/javascript"))
        m = re.fullmatch(r"jQuery_1\.cb\$\((.*)\)", body, re.S)
        self.assertTrue(m, body)
        self.assertEqual(json.loads(m.group(1))["data"]["version"],
                         srv.api("/api/v1/versions")["data"]["version"])
        status, _, body = curl(srv, "/api/v1/versions?callback=alert(1)//")
        self.assertEqual(status, 400)
        self.assertNotIn("alert", body)
        self.assertEqual(headers["access-control-allow-origin"], "*")
        status, headers, _ = curl(srv, "/api/v1/clients", "-X", "OPTIONS",
                                  "-H", "Origin: http://console.example",
                                  "-H", "Access-Control-Request-Method: DELETE")
        self.assertEqual(status, 200)
        self.assertIn("DELETE", headers["access-control-allow-methods"])
        self.assertIn("Authorization", headers["access-control-allow-headers"])


class ApiSecurityTest(unittest.TestCase):
    def test_basic_authentication(self):
        srv = Server(self, workers=2, extra={"http_api": {"auth": {
            "enabled": True, "username": "admin", "password": "s3cret:x"}}}).start()
        self.addCleanup(srv.stop)
        for path in ["/api/v1/versions", "/metrics"]:
            status, headers, _ = curl(srv, path)
            self.assertEqual(status, 401, path)
            self.assertRegex(headers["www-authenticate"], r'^Basic realm="[^"]+"')
            status, _, _ = curl(srv, path, "-u", "admin:wrong")
            self.assertEqual(status, 401)
            status, _, body = curl(srv, path, "-u", "admin:s3cret:x")
            self.assertEqual(status, 200, body)
        token = base64.b64encode(b"admin:s3cret:x").decode()
        status, _, body = curl(srv, "/api/v1/summaries", "-H", f"Authorization: basic  {token}")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["code"], 0)

    def test_auth_enabled_without_a_password_is_rejected_at_load(self):
        srv = Server(self, workers=1, extra={"http_api": {"auth": {
            "enabled": True, "username": "admin"}}})
        r = run([SRS, "-t", "-c", srv.conf_path])
        out = r.stdout + r.stderr
        self.assertNotEqual(r.returncode, 0, out)
        self.assertRegex(out, r"srs\.yaml:\d+:\d+: .*http_api\.auth\.enabled.*username and a password")

    def test_allow_list(self):
        srv = Server(self, workers=2, extra={"http_api": {"allow": ["10.0.0.0/8", "fd00::/8"]}})
        srv.start()
        self.addCleanup(srv.stop)
        for path in ["/api/v1/versions", "/metrics", "/api/v1/streams"]:
            status, _, _ = curl(srv, path)
            self.assertEqual(status, 403, path)
        srv.stop()
        srv2 = Server(self, workers=2, extra={"http_api": {"allow": ["10.0.0.0/8", "127.0.0.1"]}})
        srv2.start()
        self.addCleanup(srv2.stop)
        status, _, _ = curl(srv2, "/api/v1/versions")
        self.assertEqual(status, 200)

    def test_bad_allow_entry_is_rejected_at_load(self):
        srv = Server(self, workers=1, extra={"http_api": {"allow": ["10.0.0.1/8"]}})
        r = run([SRS, "-t", "-c", srv.conf_path])
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stdout + r.stderr, r"srs\.yaml:\d+:\d+: .*http_api\.allow\[0\]")


if __name__ == "__main__":
    unittest.main()
