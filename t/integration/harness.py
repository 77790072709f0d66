"""Integration test harness: the real server on free loopback ports, driven by
real clients, each test in its own temporary directory, every process it
starts stopped by pid, every wait bounded in time.

    srv = Server(self, workers=3)           # writes srs.yaml, picks free ports
    srv.start()                             # waits until the generation is ready
    srv.api("/api/v1/versions")             # JSON through curl
    srv.stop()                              # SIGTERM, then SIGKILL what is left

Environment: SRS_BUILD (default build/) names the build directory;
SRS_LAUNCHER, a command the server is started through (a board's build runs
under "qemu-arm -L build-armhf/sysroot").
"""
import atexit
import contextlib
import glob
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("SRS_BUILD", "build"))
SRS = os.path.join(BUILD, "srs")
LAUNCHER = shlex.split(os.environ.get("SRS_LAUNCHER", ""))

_started_pids = set()


def _kill_leftovers():
    for pid in list(_started_pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


atexit.register(_kill_leftovers)


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remove_rings(master_pid):
    """Unlinks the stream rings a killed master left in /dev/shm (one file per
    stream, named srs.PID.RANDOM.SLOT.EPOCH; a master that exits removes its own)."""
    for path in glob.glob(f"/dev/shm/srs.{master_pid}.*"):
        with contextlib.suppress(OSError):
            os.unlink(path)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def cmdline(pid):
    """/proc/PID/cmdline as bytes, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return None


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def need_tools(*tools):
    """Skips the test class (unittest.SkipTest) unless every command in tools is installed."""
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        raise unittest.SkipTest(f"not installed: {', '.join(missing)}")


class ClassScope:
    """What Server and Proc register their cleanups on, for what a whole class
    shares (servers, publishers): stopped after its last test."""

    def __init__(self, cls):
        self.addCleanup = cls.addClassCleanup


def make_folder(cls, prefix):
    """A temporary folder for the test class cls, removed after its last test
    (kept with SRS_KEEP_TMP)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    if not os.environ.get("SRS_KEEP_TMP"):
        cls.addClassCleanup(shutil.rmtree, folder, True)
    return folder


def to_yaml(value, indent=0):
    """A tiny YAML emitter for nested dicts, lists and scalars (no PyYAML in the stdlib)."""
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(v, indent + 1))
            else:
                lines.append(f"{pad}{k}: {scalar(v)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict):
                inner = to_yaml(v, indent + 1).lstrip()
                lines.append(f"{pad}- {inner}")
            else:
                lines.append(f"{pad}- {scalar(v)}")
    return "\n".join(lines)


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return json.dumps(str(v))


def run(cmd, timeout=30, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, **kw)


class Server:
    """One srs master with its workers, on free 127.0.0.1 ports, in a temp dir."""

    api_host = "127.0.0.1"  # where api() asks

    def __init__(self, test, workers=3, extra=None):
        self.test = test
        self.dir = tempfile.mkdtemp(prefix="srs-test-")
        test.addCleanup(self.cleanup)
        self.rtmp_port = free_port()
        self.http_port = free_port()
        self.api_port = free_port()
        self.log_path = os.path.join(self.dir, "srs.log")
        self.conf_path = os.path.join(self.dir, "srs.yaml")
        self.settings = {
            "worker_processes": workers,
            "pid_file": os.path.join(self.dir, "srs.pid"),
            "log": {"level": "info", "file": self.log_path},
            "rtmp": {"listen": [f"127.0.0.1:{self.rtmp_port}"]},
            "http_server": {"listen": [f"127.0.0.1:{self.http_port}"],
                            "dir": os.path.join(self.dir, "html")},
            "http_api": {"listen": [f"127.0.0.1:{self.api_port}"]},
            "shm": {"max_streams": 16, "ring_bytes": "4MiB", "max_clients": 256},
        }
        if extra:
            merge(self.settings, extra)
        self.write_config()
        self.proc = None

    # --- configuration --------------------------------------------------------

    def write_config(self, settings=None, text=None):
        body = text if text is not None else to_yaml(settings or self.settings) + "\n"
        tmp = self.conf_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(body)
        os.replace(tmp, self.conf_path)

    # --- process control ------------------------------------------------------

    def start(self, wait=True, new_session=False, env=None):
        """new_session: the master leads a session and process group of its own,
        so that os.killpg(srv.pid, sig) reaches it and its workers, as a
        terminal's Ctrl-C reaches a foreground job. env: variables added to the
        server's environment (LD_PRELOAD of a test shim...)."""
        stderr = open(os.path.join(self.dir, "stderr.txt"), "w")
        self.test.addCleanup(stderr.close)
        self.proc = subprocess.Popen(LAUNCHER + [SRS, "-c", self.conf_path], cwd=self.dir,
                                     stdout=stderr, stderr=subprocess.STDOUT,
                                     start_new_session=new_session,
                                     env=dict(os.environ, **env) if env else None)
        _started_pids.add(self.proc.pid)
        if wait:
            try:
                self.wait_log(r"generation 1 ready", timeout=15)
            except AssertionError as e:
                code = self.proc.poll()
                state = "still running" if code is None else f"exited with status {code}"
                raise AssertionError(f"{e}\nthe master is {state}; its stderr:\n"
                                     f"{self.stderr_text()[-3000:]}") from None
        return self

    def stderr_text(self):
        """What the server wrote before its log file was open (a refusal to start)."""
        try:
            with open(os.path.join(self.dir, "stderr.txt"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    @property
    def pid(self):
        return self.proc.pid

    def signal(self, signo):
        os.kill(self.proc.pid, signo)

    def workers(self):
        """Live worker pids: the master's children that run its own command line
        (not the ffmpeg and exec children it also runs)."""
        master = cmdline(self.proc.pid)
        pids = [p for p in children_of(self.proc.pid) if pid_alive(p) and cmdline(p) == master]
        for p in pids:
            _started_pids.add(p)
        return pids

    def wait_exit(self, timeout=10):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"srs master {self.proc.pid} still running after {timeout}s")

    def stop(self, timeout=10):
        if not self.proc or self.proc.poll() is not None:
            return
        workers = self.workers()
        self.signal(signal.SIGTERM)
        self.wait_exit(timeout)
        wait_until(lambda: not any(pid_alive(p) for p in workers), 5, what="workers to exit")

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            workers = self.workers()
            for p in workers:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            self.proc.kill()
            deadline = time.monotonic() + 5
            while any(pid_alive(p) for p in workers) and time.monotonic() < deadline:
                time.sleep(0.01)
            # Unreaped, the killed master keeps its pid: the rings named after it are its own.
            remove_rings(self.proc.pid)
            self.proc.wait(5)
        elif self.proc and not pid_alive(self.proc.pid):
            remove_rings(self.proc.pid)  # a master the test killed (a clean exit removed its own)
        if os.environ.get("SRS_KEEP_TMP"):
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- observation ----------------------------------------------------------

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=10, count=1):
        """Waits until `pattern` (a regex) matches `count` times in the log; returns the matches."""
        rx = re.compile(pattern)

        def found():
            m = rx.findall(self.log())
            return m if len(m) >= count else None

        try:
            return wait_until(found, timeout, what=f"log line /{pattern}/")
        except AssertionError:
            tail = self.log()[-3000:]
            raise AssertionError(f"timed out waiting for /{pattern}/ in the log; tail:\n{tail}")

    def api(self, path, port=None, timeout=5):
        """GET through curl; returns the decoded JSON."""
        url = f"http://{self.api_host}:{port or self.api_port}{path}"
        r = run(["curl", "-sS", "--max-time", str(timeout), url], timeout=timeout + 5)
        if r.returncode != 0:
            raise AssertionError(f"curl {url} failed ({r.returncode}): {r.stderr.strip()}")
        return json.loads(r.stdout)


class HostServer(Server):
    """A Server with its RTMP, HTTP and API listeners on `host` (127.0.0.N), asked there."""

    def __init__(self, test, host, workers=1):
        super().__init__(test, workers=workers)
        self.host = self.api_host = host
        self.settings["rtmp"]["listen"] = [f"{host}:{self.rtmp_port}"]
        self.settings["http_server"]["listen"] = [f"{host}:{self.http_port}"]
        self.settings["http_api"]["listen"] = [f"{host}:{self.api_port}"]

    def metrics_text(self):
        """The text of /metrics on this server's address (test_api.parse_metrics reads it)."""
        url = f"http://{self.host}:{self.api_port}/metrics"
        r = run(["curl", "-sS", "--max-time", "5", url], timeout=15)
        if r.returncode != 0:
            raise AssertionError(f"curl {url} failed: {r.stderr.strip()}")
        return r.stdout


def merge(base, extra):
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v)
        else:
            base[k] = v


# --- real clients ------------------------------------------------------------

class Proc:
    """A client process (ffmpeg, rtmpdump...) stopped by pid at cleanup."""

    def __init__(self, test, cmd, log_path, **kw):
        self.log_path = log_path
        self.log_file = open(log_path, "w")
        self.p = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, **kw)
        _started_pids.add(self.p.pid)
        test.addCleanup(self.stop)

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.p.args[0]} still running after {timeout}s")

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)
        self.log_file.close()

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


def publish(test, srv, stream="live/cam", seconds=60, extra=None, size="320x240"):
    """ffmpeg publishing a test pattern: H.264 (keyframe every 2 s) + AAC, in real time."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
           "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
           "-t", str(seconds),
           "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-threads", "1",
           "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
           "-c:a", "aac", "-ac", "2", "-f", "flv", f"rtmp://127.0.0.1:{srv.rtmp_port}/{stream}"]
    if extra:
        cmd[-3:-3] = extra
    name = stream.replace("/", "_").replace("?", "_")[:40]
    return Proc(test, cmd, os.path.join(srv.dir, f"publish-{name}-{time.monotonic_ns()}.log"))


def publish_to(scope, srv, url, seconds, gop):
    """ffmpeg publishing a test pattern (H.264 320x240 with a keyframe every
    `gop` frames, stereo AAC at 44.1 kHz) in real time to url; its log in srv.dir."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
           "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", str(seconds),
           "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-threads", "1",
           "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
           "-c:a", "aac", "-ac", "2", "-f", "flv", url]
    return Proc(scope, cmd, os.path.join(srv.dir, f"publish-{time.monotonic_ns()}.log"))


def wait_publishing(srv):
    """Until live/cam is published with both codecs known (its sequence headers
    arrived), so that a player gets both streams."""
    srv.wait_log(r"rtmp publish __defaultVhost__/live/cam", timeout=15)
    wait_until(lambda: [s for s in srv.api("/api/v1/streams")["streams"]
                        if s["video"] and s["audio"]], 15, what="the stream with its codecs")


def decoded_frames(test, url, seconds):
    """ffmpeg decodes `seconds` of url: asserts it exits 0 reporting no error;
    returns the frames it decoded."""
    r = run(["ffmpeg", "-hide_banner", "-v", "error", "-i", url, "-t", str(seconds),
             "-progress", "pipe:1", "-f", "null", "-"], timeout=30)
    test.assertEqual(r.returncode, 0, r.stderr)
    test.assertEqual(r.stderr.strip(), "", "the decoder reported errors")
    return int(re.findall(r"frame=(\d+)", r.stdout)[-1])


def rtmpdump(test, srv, stream="live/cam", path=None):
    """rtmpdump playing live into a file; returns (proc, path)."""
    path = path or os.path.join(srv.dir, f"dump-{time.monotonic_ns()}.flv")
    cmd = ["rtmpdump", "-q", "-v", "-r", f"rtmp://127.0.0.1:{srv.rtmp_port}/{stream}", "-o", path]
    return Proc(test, cmd, path + ".log"), path


class Probe:
    """ffprobe running in the background; streams() waits for its answer."""

    def __init__(self, url):
        self.url = url
        self.p = subprocess.Popen(
            ["ffprobe", "-hide_banner", "-v", "error", "-show_entries",
             "stream=codec_type,codec_name,width,height,sample_rate,channels,profile",
             "-of", "json", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL)
        _started_pids.add(self.p.pid)

    def streams(self, timeout=15):
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.communicate()
            raise AssertionError(f"ffprobe {self.url} still running after {timeout}s")
        if self.p.returncode != 0:
            raise AssertionError(f"ffprobe {self.url} failed: {err.strip()}")
        return json.loads(out)["streams"]


def ffprobe_streams(url, timeout=15):
    return Probe(url).streams(timeout)


def ffprobe_ok(url, timeout=15):
    """Whether ffprobe could open url (a refused play is False)."""
    r = run(["ffprobe", "-hide_banner", "-v", "error", "-show_entries", "stream=codec_type",
             "-of", "json", url], timeout=timeout)
    return r.returncode == 0


def size_of(path):
    """The size of a file a client is writing; 0 before it exists."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def file_bytes(path):
    """A file's bytes; b"" before it exists."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def assert_test_pattern(test, streams):
    """ffprobe's streams are publish()'s: H.264 320x240 and stereo AAC at 44.1 kHz."""
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    test.assertEqual(len(streams), 2, streams)
    test.assertEqual((video[0]["codec_name"], video[0]["width"], video[0]["height"]),
                     ("h264", 320, 240))
    test.assertEqual((audio[0]["codec_name"], int(audio[0]["sample_rate"]), audio[0]["channels"]),
                     ("aac", 44100, 2))


def logged_pids(srv, event):
    """The pids of the INFO log lines announcing event ("rtmp play"...), in order."""
    return [int(p) for p in re.findall(r"\]\[INFO\]\[(\d+)\]\[\w+\] " + re.escape(event) + " ",
                                       srv.log())]


def start_on_worker(srv, pid, event, client):
    """Starts client() while only worker pid accepts, and returns what it returned
    once that worker logged event for it."""
    before = len(logged_pids(srv, event))
    with only_worker_accepting(srv, pid):
        started = client()
        wait_until(lambda: pid in logged_pids(srv, event)[before:], 10,
                   what=f"worker {pid} to log {event}")
    return started


@contextlib.contextmanager
def only_worker_accepting(srv, pid):
    """While inside, only worker `pid` takes new connections: the other workers
    are stopped (SIGSTOP) and continued on the way out. Every worker accepts
    from the same listener and the kernel picks which one wins; on a loaded
    machine it may keep picking the same ones, so a test that needs a client on
    each worker steers it there. Leave as soon as the connection is taken: the
    publisher's worker may be among the stopped ones."""
    others = [p for p in srv.workers() if p != pid]
    for p in others:
        os.kill(p, signal.SIGSTOP)
    try:
        yield
    finally:
        for p in others:
            os.kill(p, signal.SIGCONT)


def flv_tags(path, limit=None):
    """The tags of an FLV file: [(type, timestamp, first body byte, body)]."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:3] != b"FLV":
        raise AssertionError(f"{path} is not FLV ({len(data)} bytes)")
    pos = int.from_bytes(data[5:9], "big") + 4
    tags = []
    while pos + 11 <= len(data):
        t = data[pos] & 0x1F
        size = int.from_bytes(data[pos + 1:pos + 4], "big")
        ts = int.from_bytes(data[pos + 4:pos + 7], "big") | (data[pos + 7] << 24)
        body = data[pos + 11:pos + 11 + size]
        if len(body) < size:
            break
        tags.append((t, ts, body[0] if body else None, body))
        pos += 11 + size + 4
        if limit and len(tags) >= limit:
            break
    return tags
