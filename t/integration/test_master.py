"""The master and its workers (issue #2): supervision, reload, stop, pid file,
log reopening, configuration checks, with the real binary and real clients
(curl for the API, plain TCP connects for the RTMP port)."""
import os
import re
import signal
import socket
import threading
import time
import unittest

from harness import SRS, Server, pid_alive, run, wait_until


class ConnectLoop(threading.Thread):
    """Connects to the RTMP port and asks the API through curl, over and over,
    recording every failure, until stopped."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.srv = srv
        self.stop_flag = threading.Event()
        self.tcp_ok = self.http_ok = 0
        self.failures = []

    def run(self):
        while not self.stop_flag.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.srv.rtmp_port), timeout=2):
                    self.tcp_ok += 1
            except OSError as e:
                self.failures.append(f"rtmp connect: {e}")
            r = run(["curl", "-sS", "--max-time", "3", "-o", "/dev/null", "-w", "%{http_code}",
                     f"http://127.0.0.1:{self.srv.api_port}/api/v1/versions"], timeout=10)
            if r.returncode == 0 and r.stdout == "200":
                self.http_ok += 1
            else:
                self.failures.append(f"curl: exit {r.returncode} http {r.stdout} {r.stderr.strip()}")

    def finish(self):
        self.stop_flag.set()
        self.join(15)


def group_members(pgid):
    """Every process (zombies too) of process group `pgid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            members.append(int(entry))
    return members


class MasterTest(unittest.TestCase):
    def test_three_workers_serve_the_api(self):
        srv = Server(self, workers=3).start()
        workers = wait_until(lambda: len(srv.workers()) == 3 and srv.workers(), 5,
                             what="three workers")
        self.assertEqual(len(workers), 3)
        answered_by = set()
        for _ in range(30):
            reply = srv.api("/api/v1/versions")
            self.assertEqual(reply["code"], 0)
            self.assertEqual(reply["data"]["version"].count("."), 2)
            # The envelope names the server (the master), whichever worker answers.
            self.assertEqual(int(reply["pid"]), srv.pid)
            answered_by.add(srv.api("/api/v1/self")["data"]["pid"])
        self.assertTrue(answered_by <= set(workers), f"API answered by {answered_by}, workers are {workers}")
        srv.stop()

    def test_killed_worker_is_replaced_in_the_same_slot(self):
        srv = Server(self, workers=3).start()
        m = re.search(r"worker slot 1 generation 1: started pid (\d+)", srv.log())
        victim = int(m.group(1))
        others = [p for p in srv.workers() if p != victim]
        os.kill(victim, signal.SIGKILL)
        srv.wait_log(r"worker slot 1 generation 1 pid %d killed by signal 9" % victim)
        new = srv.wait_log(r"worker slot 1 generation 1: started pid (\d+)", count=2)[-1]
        srv.wait_log(r"worker slot 1 generation 1 pid %s ready" % new)
        self.assertNotEqual(int(new), victim)
        self.assertTrue(pid_alive(int(new)))
        for p in others:
            self.assertTrue(pid_alive(p), "a worker that was not killed must keep running")
        self.assertEqual(sorted(srv.workers()), sorted(others + [int(new)]))
        srv.stop()

    def test_crash_loop_is_damped(self):
        srv = Server(self, workers=1).start()
        delays = []
        for i in range(4):
            pid = int(srv.wait_log(r"worker slot 0 generation 1: started pid (\d+)", count=i + 1)[-1])
            wait_until(lambda: pid_alive(pid), 2, what="the new worker")
            os.kill(pid, signal.SIGKILL)
            delay = srv.wait_log(r"pid %d killed by signal 9.*respawning in (\d+) ms" % pid)[-1]
            delays.append(int(delay))
        # Each quick exit doubles the wait: never a busy loop.
        self.assertEqual(delays, [100, 200, 400, 800])
        self.assertIn("crash loop", srv.log())
        srv.wait_log(r"worker slot 0 generation 1: started pid (\d+)", count=5, timeout=5)
        srv.stop()

    def test_reload_starts_a_new_generation_and_refuses_nobody(self):
        srv = Server(self, workers=3).start()
        loop = ConnectLoop(srv)
        loop.start()
        def progress(what):
            # Both kinds of request succeed a few times more under the current generation.
            tcp, http = loop.tcp_ok, loop.http_ok
            wait_until(lambda: loop.tcp_ok >= tcp + 3 and loop.http_ok >= http + 3, 20,
                       what=f"connects and API calls to succeed {what}")
        try:
            progress("before the first reload")
            extra_port = None
            for gen in (2, 3, 4):
                old_workers = srv.workers()
                srv.settings["worker_processes"] = 2 if gen % 2 == 0 else 3
                if gen == 3:  # a listener added by the new configuration
                    from harness import free_port
                    extra_port = free_port()
                    srv.settings["rtmp"]["listen"].append(f"127.0.0.1:{extra_port}")
                srv.write_config()
                srv.signal(signal.SIGHUP)
                srv.wait_log(r"reload done: generation %d serving, generation %d draining"
                             % (gen, gen - 1), timeout=15)
                srv.wait_log(r"generation %d has fully drained" % (gen - 1), timeout=15)
                wait_until(lambda: not any(pid_alive(p) for p in old_workers), 5,
                           what="old workers to exit")
                self.assertEqual(len(srv.workers()), srv.settings["worker_processes"])
                progress(f"under generation {gen}")
            with socket.create_connection(("127.0.0.1", extra_port), timeout=2):
                pass
        finally:
            loop.finish()
        self.assertEqual(loop.failures, [])
        srv.stop()

    def test_removed_listener_is_closed_after_reload(self):
        srv = Server(self, workers=2).start()
        from harness import free_port
        extra = free_port()
        srv.settings["rtmp"]["listen"].append(f"127.0.0.1:{extra}")
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 2")
        socket.create_connection(("127.0.0.1", extra), timeout=2).close()
        srv.settings["rtmp"]["listen"].pop()
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload done: generation 3")
        srv.wait_log(r"generation 2 has fully drained")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", extra), timeout=2)
        socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=2).close()
        srv.stop()

    def test_broken_reload_changes_nothing(self):
        srv = Server(self, workers=3).start()
        before = sorted(srv.workers())
        srv.write_config(text="worker_processes: 2\nrtmp:\n  chunk_size: 10\n  bogus: 1\n")
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload failed with 2 error\(s\); generation 1 keeps running")
        log = srv.log()
        self.assertRegex(log, r"srs\.yaml:3:15: rtmp\.chunk_size: .*128")
        self.assertRegex(log, r"srs\.yaml:4:3: rtmp\.bogus: unknown key")
        self.assertEqual(sorted(srv.workers()), before)
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)
        # YAML that does not parse at all.
        srv.write_config(text="rtmp: [\n")
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload failed with 1 error\(s\)")
        self.assertEqual(sorted(srv.workers()), before)
        srv.stop()

    def test_sigterm_leaves_no_process(self):
        srv = Server(self, workers=3).start()
        with socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=2):
            workers = srv.workers()
            self.assertEqual(len(workers), 3)
            srv.signal(signal.SIGTERM)
            self.assertEqual(srv.wait_exit(10), 0)
        wait_until(lambda: not any(pid_alive(p) for p in workers), 5, what="workers to exit")
        self.assertFalse(os.path.exists(srv.settings["pid_file"]))

    def test_signal_to_the_whole_group_is_a_clean_stop(self):
        """`make run`, then Ctrl-C: the terminal sends SIGINT to the whole
        foreground process group, and the workers may end before the master has
        read its own signal. Their exits are part of the stop: no respawn, no
        warning. SIGTERM to the group (kill -- -PGID, a service manager's
        control group) is the same story."""
        for signo in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=signo.name):
                srv = Server(self, workers=3).start(new_session=True)
                workers = wait_until(lambda: len(srv.workers()) == 3 and srv.workers(), 5,
                                     what="three workers")
                self.assertEqual(sorted(group_members(srv.pid)), sorted([srv.pid] + workers))
                os.killpg(srv.pid, signo)
                self.assertEqual(srv.wait_exit(15), 0)
                wait_until(lambda: not group_members(srv.pid), 10,
                           what=f"every process of group {srv.pid} to exit")
                log = srv.log()
                self.assertNotIn("respawning", log)
                noisy = [l for l in log.splitlines()
                         if re.search(r"\]\[(WARN|ERROR)\]\[", l) and "worker" in l]
                self.assertEqual(noisy, [])
                for pid in workers:
                    self.assertRegex(log, r"\[INFO\]\[%d\]\[\w+\] worker slot \d+ generation 1 "
                                          r"pid %d (exited|killed)" % (srv.pid, pid))
                self.assertIn("all workers and children stopped; master exits", log)

    def test_sigquit_waits_for_clients(self):
        srv = Server(self, workers=2).start()
        client = socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=2)
        srv.wait_log(r"rtmp client 127\.0\.0\.1:\d+ connected")
        srv.signal(signal.SIGQUIT)
        srv.wait_log(r"graceful stop")
        time.sleep(1)
        self.assertIsNone(srv.proc.poll(), "the master must wait for the connected client")
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=2)
        client.close()
        self.assertEqual(srv.wait_exit(10), 0)

    def test_workers_exit_when_the_master_dies(self):
        srv = Server(self, workers=2).start()
        workers = srv.workers()
        srv.proc.kill()
        srv.proc.wait(5)
        srv.wait_log(r"the master is gone", count=2)
        wait_until(lambda: not any(pid_alive(p) for p in workers), 5, what="orphaned workers to exit")

    def test_pid_file_refuses_a_second_instance(self):
        srv = Server(self, workers=1).start()
        second = Server(self, workers=1)
        second.settings["pid_file"] = srv.settings["pid_file"]
        second.write_config()
        r = run([SRS, "-c", second.conf_path], timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"another instance (pid {srv.pid}) owns the pid file", second.log())
        with open(srv.settings["pid_file"]) as f:
            self.assertEqual(int(f.read()), srv.pid)
        srv.stop()

    def test_sigusr1_reopens_the_log(self):
        srv = Server(self, workers=2).start()
        os.rename(srv.log_path, srv.log_path + ".1")
        srv.signal(signal.SIGUSR1)
        wait_until(lambda: os.path.exists(srv.log_path), 5, what="a new log file")
        srv.wait_log(r"log reopened")
        # Worker lines land in the new file too.
        srv.api("/api/v1/versions")
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"worker slot \d+ generation 2 started")
        srv.stop()

    def test_reload_moves_the_log_and_changes_its_level(self):
        srv = Server(self, workers=2).start()
        old_path = srv.log_path

        def closed_lines():
            return len(re.findall(r"\[INFO\]\[\d+\]\[\w+\] rtmp client \S+ closed", srv.log()))

        def rtmp_client_comes_and_goes():
            with socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=2) as s:
                s.sendall(b"\x03" + b"\x00" * 1536)  # C0+C1, then hang up
            time.sleep(0.5)

        # log.file moves: the master and the new generation write to the new file.
        srv.settings["log"] = {"level": "info", "file": os.path.join(srv.dir, "moved.log")}
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.log_path = srv.settings["log"]["file"]
        srv.wait_log(r"reload done: generation 2 serving")
        wait_until(lambda: len(srv.workers()) == 2, 15, what="the old generation to exit")
        with open(old_path) as f:
            self.assertRegex(f.read(), r"log: moving to level info, file \S+/moved\.log")
        srv.wait_log(r"worker slot \d+ generation 2 started", count=2)
        rtmp_client_comes_and_goes()
        self.assertEqual(closed_lines(), 1, "an INFO line at level info")
        # log.level: warn hides the next client's INFO lines.
        srv.settings["log"]["level"] = "warn"
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"log: moving to level warn")
        wait_until(lambda: srv.api("/api/v1/reload")["data"]["reloads_ok"] == 2, 15,
                   what="the second reload")
        wait_until(lambda: len(srv.workers()) == 2, 15, what="the old generation to exit")
        rtmp_client_comes_and_goes()
        self.assertEqual(closed_lines(), 1, "no INFO line at level warn")
        # A broken log.file keeps everything as it was.
        srv.settings["log"] = {"level": "info", "file": os.path.join(srv.dir, "no/such/dir/x.log")}
        srv.write_config()
        srv.signal(signal.SIGHUP)
        srv.wait_log(r"reload failed: cannot open log\.file \S+/no/such/dir/x\.log")
        rtmp_client_comes_and_goes()
        self.assertEqual(closed_lines(), 1)
        srv.stop()

    def test_daemon_mode(self):
        srv = Server(self, workers=2, extra={"daemon": True})
        r = run([SRS, "-c", srv.conf_path], timeout=15, cwd=srv.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        pid_path = srv.settings["pid_file"]
        def pid_written():
            try:
                with open(pid_path) as f:
                    return f.read().strip()
            except OSError:
                return ""
        wait_until(pid_written, 10, what="the daemon's pid file")
        with open(pid_path) as f:
            pid = int(f.read())
        self.addCleanup(lambda: pid_alive(pid) and os.kill(pid, signal.SIGKILL))
        srv.wait_log(r"generation 1 ready")
        self.assertTrue(pid_alive(pid))
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)
        # Detached: not our child, in a session of its own (double fork).
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().split(") ", 1)[1].split()
        self.assertNotEqual(int(fields[1]), os.getpid())
        self.assertNotEqual(int(fields[3]), os.getsid(0), "the daemon left our session")
        # A second daemon on the same pid file says who owns it, before detaching.
        second = run([SRS, "-c", srv.conf_path], timeout=15, cwd=srv.dir)
        self.assertEqual(second.returncode, 1)
        self.assertIn(f"another instance (pid {pid}) owns the pid file", second.stderr)
        with open(pid_path) as f:
            self.assertEqual(int(f.read()), pid, "the refused daemon left the pid file alone")
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not pid_alive(pid), 10, what="the daemon to stop")
        self.assertFalse(os.path.exists(pid_path))

    def test_workers_drop_to_the_configured_user(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")
        srv = Server(self, workers=2, extra={"user": "nobody"})
        os.chmod(srv.dir, 0o755)
        srv.start()
        workers = wait_until(lambda: len(srv.workers()) == 2 and srv.workers(), 5, what="workers")
        import pwd
        nobody = pwd.getpwnam("nobody").pw_uid
        for p in workers:
            with open(f"/proc/{p}/status") as f:
                uid = [l for l in f if l.startswith("Uid:")][0].split()[1:]
            self.assertEqual({int(u) for u in uid}, {nobody}, f"worker {p} runs as {uid}")
        with open(f"/proc/{srv.pid}/status") as f:
            self.assertIn("Uid:\t0", f.read(), "the master keeps root to bind new ports on reload")
        self.assertEqual(srv.api("/api/v1/versions")["code"], 0)
        srv.stop()

    def test_ipv6_listener(self):
        if not socket.has_ipv6:
            self.skipTest("no IPv6")
        try:
            socket.socket(socket.AF_INET6).bind(("::1", 0))
        except OSError:
            self.skipTest("no IPv6 loopback")
        from harness import free_port
        port = free_port()
        srv = Server(self, workers=1, extra={"http_api": {"listen": [f"[::1]:{port}"]}})
        srv.api_port = port
        srv.start()
        r = run(["curl", "-sS", "-g", f"http://[::1]:{port}/api/v1/versions"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"code":0', r.stdout)
        srv.stop()


class CommandLineTest(unittest.TestCase):
    def test_version(self):
        r = run([SRS, "-V"])
        self.assertEqual(r.returncode, 0)
        for word in ("compiler:", "flags:", "libevent:", "openssl:", "yaml-cpp:", "allocator:"):
            self.assertIn(word, r.stdout)

    def test_check_the_embedded_and_reference_configurations(self):
        self.assertEqual(run([SRS, "-t"]).returncode, 0)
        ref = os.path.join(os.path.dirname(SRS), "..", "etc", "srs.yaml")
        r = run([SRS, "-t", "-c", ref])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("is valid", r.stdout)

    def test_check_prints_the_shared_memory_and_refuses_what_dev_shm_cannot_hold(self):
        board = os.path.join(os.path.dirname(SRS), "..", "etc", "srs-board.yaml")
        r = run([SRS, "-t", "-c", board])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"this configuration maps at most 3\d\.\d MiB of shared memory "
                                   r"\(8 stream rings of 4\.1 MiB in /dev/shm, \d+\.\d MiB of tables\)")
        self.assertIn("is valid", r.stdout)
        # 65536 rings of 1 GiB: no /dev/shm holds 64 TiB. Checked, and refused at start.
        srv = Server(self, workers=1, extra={"shm": {"max_streams": 65536, "ring_bytes": "1GiB"}})
        for args in (["-t", "-c", srv.conf_path], ["-c", srv.conf_path]):
            r = run([SRS] + args, timeout=15, cwd=srv.dir)
            self.assertEqual(r.returncode, 1, (args, r.stdout, r.stderr))
            self.assertRegex(r.stderr, r"shm: 65536 stream rings of 1024\.\d MiB need 671\d{5}\.\d MiB "
                                       r"but /dev/shm holds \d+\.\d MiB: lower shm\.max_streams")
        self.assertFalse(os.path.exists(srv.settings["pid_file"]))

    def test_check_reports_every_error_with_its_position(self):
        srv = Server(self, workers=1)
        srv.write_config(text="worker_processes: lots\nrtmp:\n  listen: [1935, 1935]\nbogus: true\n")
        r = run([SRS, "-t", "-c", srv.conf_path])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"srs\.yaml:1:19: worker_processes: ")
        self.assertRegex(r.stderr, r"srs\.yaml:3:\d+: rtmp\.listen\[1\]: .*")
        self.assertRegex(r.stderr, r"srs\.yaml:4:1: bogus: unknown key")
        self.assertIn("3 error(s)", r.stderr)

    def test_unreadable_file(self):
        r = run([SRS, "-t", "-c", "/nonexistent/srs.yaml"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/srs.yaml", r.stderr)
        self.assertIn("No such file", r.stderr)

    def test_unknown_option(self):
        r = run([SRS, "-x"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option", r.stderr)


if __name__ == "__main__":
    unittest.main()
