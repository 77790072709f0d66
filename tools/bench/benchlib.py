"""Servers under test for `make bench` and t/integration/test_bench_smoke.py.

Each server runs in its own temporary directory on free 127.0.0.1 ports, is
stopped by pid (its children too), and can report the CPU time and RSS of its
whole process tree from /proc. Python 3 standard library only.

    srv = NginxRtmp(workers=1).start()      # or Srs(build, workers=2), Floor(...)
    cpu0 = srv.cpu_seconds()
    ... load ...
    srv.stop()
"""
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NGINX = "/usr/sbin/nginx"
NGINX_RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
CLK_TCK = os.sysconf("SC_CLK_TCK")

_started = set()


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def tree(pid):
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children(p))
    return out


def proc_cpu_seconds(pid):
    """utime + stime of one process (fields 14 and 15 of /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_rss_kb(pid):
    """VmRSS without RssShmem: a process's own memory. The stream rings (one
    shared file per stream, mapped whole by each worker that reads it since
    issue 17) are per stream, not per player; /api/v1/summaries reports them."""
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "RssShmem"):
                    fields[key] = int(rest.split()[0])
    except OSError:
        pass
    return max(0, fields.get("VmRSS", 0) - fields.get("RssShmem", 0))


def have_nginx_rtmp():
    return os.path.exists(NGINX) and os.path.exists(NGINX_RTMP_MODULE)


def install_nginx_rtmp():
    """tools/install-deps.sh nginx libnginx-mod-rtmp (apt, only what is missing)."""
    if have_nginx_rtmp():
        return True
    subprocess.run([os.path.join(ROOT, "tools", "install-deps.sh"), "nginx", "libnginx-mod-rtmp"],
                   check=False, timeout=900)
    return have_nginx_rtmp()


def wait_port(port, timeout):
    """Until something accepts on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    """A process tree in a temp dir; subclasses say how to start it."""
    name = "server"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix=f"bench-{self.name}-")
        self.proc = None
        self.log = None
        self.rtmp_port = free_port()
        self.http_port = free_port()

    def spawn(self, cmd, stdout=None, nofile=None):
        """nofile: the soft RLIMIT_NOFILE the process starts with (None: ours)."""
        def limit():
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(nofile, hard), hard))
        self.log = open(os.path.join(self.dir, "stderr.txt"), "w")
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=stdout or self.log,
                                     stderr=subprocess.STDOUT if stdout is None else self.log,
                                     preexec_fn=limit if nofile else None)
        _started.add(self.proc.pid)

    def pids(self):
        if not self.proc or self.proc.poll() is not None:
            return []
        return tree(self.proc.pid)

    def cpu_seconds(self):
        return sum(proc_cpu_seconds(p) for p in self.pids())

    def rss_kb(self):
        return sum(proc_rss_kb(p) for p in self.pids())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        if self.proc is None:
            return
        pids = self.pids()
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                pass
        for p in pids:  # workers that outlived their master
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        _started.discard(self.proc.pid)
        for f in (self.proc.stdout, self.log):
            if f is not None and not f.closed:
                f.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, name="stderr.txt", size=2000):
        """The last size characters of a file in its dir (all of it when size is None)."""
        try:
            with open(os.path.join(self.dir, name), errors="replace") as f:
                text = f.read()
                return text if size is None else text[-size:]
        except OSError:
            return ""


class NginxRtmp(Server):
    """Debian's nginx with libnginx-mod-rtmp, private config (tools/bench/nginx-rtmp.conf.in)."""
    name = "nginx"

    def __init__(self, workers=1):
        super().__init__()
        self.workers = workers
        with open(os.path.join(HERE, "nginx-rtmp.conf.in")) as f:
            conf = f.read()
        conf = (conf.replace("@DIR@", self.dir).replace("@RTMP_PORT@", str(self.rtmp_port))
                .replace("@WORKERS@", str(workers)))
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        # rtmp_auto_push's sockets, bound by the workers (which drop root's rights).
        sockets = os.path.join(self.dir, "sockets")
        os.mkdir(sockets)
        os.chmod(sockets, 0o777)
        os.chmod(self.dir, 0o755)

    def start(self):
        self.spawn([NGINX, "-p", self.dir, "-c", self.conf, "-e", os.path.join(self.dir, "error.log")])
        if not wait_port(self.rtmp_port, 10):
            raise RuntimeError("nginx-rtmp did not listen: " + self.log_tail("error.log"))
        return self


class Srs(Server):
    """This server: build/srs with a generated YAML on free ports. HLS is off by
    default, so that it is compared on RTMP delivery alone with nginx-rtmp."""
    name = "srs"

    def __init__(self, build, workers=1, log_level="warn", merge_window=None, merge_ceiling=None,
                 hls=False, max_connections=1000, vhost_extra="", rtmp_extra="", http_extra="",
                 top_extra="", tls=False, nofile=None):
        """rtmp_extra, http_extra: YAML lines added to the rtmp and http_server
        sections; top_extra: top-level sections. tls: a self-signed certificate made
        here (openssl) and an HTTPS listener on https_port. nofile: the soft
        descriptor limit it starts with."""
        super().__init__()
        self.binary = os.path.join(os.path.abspath(build), "srs")
        self.api_port = free_port()
        self.https_port = free_port() if tls else None
        self.nofile = nofile
        self.conf = os.path.join(self.dir, "srs.yaml")
        tls_block = https = ""
        if tls:
            cert, key = self_signed(self.dir)
            tls_block = f"tls:\n  certificate: {cert}\n  key: {key}\n"
            https = f"  listen_tls:\n    - 127.0.0.1:{self.https_port}\n"
        yaml = f"""worker_processes: {workers}
pid_file: {self.dir}/srs.pid
log:
  level: {log_level}
  file: {self.dir}/srs.log
{tls_block}rtmp:
  max_connections: {max_connections}
  listen:
    - 127.0.0.1:{self.rtmp_port}
{rtmp_extra}http_server:
  listen:
    - 127.0.0.1:{self.http_port}
{https}  dir: {self.dir}/html
{http_extra}{top_extra}http_api:
  listen:
    - 127.0.0.1:{self.api_port}
vhosts:
  __defaultVhost__:
    play:
      merge_window: {merge_window or "350ms"}
"""
        if merge_ceiling:
            yaml += f"      merge_ceiling: {merge_ceiling}\n"
        hls_block = f"""    hls:
      enabled: {"true" if hls else "false"}
""" + vhost_extra
        self.write(yaml + hls_block)
        # A server built before HLS existed does not know the key: leave it out.
        check = subprocess.run([self.binary, "-t", "-c", self.conf], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=30) \
            if os.path.exists(self.binary) else None
        if check is not None and check.returncode != 0 and "unknown key 'hls'" in check.stdout:
            self.write(yaml)

    def write(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self):
        if not os.path.exists(self.binary):
            raise RuntimeError(f"{self.binary} is not built")
        self.spawn([self.binary, "-c", self.conf], nofile=self.nofile)
        if not wait_port(self.rtmp_port, 15):
            raise RuntimeError("srs did not listen: " + self.log_tail() + self.log_tail("srs.log"))
        time.sleep(0.3)  # let every worker come up after the first accepts
        return self


class Floor(Server):
    """tools/fanout-floor: the bare writev() fan-out, fed to raw TCP readers."""
    name = "floor"

    def __init__(self, build, players, bitrate, window_ms, duration_s):
        super().__init__()
        self.json = os.path.join(self.dir, "floor.json")
        self.cmd = [os.path.join(os.path.abspath(build), "fanout-floor"), "--listen", f"127.0.0.1:{self.rtmp_port}",
                    "--players", str(players), "--bitrate", bitrate, "--window", f"{window_ms}ms",
                    "--duration", f"{duration_s}s", "--accept-timeout", "60s", "--json", self.json]

    def start(self):
        self.spawn(self.cmd, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline().decode(errors="replace")
        if not line.startswith("listening on"):
            raise RuntimeError("fanout-floor did not start: " + line + self.log_tail())
        return self


def self_signed(folder, name="localhost"):
    """(certificate, key) PEM paths of a new self-signed P-256 pair in folder (openssl CLI)."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", f"/CN={name}"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True, timeout=30)
    return cert, key


def kill_leftovers():
    for pid in list(_started):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
