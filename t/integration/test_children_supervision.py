"""Supervision of the master's children (issue #12): every ffmpeg is the
master's child, in a process group of its own, killed with it (its death
signal); a worker that dies leaves none behind and the children it served
come back; ffmpeg.log_dir gives each child a log file that SIGUSR1 reopens.
Real clients: ffmpeg publishes, ffprobe plays; /proc tells the processes
(which ffmpeg carries this server's RTMP address, and whose child it is), the
API the children. Every process the test starts is stopped by pid."""
import os
import re
import shutil
import signal
import tempfile
import unittest

import children_fixtures as cf
from harness import (Probe, free_port, only_worker_accepting, pid_alive, publish, size_of,
                     wait_until)

# A long grace: a stream whose publisher died waits for it, and so does its transcoder.
GRACE = "30s"
TRANSCODE = {"transcode": {"enabled": True, "engines": {"small": cf.SMALL}}}


class SupervisionTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="srs-children-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def ingest(self, **more):
        return {"clip": dict({"input": cf.make_clip(self.dir), "loop": True,
                              "stream": "live/clip"}, **more)}

    def assert_no_orphan(self, srv):
        """Every ffmpeg carrying srv's port, but the test's own, is the master's child."""
        found = cf.server_ffmpegs(srv)
        self.assertEqual({pid: srv.pid for pid in found}, found,
                         f"ffmpeg processes that are not the master's ({srv.pid}) children")
        return found

    def assert_small(self, srv):
        streams = Probe(cf.rtmp_url(srv, "live/clip_small")).streams(timeout=25)
        self.assertEqual(cf.codecs(streams), {"video": ("h264", 320, 180),
                                              "audio": ("aac", None, None)}, streams)

    def assert_isolated(self, pid):
        """A child inherits no listening socket and no shared memory of the
        server's; its stdin is /dev/null."""
        files = cf.open_files(pid)
        self.assertEqual(files.get(0), "/dev/null", files)
        listening = cf.listening_inodes()
        for fd, target in files.items():
            self.assertNotIn(target.removeprefix("socket:[").rstrip("]"), listening,
                             f"fd {fd} of {pid} is a listening socket: {files}")
            self.assertFalse(target.startswith(("/dev/shm/", "/memfd:")) or "memfd:" in target,
                             f"fd {fd} of {pid} is shared memory: {files}")

    def test_children_are_isolated_and_die_with_the_master(self):
        # An ingest, and a transcode of what it publishes: two ffmpeg children.
        vhost = dict(TRANSCODE, ingest=self.ingest())
        srv = cf.server(self, vhost=vhost, grace=GRACE).start()
        cf.wait_live(srv, "live", "clip_small")
        kids = [cf.wait_child(srv, "ingest", "clip"), cf.wait_child(srv, "transcode", "small")]
        pids = {c["pid"] for c in kids}
        self.assertEqual(set(self.assert_no_orphan(srv)), pids,
                         "the API lists every ffmpeg of the server")
        for pid in pids:
            with self.subTest(pid=pid):
                self.assertEqual(os.getpgid(pid), pid, "a child leads a process group of its own")
                self.assertEqual(cf.proc_stat(pid)[1], srv.pid)
                self.assert_isolated(pid)
        workers = srv.workers()
        cf.kill_at_cleanup(self, workers + sorted(pids))

        srv.signal(signal.SIGKILL)
        srv.wait_exit(5)
        wait_until(lambda: not any(pid_alive(p) for p in pids), 10,
                   what=f"the master's ffmpeg children {sorted(pids)} to die with it")
        self.assertEqual(cf.ffmpegs_of(srv), {}, "an ffmpeg of the server outlived the master")

    def test_a_killed_child_comes_back_at_once_after_a_run_that_lasted(self):
        clip = self.ingest()
        per_second = cf.packets_in(clip["clip"]["input"]) / 2  # make_clip: 2 s
        srv = cf.server(self, workers=1, vhost={"ingest": clip},
                        extra={"log": {"summary_interval": "1s"}}).start()
        first = cf.wait_child(srv, "ingest", "clip")
        name = re.escape(f"{cf.VHOST}/clip")

        def next_publish(before):
            """Until the stream is live from a later publish (generation) than
            `before`'s, with a second of media; returns it."""

            def ok():
                now = cf.stream(srv, "live", "clip")
                later = cf.is_live(now) and now["generation"] > before["generation"]
                return now if later and now["messages"] > per_second else None

            return wait_until(ok, 20, interval=0.2,
                              what=f"live/clip published after generation {before['generation']}")

        # A run of more than 10 s (11 s of media published), then SIGKILL:
        # started again at once.
        s = cf.wait_live(srv, "live", "clip", more_than=11 * per_second, timeout=40)
        os.kill(first["pid"], signal.SIGKILL)
        srv.wait_log(rf"child ingest {name} pid {first['pid']} killed by signal 9 \(Killed\)"
                     r"(?: \(its last line: [^\n]*\))?; restarting in 0 ms")
        second = cf.wait_child(srv, "ingest", "clip", check=lambda c: c["pid"] != first["pid"],
                               what="with a new pid")
        self.assertEqual((second["id"], second["restarts"]), (first["id"], 1), second)
        self.assertTrue(second["last_exit"].startswith("killed by signal 9 (Killed)"), second)

        # A quick exit next (a run of a second): a second's wait.
        s = next_publish(s)
        os.kill(second["pid"], signal.SIGKILL)
        srv.wait_log(rf"child ingest {name} pid {second['pid']} killed by signal 9 [^\n]*; "
                     r"restarting in 1000 ms")
        third = cf.wait_child(srv, "ingest", "clip", what="again",
                              check=lambda c: c["pid"] not in (0, first["pid"], second["pid"]))
        self.assertEqual(third["restarts"], 2, third)
        next_publish(s)
        self.assert_no_orphan(srv)

        # The worker's summary of the stream, published again into its slot, stays sane.
        with self.subTest("the summary's kbps of a stream published again"):
            rx = r"stream " + re.escape(f"{cf.VHOST}/live/clip") + r": in (\d+) kbps"
            lines = srv.wait_log(rx, count=len(re.findall(rx, srv.log())) + 1)
            self.assertLess(max(int(k) for k in lines), 100000,
                            "the summary's stream kbps after the ingest published again")

    def test_worker_sigkill_restarts_the_ingest(self):
        srv = cf.server(self, vhost={"ingest": self.ingest()}, grace=GRACE).start()
        clip = cf.wait_live(srv, "live", "clip")
        before = cf.wait_child(srv, "ingest", "clip")
        worker = clip["worker_pid"]
        self.assertIn(worker, srv.workers())

        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: not pid_alive(worker), 5, what=f"worker {worker} to die")
        # The ingest lost its publish: it exits and comes back, a new pid;
        # never an ffmpeg outside the master's children.
        after = cf.wait_child(srv, "ingest", "clip", timeout=30, what="restarted",
                              check=lambda c: c["restarts"] >= 1 and c["pid"] != before["pid"])
        self.assert_no_orphan(srv)
        self.assertFalse(pid_alive(before["pid"]), before)
        self.assertEqual(after["id"], before["id"], (before, after))
        srv.wait_log(r"child ingest " + re.escape(f"{cf.VHOST}/clip pid {before['pid']} exited "))
        s = cf.wait_live(srv, "live", "clip", timeout=30)
        cf.wait_live(srv, "live", "clip", more_than=s["messages"] + 100)
        self.assertEqual(cf.stream(srv, "live", "clip")["ingest"]["pid"], after["pid"])
        streams = Probe(cf.rtmp_url(srv, "live/clip")).streams(timeout=25)
        self.assertEqual(cf.codecs(streams), {"video": ("h264", 320, 240),
                                              "audio": ("aac", None, None)}, streams)
        self.assert_no_orphan(srv)

    def test_worker_sigkill_restarts_the_transcode(self):
        srv = cf.server(self, vhost=TRANSCODE, grace=GRACE).start()
        workers = srv.workers()
        self.assertEqual(len(workers), 2, workers)
        worker = workers[0]
        # The publisher and both ends of the transcoder on one worker: only it accepts.
        with only_worker_accepting(srv, worker):
            publish(self, srv, "live/clip", seconds=120)
            cf.wait_live(srv, "live", "clip_small", timeout=30)
            before = cf.wait_child(srv, "transcode", "small")
        for name in ("clip", "clip_small"):
            self.assertEqual(cf.stream(srv, "live", name)["worker_pid"], worker)

        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: not pid_alive(worker), 5, what=f"worker {worker} to die")
        # The input's publisher went with the worker; a new one comes. The
        # transcoder lost both its connections: it exits and comes back.
        publish(self, srv, "live/clip", seconds=120)
        after = cf.wait_child(srv, "transcode", "small", timeout=40, what="restarted",
                              check=lambda c: c["restarts"] >= 1 and c["pid"] != before["pid"])
        self.assert_no_orphan(srv)
        self.assertFalse(pid_alive(before["pid"]), before)
        self.assertEqual(after["id"], before["id"], (before, after))
        s = cf.wait_live(srv, "live", "clip_small", timeout=40)
        cf.wait_live(srv, "live", "clip_small", more_than=s["messages"] + 100)
        small = cf.stream(srv, "live", "clip_small")
        self.assertEqual(small["transcoder"]["pid"], cf.the_child(srv, "transcode", "small")["pid"])
        self.assert_small(srv)
        self.assert_no_orphan(srv)

    def test_log_dir_has_a_file_per_child_reopened_on_sigusr1(self):
        logs = os.path.join(self.dir, "ffmpeg-logs")
        os.makedirs(logs)
        # showinfo writes a line per frame at ffmpeg's info level: the file grows all along.
        info = dict(cf.SMALL, size="160x120", filters="showinfo", acodec="copy")
        vhost = {"transcode": {"engines": {"info": info}},
                 "ingest": self.ingest(engine="info"),
                 "exec": {"on_publish": ["/bin/echo published [app]/[stream]"]}}
        srv = cf.server(self, vhost=vhost, ffmpeg={"log_dir": logs, "log_level": "info"}).start()
        cf.wait_live(srv, "live", "clip")
        c = cf.wait_child(srv, "ingest", "clip")
        path = os.path.join(logs, f"ffmpeg-ingest-{cf.VHOST}-clip.log")
        wait_until(lambda: size_of(path) > 2000, 20,
                   what=f"{path} to fill (has {os.listdir(logs)})")
        exec_log = os.path.join(logs, "exec.log")
        wait_until(lambda: size_of(exec_log) > 0, 10, what=f"{exec_log}")
        with open(exec_log) as f:
            self.assertEqual(f.read(), "published live/clip\n")
        self.assertEqual(sorted(os.listdir(logs)), sorted([os.path.basename(path), "exec.log"]))
        with open(path, errors="replace") as f:
            text = f.read()
        self.assertIn("Parsed_showinfo", text)
        self.assertIn("Input #0", text)
        self.assertNotRegex(srv.log(), r"\] ingest " + re.escape(f"{cf.VHOST}/clip: "),
                            "ffmpeg's lines go to its file, not to the server's log")

        # Renamed (as logrotate does), then SIGUSR1: a new file, that grows;
        # the old one no longer does; the same ffmpeg writes both.
        old = path + ".1"
        os.rename(path, old)
        srv.signal(signal.SIGUSR1)
        srv.wait_log(r"log reopened")
        wait_until(lambda: size_of(path) > 0, 10, what=f"a new {path}")
        kept = size_of(old)
        wait_until(lambda: size_of(path) > 2000, 10, what=f"the new {path} to grow")
        self.assertEqual(size_of(old), kept, "the renamed file still grows")
        self.assertEqual(cf.the_child(srv, "ingest", "clip")["pid"], c["pid"])
        self.assertEqual(cf.the_child(srv, "ingest", "clip")["restarts"], 0)
        with open(path, errors="replace") as f:
            self.assertIn("Parsed_showinfo", f.read())

    def test_log_dir_dev_null_discards_the_lines(self):
        dead = f"rtmp://127.0.0.1:{free_port()}/live/gone"
        srv = cf.server(self, workers=1, ffmpeg={"log_dir": "/dev/null"},
                        vhost={"ingest": {"gone": {"input": dead, "stream": "live/gone"}}}).start()
        exits = srv.wait_log(r"child ingest " + re.escape(f"{cf.VHOST}/gone") + r" pid \d+ "
                             r"(exited with status 1[^\n]*); restarting in \d+ ms", count=2)
        # ffmpeg said why (Connection refused) to /dev/null: nobody heard it.
        self.assertEqual(exits[:2], ["exited with status 1"] * 2)
        self.assertNotRegex(srv.log(), r"\] ingest " + re.escape(f"{cf.VHOST}/gone: "))
        c = cf.wait_child(srv, "ingest", "gone", state="waiting")
        self.assertEqual(c["last_exit"], "exited with status 1", c)


if __name__ == "__main__":
    unittest.main()
