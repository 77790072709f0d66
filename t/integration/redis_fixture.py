"""A redis-server of the tests' own, for the origin cluster's directory
(origin_cluster.directory): on a free 127.0.0.1 port, no persistence, stopped
by pid. redis-cli talks to it."""
import os
import shutil
import subprocess
import tempfile

import harness
from harness import ClassScope, free_port, run, wait_until


class RedisServer:
    """Our own redis-server on a free 127.0.0.1 port, no persistence; stopped
    (SIGKILL, as a crash) and started again on the same port by pid, and at
    the latest by scope's cleanup."""

    def __init__(self, scope):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="srs-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        scope.addCleanup(self.cleanup)

    def start(self):
        log = open(os.path.join(self.dir, "redis.log"), "a")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        harness._started_pids.add(self.proc.pid)
        wait_until(lambda: self.cli("PING") == "PONG", 10, what="redis-server to answer")
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if not self.alive():
            return
        self.proc.kill()
        self.proc.wait(5)

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args):
        """redis-cli with args: its answer, stripped; None when it failed."""
        r = run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args], timeout=10)
        return r.stdout.strip() if r.returncode == 0 else None


class RedisFixture:
    """A unittest.TestCase mixin: one redis-server (a redis_class) for the
    whole class, running and empty at the start of each test."""

    redis_class = RedisServer

    @classmethod
    def setUpClass(cls):
        cls.redis = cls.redis_class(ClassScope(cls)).start()

    def setUp(self):
        if not self.redis.alive():
            self.redis.start()
        self.redis.cli("FLUSHALL")
