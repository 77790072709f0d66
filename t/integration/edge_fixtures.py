"""Helpers for the edge tests (test_edge.py): origins and edges of our server
on free loopback ports, a publisher with a keyframe every second, the API's
and the logs' view of the edge's pulls, and what an FLV recording tells about
the media a player received. Every process is stopped by pid, every wait is
bounded."""
import datetime
import os
import re
import signal
import statistics
import time

import test_api  # parse_metrics (the module only: its TestCase stays out of this module)
from harness import Proc, Server, flv_tags, pid_alive, run, size_of, wait_until

VHOST = "__defaultVhost__"

# --- what the implementation logs (kept here to be easy to change) -------------
# On the edge; {key} is vhost/app/stream.
LOG_PULLING = (r"\]\[(?P<pid>\d+)\]\[\w+\] edge {key}: pulling from (?P<n>\d+) origins "
               r"\(puller cid=(?P<cid>\w+)\)")
LOG_PLAYING_FROM = r"edge {key}: playing from {url}"
LOG_CONNECTED_UPSTREAM = (r"\]\[(?P<logpid>\d+)\]\[(?P<logcid>\w+)\] edge [^\n]*: connected to upstream "
                          r"server=(?P<server>\S+)(?: \w+=\S*)*? pid=(?P<pid>\d+)"
                          r"(?: \w+=\S*)*? cid=(?P<cid>\w+)")
LOG_IDLE_STOP = r"edge {key}: the pull stops: no player for cluster\.idle_timeout"
LOG_LOST = r"edge {key}: origin {lost} lost \((?P<why>[^\n]*)\); switching to {next}"
LOG_FAILED = r"edge {key}: origin {failed} failed \((?P<why>[^\n]*)\); trying {next}"
LOG_ALL_FAILED = r"edge {key}: every origin failed \(the last, {url}: [^\n]*\); retry in (?P<ms>\d+) ms"
LOG_MEDIA_AGAIN = r"edge {key}: media again from {url} after a gap of (?P<ms>\d+) ms"
# On an origin (our server): the edge's connect, with the edge's identity.
LOG_UPSTREAM_CONNECT = (r"\]\[(?P<logpid>\d+)\]\[(?P<logcid>\w+)\] rtmp connect from upstream "
                        r"server=(?P<server>\S+)(?: \w+=\S*)*? pid=(?P<pid>\d+)"
                        r"(?: \w+=\S*)*? cid=(?P<cid>\w+)")
METRIC_PULLS = "srs_edge_pulls"
METRIC_RETRIES = "srs_edge_retries_total"


def rx(template, key=f"{VHOST}/live/cam", **urls):
    """A LOG_* template with {key} and the URLs filled in as literal text."""
    return template.format(key=re.escape(key), **{k: re.escape(v) for k, v in urls.items()})


# --- servers -------------------------------------------------------------------

def origin(test, workers=1, vhost=None):
    """Our server as an origin (a plain vhost, or `vhost`'s settings), started."""
    srv = Server(test, workers=workers, extra={"vhosts": {VHOST: vhost}} if vhost else None)
    test.addCleanup(srv.stop)
    return srv.start()


def edge(test, origins, workers=2, idle_timeout="5s", stall_timeout="3s", vhost=None):
    """Our server as an edge of `origins` (host:port or rtmp:// URLs), started."""
    v = {"cluster": {"mode": "edge", "origins": list(origins), "idle_timeout": idle_timeout,
                     "stall_timeout": stall_timeout}}
    v.update(vhost or {})
    srv = Server(test, workers=workers, extra={"vhosts": {VHOST: v}})
    test.addCleanup(srv.stop)
    return srv.start()


def kill_server(srv):
    """SIGKILL for an srs master and its workers at once, as a machine that dies."""
    victims = srv.workers() + [srv.pid]
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    srv.proc.wait(5)
    wait_until(lambda: not any(pid_alive(p) for p in victims), 5, what="the killed server's processes to go")


def rtmp_url(port, stream="live/cam", host="127.0.0.1"):
    return f"rtmp://{host}:{port}/{stream}"


# --- clients -------------------------------------------------------------------

def publish(test, url, log_dir, seconds=90, audio=True):
    """ffmpeg publishing harness.publish()'s test pattern (H.264 320x240 + AAC,
    or the video alone) to url, with a keyframe every second: an edge that
    joins or switches origins starts sooner."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
    cmd += ["-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-threads", "1",
            "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"]
    cmd += ["-c:a", "aac", "-ac", "2"] if audio else ["-an"]
    cmd += ["-f", "flv", url]
    name = re.sub(r"[^\w]", "_", url.split("/", 3)[-1])[:40]
    return Proc(test, cmd, os.path.join(log_dir, f"publish-{name}-{time.monotonic_ns()}.log"))


def rtmpdump_url(test, url, log_dir):
    """rtmpdump playing url live into a file; returns (proc, path)."""
    path = os.path.join(log_dir, f"dump-{time.monotonic_ns()}.flv")
    return Proc(test, ["rtmpdump", "-q", "-v", "-r", url, "-o", path], path + ".log"), path


def curl_flv(test, url, log_dir):
    """curl reading an HTTP-FLV stream into a file until stopped; returns (proc, path)."""
    path = os.path.join(log_dir, f"curl-{time.monotonic_ns()}.flv")
    return Proc(test, ["curl", "-sS", "-N", "--max-time", "120", "-o", path, url], path + ".log"), path


# --- streams and clients, as the API tells -------------------------------------

def streams(srv):
    return srv.api("/api/v1/streams?count=100").get("streams", [])


def stream(srv, name="cam", app="live"):
    found = [s for s in streams(srv) if s.get("app") == app and s.get("name") == name]
    return found[0] if found else None


def wait_stream(srv, name="cam", app="live", timeout=20, audio=True, **fields):
    """Until srv has app/name live with both codecs known (its sequence headers
    arrived; the video's alone if not audio), and fields[k] == its k (a
    callable: a predicate of it)."""

    def ready():
        s = stream(srv, name, app)
        if not s or not s.get("video") or (audio and not s.get("audio")):
            return None
        for k, v in fields.items():
            if not (v(s.get(k)) if callable(v) else s.get(k) == v):
                return None
        return s

    try:
        return wait_until(ready, timeout, interval=0.2, what=f"{app}/{name} live {fields}")
    except AssertionError:
        raise AssertionError(f"no {app}/{name} live with {fields} within {timeout}s; streams: "
                             f"{streams(srv)}; log tail:\n{srv.log()[-3000:]}")


def clients(srv, type=None):
    found = srv.api("/api/v1/clients?count=1000").get("clients", [])
    return [c for c in found if type is None or c.get("type") == type]


def metrics(srv):
    """/metrics as {name: {labels-text: value}}, asserting its syntax."""
    r = run(["curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{srv.api_port}/metrics"], timeout=15)
    if r.returncode != 0:
        raise AssertionError(f"curl /metrics failed: {r.stderr.strip()}")
    return test_api.parse_metrics(r.stdout)[1]


def metric(samples, name, **labels):
    """The sum of name's samples whose labels include every given label=value
    (None when the family is missing)."""
    if name not in samples:
        return None
    want = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(v for text, v in samples[name].items() if all(w in text.split(",") for w in want))


def logged_at(srv, pattern):
    """The time (ms, from the log line's stamp) of the first line matching pattern."""
    m = re.search(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\][^\n]*" + pattern, srv.log(), re.M)
    if not m:
        raise AssertionError(f"no log line /{pattern}/")
    stamp = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f")
    return stamp.timestamp() * 1000


def pulls(srv, key=f"{VHOST}/live/cam"):
    """The edge's "pulling from" lines for key: [{pid, n, cid}]."""
    return [m.groupdict() for m in re.finditer(rx(LOG_PULLING, key=key), srv.log())]


# --- what a player received ------------------------------------------------------

def media_tags(path):
    """The audio and video frames (not sequence headers) of an FLV file a
    client may still be writing: [] until it holds its header."""
    if size_of(path) <= 13:
        return []
    return [t for t in flv_tags(path) if t[0] in (8, 9) and len(t[3]) > 1 and t[3][1] == 1]


def video_frames(path):
    return [t for t in media_tags(path) if t[0] == 9]


def has_audio_and_video(path):
    return {t[0] for t in media_tags(path)} == {8, 9}


def sequence_headers(tags, kind):
    """The AVC (9) or AAC (8) sequence headers among tags."""
    return [t for t in tags if t[0] == kind and len(t[3]) > 1 and t[3][1] == 0]


def backwards(timestamps):
    """The places where timestamps go back: [(i, before, after)]."""
    return [(i, a, b) for i, (a, b) in enumerate(zip(timestamps, timestamps[1:])) if b < a]


def repeated(timestamps):
    """The places where a timestamp equals the one before: [(i, timestamp)]."""
    return [(i, a) for i, (a, b) in enumerate(zip(timestamps, timestamps[1:])) if b == a]


def max_gap(timestamps):
    return max((b - a for a, b in zip(timestamps, timestamps[1:])), default=0)


def p50_max(values):
    return statistics.median(values), max(values)
