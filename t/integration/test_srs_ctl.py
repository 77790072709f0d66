"""srs-ctl (issue #7) against the real server: status, streams, clients and
kick with a publishing ffmpeg and an rtmpdump player, reload (a good
configuration: exit 0 and a new generation; a broken one: exit 1 and the
errors with file:line), check, --json, usage errors, the raw API's reload,
and `make install DESTDIR=...`."""
import json
import os
import re
import signal
import subprocess
import tempfile
import unittest

from harness import BUILD, ROOT, SRS, Server, free_port, publish, rtmpdump, run, wait_until

CTL = os.path.join(ROOT, "tools", "srs-ctl")


def ctl(*args, timeout=60):
    env = dict(os.environ, SRS_BIN=SRS)
    return subprocess.run([CTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, env=env)


def read(path):
    with open(path) as f:
        return f.read()


def version_hpp():
    with open(os.path.join(ROOT, "base", "version.hpp")) as f:
        return re.search(r'kVersion\[\] = "([^"]+)"', f.read()).group(1)


def only_generation_accepting(srv, generation):
    """Waits until every worker of the previous generation stopped accepting (on
    SIGQUIT, a moment after "reload done"): the next API request meets `generation`."""
    old = generation - 1
    count = len(re.findall(r"worker slot \d+ generation %d: started pid" % old, srv.log()))
    srv.wait_log(r"generation %d draining \(\w+\): stopped accepting" % old, count=count)


class SrsCtlOfflineTest(unittest.TestCase):
    """What needs no running server."""

    def test_version_is_the_servers(self):
        r = ctl("--version")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.strip(), f"srs-ctl {version_hpp()}")
        self.assertEqual(run([SRS, "-v"]).stdout.strip(), version_hpp())

    def test_usage_errors_exit_2(self):
        for args in ([], ["bogus"], ["kick"], ["kick", "a", "b"], ["status", "extra"],
                     ["--no-such-option", "status"], ["--timeout", "0", "status"]):
            r = ctl(*args)
            self.assertEqual(r.returncode, 2, f"srs-ctl {args}: {r.stderr}")
            self.assertIn("usage: srs-ctl", r.stderr)
            self.assertRegex(r.stderr, r"srs-ctl: \S", f"srs-ctl {args}")
            self.assertEqual(r.stdout, "")

    def test_help(self):
        r = ctl("--help")
        self.assertEqual(r.returncode, 0)
        for word in ("status", "streams", "clients", "kick", "reload", "check", "workers",
                     "children", "--json"):
            self.assertIn(word, r.stdout)

    def test_unreachable_api_says_where(self):
        port = free_port()
        r = ctl("--api", f"http://127.0.0.1:{port}", "status")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(),
                         f"srs-ctl: cannot reach the API at http://127.0.0.1:{port}: connection refused")

    def test_check_good_and_bad(self):
        with tempfile.TemporaryDirectory() as d:
            good = os.path.join(d, "good.yaml")
            with open(good, "w") as f:
                f.write("worker_processes: 1\nrtmp:\n  listen:\n    - 127.0.0.1:1935\n")
            r = ctl("check", good)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"configuration {good} is valid", r.stdout)
            bad = os.path.join(d, "bad.yaml")
            with open(bad, "w") as f:
                f.write("worker_processes: 1\nrtmp:\n  chunk_size: 5\nno_such_key: 1\n")
            r = ctl("check", bad)
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"{bad}:3:", r.stderr)  # chunk_size out of range, with its line
            self.assertIn(f"{bad}:4:1", r.stderr)  # the unknown key
            r = ctl("--json", "check", bad)
            self.assertEqual(r.returncode, 1)
            verdict = json.loads(r.stdout)
            self.assertFalse(verdict["valid"])
            self.assertTrue(any("no_such_key" in m for m in verdict["messages"]))
            r = ctl("-c", good, "check")  # the file of -c
            self.assertEqual(r.returncode, 0, r.stderr)


class SrsCtlServerTest(unittest.TestCase):
    def server(self, **kw):
        return Server(self, **kw).start()

    def test_status_streams_clients_and_kick(self):
        srv = self.server(workers=2)
        pub = publish(self, srv, "live/cam", seconds=60)
        wait_until(lambda: any(s.get("publish", {}).get("active")
                               for s in srv.api("/api/v1/streams").get("streams", [])),
                   20, interval=0.3, what="the stream to be published")
        player, _ = rtmpdump(self, srv, "live/cam")

        def player_entry():
            clients = srv.api("/api/v1/clients?count=100").get("clients", [])
            return next((c for c in clients if c.get("type") == "rtmp-play"), None)

        entry = wait_until(player_entry, 15, interval=0.3, what="the player in the API")
        api = ["--api", f"http://127.0.0.1:{srv.api_port}"]

        r = ctl("-c", srv.conf_path, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"version:\s+%s" % re.escape(version_hpp()))
        self.assertRegex(r.stdout, r"master pid:\s+%d" % srv.pid)
        self.assertRegex(r.stdout, r"generation:\s+1\n")
        self.assertRegex(r.stdout, r"streams:\s+1\n")
        self.assertRegex(r.stdout, r"bitrate in:\s+\d+ kbps")

        r = ctl(*api, "streams")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertRegex(lines[0], r"^ID\s+STREAM\s+CLIENTS")
        self.assertEqual(len(lines), 2, r.stdout)
        self.assertIn("live/cam", lines[1])
        streams = json.loads(ctl(*api, "--json", "streams").stdout)
        self.assertEqual(streams["code"], 0)
        self.assertIn(streams["streams"][0]["id"], lines[1])

        r = ctl(*api, "clients")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("rtmp-play", r.stdout)
        self.assertRegex(r.stdout, r"(fmle|flash)-publish")
        row = next(l for l in r.stdout.splitlines() if l.startswith(entry["id"]))
        self.assertIn("127.0.0.1", row)
        clients = json.loads(ctl(*api, "--json", "clients").stdout)
        self.assertIn(entry["id"], [c["id"] for c in clients["clients"]])

        r = ctl(*api, "kick", entry["id"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), f"kicked client {entry['id']}")
        wait_until(lambda: not player.alive(), 10, what="rtmpdump to be disconnected")
        wait_until(lambda: entry["id"] not in [c["id"] for c in srv.api(
            "/api/v1/clients?count=100").get("clients", [])], 10, what="the client to be gone")
        r = ctl(*api, "kick", entry["id"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"no client {entry['id']}", r.stderr)
        self.assertTrue(pub.alive(), "the publisher was disturbed by the kick")
        srv.stop()

    def test_workers(self):
        srv = self.server(workers=2)
        reply = srv.api("/api/v1/workers")
        if reply.get("code") == 404:
            self.skipTest("/api/v1/workers is not in this build yet")
        r = ctl("--api", f"http://127.0.0.1:{srv.api_port}", "workers")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertGreaterEqual(len(lines), 3, r.stdout)
        for pid in srv.workers():
            self.assertTrue(any(re.search(r"\b%d\b" % pid, l) for l in lines[1:]),
                            f"worker {pid} not listed:\n{r.stdout}")
        data = json.loads(ctl("--api", f"http://127.0.0.1:{srv.api_port}", "--json", "workers").stdout)
        self.assertEqual(data["code"], 0)
        srv.stop()

    def test_children_and_made_by(self):
        """An ingest of a looping file: `children` lists it with its pid, `streams`
        says which child publishes the stream."""
        d = tempfile.mkdtemp(prefix="srs-ctl-children-")
        self.addCleanup(subprocess.run, ["rm", "-rf", d])
        media = os.path.join(d, "loop.flv")
        run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
             "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", media], timeout=60)
        srv = Server(self, workers=1, extra={"vhosts": {"__defaultVhost__": {
            "ingest": {"looped": {"input": media, "loop": True, "stream": "live/looped"}}}}})
        srv.start()
        api = ["--api", f"http://127.0.0.1:{srv.api_port}"]
        wait_until(lambda: any(s["name"] == "looped" for s in srv.api("/api/v1/streams")["streams"]),
                   30, what="the ingest publishing live/looped")
        child = srv.api("/api/v1/children")["children"][0]
        r = ctl(*api, "children")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"ingest +looped +%s .*live/looped +%d +running"
                         % (re.escape(media), child["pid"]))
        r = ctl(*api, "streams")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("MADE BY", r.stdout)
        self.assertIn("ingest looped", r.stdout)
        data = json.loads(ctl(*api, "--json", "children").stdout)
        self.assertEqual(data["children"][0]["kind"], "ingest")
        srv.stop()
        self.assertFalse(os.path.exists(f"/proc/{child['pid']}"), "the ingest outlived the server")

    def test_reload_ok_then_broken(self):
        srv = self.server(workers=2)
        before = srv.api("/api/v1/reload")["data"]
        self.assertEqual(before["state"], "idle")
        self.assertEqual(before["generation"], 1)
        # No -c: the master's pid comes from the API's envelope.
        srv.settings["worker_processes"] = 1
        srv.write_config()
        r = ctl("--api", f"http://127.0.0.1:{srv.api_port}", "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "reload succeeded: generation 2 serving")
        after = srv.api("/api/v1/reload")["data"]
        self.assertEqual((after["state"], after["generation"], after["reloads_ok"]),
                         ("succeeded", 2, 1))
        self.assertEqual(after["seq"], before["seq"] + 1)
        wait_until(lambda: len(srv.workers()) == 1, 15, what="the old generation to drain")

        # A broken file: the errors with file:line:column, generation 2 keeps serving.
        good = read(srv.conf_path)
        srv.write_config(text=good + "rtmp_typo: 1\nhttp_api:\n  enabled: maybe\n")
        r = ctl("-c", srv.conf_path, "--api", f"http://127.0.0.1:{srv.api_port}", "reload")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("reload failed: generation 2 keeps serving", r.stderr)
        self.assertRegex(r.stderr, re.escape(srv.conf_path) + r":\d+:\d+: .*rtmp_typo")
        status = srv.api("/api/v1/reload")["data"]
        self.assertEqual((status["state"], status["generation"], status["reloads_failed"]),
                         ("failed", 2, 1))
        self.assertTrue(any("rtmp_typo" in e for e in status["errors"]))
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)

        # --json prints the final /api/v1/reload reply.
        r = ctl("-c", srv.conf_path, "--api", f"http://127.0.0.1:{srv.api_port}", "--json", "reload")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["data"]["reloads_failed"], 2)

        # Fixed again: the next generation serves.
        srv.write_config(text=good)
        r = ctl("-c", srv.conf_path, "--api", f"http://127.0.0.1:{srv.api_port}", "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "reload succeeded: generation 3 serving")
        srv.stop()

    def test_raw_api_reload_is_off_by_default_and_works_when_allowed(self):
        srv = self.server(workers=1)
        raw = srv.api("/api/v1/raw?rpc=raw")
        self.assertEqual(raw["code"], 0)
        self.assertEqual(raw["http_api"]["raw_api"], {"enabled": False, "allow_reload": False,
                                                      "allow_query": False, "allow_update": False})
        self.assertEqual(srv.api("/api/v1/raw?rpc=reload")["code"], 1061)
        self.assertEqual(srv.api("/api/v1/raw?rpc=reload-fetch")["code"], 1061)
        self.assertEqual(srv.api("/api/v1/reload")["data"]["seq"], 0, "a refused rpc reloaded")

        srv.settings["http_api"]["raw_api"] = {"enabled": True, "allow_reload": False}
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 2 serving", timeout=15)
        only_generation_accepting(srv, 2)
        self.assertEqual(srv.api("/api/v1/raw?rpc=reload")["code"], 1061)
        self.assertEqual(srv.api("/api/v1/raw?rpc=nonsense")["code"], 1060)
        fetch = srv.api("/api/v1/raw?rpc=reload-fetch")
        self.assertEqual(fetch["data"], {"err": 0, "msg": "Success", "state": 90, "rid": "1"})

        srv.settings["http_api"]["raw_api"]["allow_reload"] = True
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 3 serving", timeout=15)
        only_generation_accepting(srv, 3)
        self.assertEqual(srv.api("/api/v1/raw?rpc=reload")["code"], 0)
        wait_until(lambda: srv.api("/api/v1/raw?rpc=reload-fetch")["data"]["rid"] == "3" and
                   srv.api("/api/v1/raw?rpc=reload-fetch")["data"]["state"] == 90,
                   15, what="the raw API's reload to finish")
        self.assertEqual(srv.api("/api/v1/reload")["data"]["generation"], 4)
        srv.stop()


class MakeInstallTest(unittest.TestCase):
    def test_make_install_destdir(self):
        srs_mtime = os.stat(SRS).st_mtime_ns
        with tempfile.TemporaryDirectory() as dest:
            r = run(["make", "-s", "-C", ROOT, f"BUILD={BUILD}", "install", f"DESTDIR={dest}"],
                    timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            want = {"usr/local/sbin/srs": 0o755, "usr/local/bin/srs-ctl": 0o755,
                    "usr/local/share/man/man1/srs-ctl.1": 0o644,
                    "usr/local/share/man/man5/srs.yaml.5": 0o644,
                    "usr/local/share/man/man8/srs.8": 0o644,
                    "usr/local/lib/systemd/system/srs.service": 0o644,
                    "etc/srs/srs.yaml": 0o644}
            for path, mode in want.items():
                full = os.path.join(dest, path)
                self.assertTrue(os.path.isfile(full), f"{path} not installed")
                self.assertEqual(os.stat(full).st_mode & 0o777, mode, path)
            unit = read(os.path.join(dest, "usr/local/lib/systemd/system/srs.service"))
            self.assertIn("ExecStart=/usr/local/sbin/srs -c /etc/srs/srs.yaml", unit)
            installed = os.path.join(dest, "usr/local/sbin/srs")
            self.assertEqual(run([installed, "-v"]).stdout.strip(), version_hpp())
            r = run([os.path.join(dest, "usr/local/bin/srs-ctl"), "--version"])
            self.assertEqual(r.stdout.strip(), f"srs-ctl {version_hpp()}")

            # An operator's configuration is never replaced.
            conf = os.path.join(dest, "etc/srs/srs.yaml")
            with open(conf, "w") as f:
                f.write("# mine\n")
            r = run(["make", "-s", "-C", ROOT, f"BUILD={BUILD}", "install", f"DESTDIR={dest}"],
                    timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(read(conf), "# mine\n")

            r = run(["make", "-s", "-C", ROOT, f"BUILD={BUILD}", "uninstall", f"DESTDIR={dest}"],
                    timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            for path in want:
                if path != "etc/srs/srs.yaml":
                    self.assertFalse(os.path.exists(os.path.join(dest, path)), f"{path} left behind")
            self.assertTrue(os.path.exists(conf))
        self.assertEqual(os.stat(SRS).st_mtime_ns, srs_mtime, "make install rebuilt the server")


if __name__ == "__main__":
    unittest.main()
