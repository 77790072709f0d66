"""Exec (issue #12): vhosts.NAME.exec.on_publish and on_unpublish commands
run once when a stream starts and once when it ends, split into words
(quotes group words) with [vhost] [app] [stream] [host] [port] replaced in
each word, and no shell: a stream name full of shell syntax is one word to
the program. Real clients: ffmpeg publishes; /usr/bin/touch and
/usr/bin/mkdir leave files that tell what ran, with which arguments."""
import os
import re
import shutil
import tempfile
import unittest

import children_fixtures as cf
from harness import publish, scalar, wait_until

TOUCH = "/usr/bin/touch"
MKDIR = "/usr/bin/mkdir"


class ExecTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="srs-exec-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def at(self, name):
        return os.path.join(self.dir, name)

    def wait_file(self, name, timeout=15):
        wait_until(lambda: os.path.exists(self.at(name)), timeout,
                   what=f"{name} in {self.dir} (has {sorted(os.listdir(self.dir))})")

    def test_on_publish_and_on_unpublish_run_once_with_the_templates(self):
        d = self.dir
        srv = cf.server(self, vhost={"exec": {
            # mkdir fails if it runs twice for the same stream: the log would say so.
            "on_publish": [f"{MKDIR} {d}/pub-[app]-[stream]",
                           f"{TOUCH} '{d}/pub [vhost] [host]:[port]' \"{d}/two words\""],
            "on_unpublish": [f"{MKDIR} {d}/unpub-[app]-[stream]"]}}).start()
        pub = publish(self, srv, "live/cam", seconds=6)
        self.wait_file("pub-live-cam")
        self.wait_file(f"pub {cf.VHOST} 127.0.0.1:{srv.rtmp_port}")
        self.wait_file("two words")
        self.assertTrue(pub.alive(), "on_publish ran while the stream was live")
        self.assertFalse(os.path.exists(self.at("unpub-live-cam")), "on_unpublish before the end")
        srv.wait_log(r"child exec on_publish " + re.escape(f"{cf.VHOST}/live/cam") + r" pid \d+ "
                     r"started: " + re.escape(f"{MKDIR} {d}/pub-live-cam"))

        pub.wait(30)
        self.wait_file("unpub-live-cam")
        # Once each: one start line per command and event; every one exited 0.
        srv.wait_log(r"child exec on_unpublish \S+ pid \d+ exited with status 0")
        log = srv.log()

        def count(event, what):
            rx = r"child exec " + event + " " + re.escape(f"{cf.VHOST}/live/cam") + r" pid \d+ "
            return len(re.findall(rx + what, log))

        self.assertEqual(count("on_publish", "started: "), 2)
        self.assertEqual(count("on_unpublish", "started: "), 1)
        self.assertEqual(count("on_publish", r"exited with status 0\b"), 2)
        self.assertNotRegex(log, r"child exec \S+ \S+ pid \d+ exited with status [1-9]")
        self.assertEqual(sorted(os.listdir(self.dir)),
                         sorted(["pub-live-cam", f"pub {cf.VHOST} 127.0.0.1:{srv.rtmp_port}",
                                 "two words", "unpub-live-cam"]))

    def test_no_shell_reads_a_stream_name(self):
        d = self.dir
        srv = cf.server(self, vhost={"exec": {
            "on_publish": [f"{TOUCH} {d}/pub-[stream]"],
            "on_unpublish": [f"{TOUCH} {d}/unpub-[stream]"]}}).start()
        # A shell would run these (in its working directory, the master's).
        names = ["a$(touch${IFS}pwned1)", "b;touch${IFS}pwned2", "c`touch${IFS}pwned3`",
                 "d|touch${IFS}pwned4"]
        for name in names:
            publish(self, srv, f"live/{name}", seconds=2).wait(30)
        for name in names:
            with self.subTest(stream=name):
                # The whole name reached touch as one argument, quoted by nobody.
                self.wait_file(f"pub-{name}")
                self.wait_file(f"unpub-{name}")
        master_cwd = os.readlink(f"/proc/{srv.pid}/cwd")
        for where in {self.dir, srv.dir, master_cwd}:
            pwned = [f for f in os.listdir(where) if f.startswith("pwned")]
            self.assertEqual(pwned, [], f"a shell ran a stream name's commands in {where}")

    def test_a_program_that_cannot_start_is_logged(self):
        srv = cf.server(self, vhost={"exec": {"on_publish": [
            f"{self.dir}/no-such-program [stream]", f"{TOUCH} {self.dir}/ran-[stream]"]}}).start()
        publish(self, srv, "live/cam", seconds=60)
        self.wait_file("ran-cam")  # the next command runs all the same
        srv.wait_log(r"\[ERROR\].*child exec on_publish " + re.escape(f"{cf.VHOST}/live/cam")
                     + r": execvp\(" + re.escape(f"{self.dir}/no-such-program") + r"\) failed "
                     r"\(2: No such file or directory\)")
        cf.wait_live(srv, "live", "cam")

    def test_configuration_errors(self):
        srv = cf.server(self)
        _, r = cf.check_config(srv, {"exec": {
            "on_publish": [f"{TOUCH} '{self.dir}/[app] [stream]'"],
            "on_unpublish": [f"{TOUCH} [vhost]-[host]-[port]"]}})
        self.assertEqual(r.returncode, 0, r.stderr)
        path = f"vhosts.{cf.VHOST}.exec."
        for key, command, message in (
                ("on_publish", f"{TOUCH} '{self.dir}/x", "a ' quote is never closed"),
                ("on_unpublish", f'{TOUCH} "{self.dir}/x', 'a " quote is never closed'),
                ("on_publish", f"{TOUCH} {self.dir}/[engine]", "unknown template '[engine]'"),
                ("on_unpublish", "", "expected a command, got nothing")):
            with self.subTest(key=key, command=command):
                text, r = cf.check_config(srv, {"exec": {key: [command]}})
                cf.assert_config_error(self, text, r, path + key + "[0]", message,
                                       f"- {scalar(command)}")


if __name__ == "__main__":
    unittest.main()
