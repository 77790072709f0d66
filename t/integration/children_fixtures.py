"""Helpers for the tests of the master's children (issue #12): transcode,
ingest and exec (test_transcode.py, test_ingest.py, test_exec.py,
test_children_supervision.py). A server with a vhost of the test's, the
children and streams as the API tells them, the ffmpeg processes that carry
the server's RTMP port as /proc tells them, a short FLV clip to ingest, and
`srs -t` on a configuration."""
import copy
import os
import re
import signal

from forward_fixtures import metric_sum, metrics  # noqa: F401 (re-exported for the tests)
from harness import SRS, Server, pid_alive, run, to_yaml, wait_until

API_CHILDREN = "/api/v1/children"
VHOST = "__defaultVhost__"

# A transcode engine cheap enough for a shared 2-core machine: 320x180, one
# thread, a keyframe every second (players start sooner), AAC.
SMALL = {"enabled": True, "vcodec": "libx264", "vpreset": "ultrafast", "size": "320x180",
         "vbitrate": 300, "vparams": {"tune": "zerolatency", "threads": 1, "g": 25},
         "acodec": "aac", "abitrate": 48}


def server(test, vhost=None, ffmpeg=None, workers=2, grace="1s", extra=None):
    """A server (not started) whose default vhost has `vhost`'s settings (HLS
    off: nothing here needs it), `ffmpeg` as its ffmpeg section, `extra`
    settings, and a short republish grace: a stream whose publisher left ends
    (and its transcode stops) after `grace`. Stopped at cleanup; whatever
    ffmpeg carrying its port is left then is killed, by pid."""
    v = {"hls": {"enabled": False}}
    v.update(copy.deepcopy(vhost or {}))  # the test may change srv.settings, not its constants
    settings = {"rtmp": {"republish_grace": grace}, "vhosts": {VHOST: v}}
    if ffmpeg:
        settings["ffmpeg"] = copy.deepcopy(ffmpeg)
    settings.update(copy.deepcopy(extra or {}))
    srv = Server(test, workers=workers, extra=settings)
    test.addCleanup(kill_ffmpegs_of, srv)
    test.addCleanup(srv.stop)
    return srv


def rtmp_url(srv, path):
    return f"rtmp://127.0.0.1:{srv.rtmp_port}/{path}"


# --- the children and the streams, as the API tells them ---------------------------------------

def children(srv, kind=None, name=None):
    reply = srv.api(API_CHILDREN)
    assert reply.get("code") == 0, reply
    return [c for c in reply["children"]
            if (kind is None or c["kind"] == kind) and (name is None or c["name"] == name)]


def the_child(srv, kind, name):
    """The API's one child of that kind and name, or None (two fail)."""
    found = children(srv, kind, name)
    assert len(found) <= 1, found
    return found[0] if found else None


def wait_child(srv, kind, name, timeout=20, state="running", check=None, what=""):
    """Until the API has the child in `state` (and check(child) holds); returns it."""

    def ok():
        c = the_child(srv, kind, name)
        if c is None or c["state"] != state or (check and not check(c)):
            return None
        return c

    try:
        return wait_until(ok, timeout, interval=0.2, what=f"{kind} {name} {state} {what}")
    except AssertionError:
        raise AssertionError(f"no {kind} child {name} {state} {what} within {timeout}s; the API: "
                             f"{children(srv)}; log tail:\n{srv.log()[-3000:]}")


def wait_child_gone(srv, kind, name, timeout=20):
    wait_until(lambda: the_child(srv, kind, name) is None, timeout, interval=0.2,
               what=f"{kind} child {name} to leave the API")


def streams(srv):
    reply = srv.api("/api/v1/streams?count=100")
    assert reply.get("code") == 0, reply
    return reply["streams"]


def stream(srv, app, name):
    found = [s for s in streams(srv) if s["app"] == app and s["name"] == name]
    return found[0] if found else None


def is_live(s, audio=True):
    """A stream of the API is live, its video codec known (and its audio's)."""
    return bool(s and s["state"] == "live" and s["publish"]["active"] and s["video"]
                and (s["audio"] or not audio))


def wait_live(srv, app, name, timeout=30, more_than=0, audio=True):
    """Until app/name is live with both codecs known (video only: audio=False)
    and more than `more_than` audio and video messages; returns the API's stream."""

    def ok():
        s = stream(srv, app, name)
        return s if is_live(s, audio) and s["messages"] > more_than else None

    try:
        return wait_until(ok, timeout, interval=0.2,
                          what=f"{app}/{name} live with more than {more_than} messages")
    except AssertionError:
        raise AssertionError(f"{app}/{name} not live with more than {more_than} messages within "
                             f"{timeout}s; its stream: {stream(srv, app, name)}; the children: "
                             f"{children(srv)}; log tail:\n{srv.log()[-3000:]}")


def child_pattern(kind, name):
    """How the master's log names a child: "ingest __defaultVhost__/NAME", or
    "transcode __defaultVhost__/APP/STREAM ENGINE" (name: "APP/STREAM ENGINE")."""
    return re.escape(f"{kind} {VHOST}/{name}")


# --- processes -----------------------------------------------------------------------------------

def proc_stat(pid):
    """(state, ppid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(") ", 1)[1].split()
        return fields[0], int(fields[1])
    except (OSError, IndexError):
        return None


def ffmpegs_of(srv):
    """{pid: ppid} of the live ffmpeg processes whose command line carries
    srv's RTMP address: the server's transcodes and ingests, and the test's
    own publishers and players (children of this process)."""
    needle = f"127.0.0.1:{srv.rtmp_port}/"
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if os.path.basename(argv[0]) != "ffmpeg" or not any(needle in a for a in argv):
            continue
        stat = proc_stat(int(entry))
        if stat and stat[0] != "Z":
            found[int(entry)] = stat[1]
    return found


def server_ffmpegs(srv):
    """ffmpegs_of(srv) less the test's own clients."""
    return {pid: ppid for pid, ppid in ffmpegs_of(srv).items() if ppid != os.getpid()}


def listening_inodes():
    """The inodes of the TCP sockets listening on this machine (/proc/net/tcp, tcp6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().split("\n")[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A":
                inodes.add(cols[9])
    return inodes


def open_files(pid):
    """{fd: what it points to} of a process."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out[int(fd)] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            pass
    return out


def kill_ffmpegs_of(srv):
    """Cleanup: SIGKILL to every ffmpeg still carrying srv's port, by pid."""
    for pid in ffmpegs_of(srv):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def kill_at_cleanup(test, pids):
    """Cleanup: SIGKILL to these pids if they still live (a master killed
    with SIGKILL leaves its workers to their death signal)."""

    def kill():
        for pid in pids:
            if pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    test.addCleanup(kill)


# --- media ---------------------------------------------------------------------------------------

def make_clip(directory, seconds=2, name="clip.flv"):
    """An FLV file of `seconds` of test pattern: H.264 320x240 at 25 fps (a
    keyframe every second) and stereo AAC at 44.1 kHz."""
    path = os.path.join(directory, name)
    r = run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", str(seconds),
             "-c:v", "libx264", "-preset", "ultrafast", "-threads", "1", "-g", "25",
             "-c:a", "aac", "-ac", "2", "-f", "flv", path], timeout=60)
    assert r.returncode == 0 and os.path.getsize(path) > 0, r.stderr
    return path


def packets_in(path):
    """The audio and video packets of a media file (ffprobe counts them)."""
    r = run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
             "stream=nb_read_packets", "-of", "csv=p=0", path], timeout=60)
    assert r.returncode == 0, r.stderr
    return sum(int(n) for n in r.stdout.split() if n.strip().isdigit())


def codecs(streams):
    """ffprobe's streams as {codec_type: (codec_name, width, height)} (no size for audio)."""
    return {s["codec_type"]: (s["codec_name"], s.get("width"), s.get("height")) for s in streams}


# --- configuration -------------------------------------------------------------------------------

def check_config(srv, vhost):
    """`srs -t` on srv's configuration with `vhost` as its default vhost's
    settings; returns (the file's text, the run)."""
    settings = dict(srv.settings)
    settings["vhosts"] = {VHOST: vhost}
    text = to_yaml(settings) + "\n"
    srv.write_config(text=text)
    return text, run([SRS, "-t", "-c", srv.conf_path])


def assert_config_error(test, text, r, key_path, message, needle):
    """`srs -t` failed with one error, "FILE:LINE:COL: key_path: message...",
    whose LINE is the first line of `text` holding `needle`."""
    test.assertNotEqual(r.returncode, 0, r.stdout)
    rx = (r"srs\.yaml:(?P<line>\d+):(?P<col>\d+): " + re.escape(key_path) + ": "
          + re.escape(message))
    m = re.search(rx, r.stderr)
    test.assertIsNotNone(m, f"no /{rx}/ in:\n{r.stderr}")
    lines = [i for i, line in enumerate(text.split("\n"), 1) if needle in line]
    test.assertTrue(lines, f"{needle!r} not in\n{text}")
    test.assertEqual(int(m["line"]), lines[0], (r.stderr, text))
    test.assertIn("has 1 error", r.stderr)
