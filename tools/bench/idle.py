"""run.py's `idle` target: does a crowd of idle connections slow down a new player?

srs with 2 workers (rtmp.max_connections 10000 per worker, handshake_timeout 5m,
http_server header_timeout 10m and keepalive_timeout 1h so that nobody is closed
during the run, shm.max_clients sized for the crowd unless --idle-max-clients
says otherwise: past it a connection is served unlisted, one WARN line each, and
not counted per address; HLS off), started with a soft descriptor limit of 1024
(the usual login default) so that the run shows the master raising it. One
synthetic publisher; then:

  1. publisher only: the server tree's CPU and memory over --idle-window s;
  2. probe: --idle-probe RTMP and as many HTTP-FLV players (srs-bench, ramped),
     their first frame, and as many RTMP handshakes timed from Python;
  3. --idle-connections raw TCP connections (srs-bench tcp://, which send
     nothing), half on the RTMP port and half on the HTTP port, until
     /api/v1/workers counts them all;
  4. CPU and memory again over --idle-window s, the probe again;
  5. the crowd leaves, the probe once more.

First frame, as srs-bench counts it: RTMP from the play request (after the
handshake, connect and createStream, which the handshake probe times from
connect()), HTTP-FLV from the TCP connection (the accept included). Memory: the
tree's RssAnon (the connections' heap; the publisher's shared ring pages, which
grow while it writes, are not in it) and VmRSS, each per idle connection.
"""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import time
import urllib.request

import benchlib
import cpuacct
from tables import fmt, markdown_table, percentiles

START_NOFILE = 1024
RTMP_C0C1 = b"\x03" + bytes(1536)
RTMP_S0S1S2 = 1 + 2 * 1536


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_kb(server):
    pids = server.pids()
    return {"anon": sum(status_kb(p, "RssAnon") for p in pids),
            "rss": sum(status_kb(p, "VmRSS") for p in pids)}


def api_workers(server):
    """/api/v1/workers' list, or [] when the API does not answer."""
    try:
        url = f"http://127.0.0.1:{server.api_port}/api/v1/workers"
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.load(r).get("workers", [])
    except (OSError, ValueError):
        return []


def wait_workers(server, test, timeout):
    """Polls /api/v1/workers until test(workers) holds; the last list seen."""
    deadline = time.monotonic() + timeout
    workers = api_workers(server)
    while not test(workers) and time.monotonic() < deadline:
        time.sleep(0.5)
        workers = api_workers(server)
    return workers


def connections(workers):
    return sum(w.get("connections", 0) for w in workers)


def descriptor_limit(server):
    """What the log says the master did, and the workers' soft/hard limit (/proc)."""
    log = server.log_tail("srs.log", None)
    raised = re.findall(r"descriptor limit raised from (\d+) to (\d+)", log)
    limits = set()
    for pid in server.pids():
        try:
            with open(f"/proc/{pid}/limits") as f:
                line = next(l for l in f if l.startswith("Max open files"))
            limits.add(tuple(line.split()[3:5]))
        except (OSError, StopIteration):
            pass
    return {"raised": [list(map(int, r)) for r in raised], "soft_hard": sorted(limits)}


class Window:
    """The server tree's CPU (cpuacct when it can, else /proc) and memory over a span."""

    def __init__(self, server):
        self.server = server
        self.acct = cpuacct.CpuAccount.create(f"srs-bench-{os.getpid()}-idle", server.pids())
        self.source = "cpuacct" if self.acct else "proc"

    def cpu(self):
        return self.acct.seconds() if self.acct else self.server.cpu_seconds()

    def measure(self, seconds):
        t0, c0, m0 = time.monotonic(), self.cpu(), memory_kb(self.server)
        time.sleep(seconds)
        t1, c1, m1 = time.monotonic(), self.cpu(), memory_kb(self.server)
        span = t1 - t0
        return {"cpu_share": round((c1 - c0) / span, 4), "span_s": round(span, 2), "t_end": t1,
                "mem_kb": m1, "anon_drift_kb_s": (m1["anon"] - m0["anon"]) / span,
                "rss_drift_kb_s": (m1["rss"] - m0["rss"]) / span}

    def close(self):
        if self.acct:
            self.acct.remove()


def handshake_ms(port, count):
    """count RTMP handshakes in a row, each timed from connect() to S0+S1+S2."""
    out = []
    for _ in range(count):
        t0 = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(RTMP_C0C1)
                got = 0
                while got < RTMP_S0S1S2:
                    data = s.recv(RTMP_S0S1S2 - got)
                    if not data:
                        break
                    got += len(data)
            if got == RTMP_S0S1S2:
                out.append((time.monotonic() - t0) * 1000)
        except OSError:
            pass
    return out


def probe(args, server, name, index):
    """--idle-probe RTMP and HTTP-FLV players (first frames) and RTMP handshakes."""
    n = args.idle_probe
    jpath = os.path.join(server.dir, f"probe-{index}.json")
    cmd = [os.path.join(args.build, "srs-bench"), "--quiet", "--per-client", "--json", jpath,
           "--play", f"rtmp://127.0.0.1:{server.rtmp_port}/live/bench", "--players", str(n),
           "--play", f"http://127.0.0.1:{server.http_port}/live/bench.flv", "--players", str(n),
           "--ramp", f"{args.idle_probe_ramp}/s",
           "--duration", f"{2 * n / args.idle_probe_ramp + 2:.1f}s"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    try:
        with open(jpath) as f:
            clients = json.load(f).get("clients", [])
    except (OSError, ValueError):
        clients = []
    row = {"target": name}
    for kind, key in (("rtmp", "rtmp"), ("http-flv", "flv")):
        mine = [c for c in clients if c.get("kind") == kind]
        row[key] = percentiles([c["first_frame_ms"] for c in mine if c["first_frame_ms"] >= 0])
        row[key]["players"] = len(mine)
    row["handshake"] = percentiles(handshake_ms(server.rtmp_port, n))
    return row


def log_findings(server, limit=6):
    """The server log's WARN and ERROR lines, addresses and ids folded, most frequent first."""
    counts = {}
    for line in server.log_tail("srs.log", None).splitlines():
        m = re.match(r"\[[^]]*\]\[(WARN|ERROR)\]\[\d+\]\[\w+\] (.*)", line)
        if not m:
            continue
        key = f"[{m.group(1)}] " + re.sub(r"\d+\.\d+\.\d+\.\d+:\d+", "ADDR", m.group(2))
        counts[key] = counts.get(key, 0) + 1
    return sorted(([n, t] for t, n in counts.items()), reverse=True)[:limit]


def start_bench(args, extra, jpath):
    """srs-bench until stop_bench() ends it (or 10 minutes, should run.py die first)."""
    cmd = [os.path.join(args.build, "srs-bench"), "--quiet", "--json", jpath,
           "--duration", "600s"] + extra
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_bench(proc):
    """SIGTERM (srs-bench then writes its report) and its output."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0]


def start_publisher(args, server, bitrate):
    """A synthetic publisher of live/bench, once /api/v1/workers counts it."""
    proc = start_bench(args, ["--publish", f"rtmp://127.0.0.1:{server.rtmp_port}/live/bench",
                              "--synthetic", f"{bitrate},gop={args.gop}"],
                       os.path.join(server.dir, "publisher.json"))
    publishing = lambda ws: any(w.get("publishers") for w in ws)  # noqa: E731
    if not publishing(wait_workers(server, publishing, 10)):
        stop_bench(proc)
        raise RuntimeError("the publisher did not publish: " + server.log_tail("srs.log", 500))
    return proc


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Crowd:
    """The idle connections: half on the RTMP port, half on the HTTP port."""

    def __init__(self, args, server):
        self.args, self.server = args, server
        self.n = args.idle_connections
        self.json = os.path.join(server.dir, "idle.json")
        self.proc = None
        self.base = 0  # connections before them (the publisher, the API request)

    def gather(self):
        """Starts them and waits until the API counts them: {held, split, ramp_s}."""
        srv, n = self.server, self.n
        base = self.base = connections(api_workers(srv))
        self.proc = start_bench(self.args, [
            "--play", f"tcp://127.0.0.1:{srv.rtmp_port}", "--players", str(n // 2),
            "--play", f"tcp://127.0.0.1:{srv.http_port}", "--players", str(n - n // 2),
            "--ramp", f"{self.args.idle_ramp}/s"], self.json)
        self.t0, self.m0 = time.monotonic(), memory_kb(srv)
        workers = wait_workers(srv, lambda ws: connections(ws) >= base + n,
                               n / self.args.idle_ramp + 30)
        return {"wanted": n, "held": connections(workers) - base,
                "split": [w.get("connections", 0) for w in workers],
                "ramp_s": round(time.monotonic() - self.t0, 1)}

    def per_connection(self, held, loaded, quiet):
        """KB per idle connection, RssAnon and VmRSS, the publisher-only drift taken out
        (its ring pages grow VmRSS while it writes)."""
        span = loaded["t_end"] - self.t0
        out = {}
        for key in ("anon", "rss"):
            grew = loaded["mem_kb"][key] - self.m0[key] - quiet[key + "_drift_kb_s"] * span
            out[key + "_kb_per_conn"] = round(grew / max(1, held), 2)
        return out

    def leave(self):
        """Ends them; how many srs-bench still had open at the end."""
        if self.proc is None:
            return None
        stop_bench(self.proc)
        self.proc = None
        wait_workers(self.server, lambda ws: connections(ws) <= self.base + 1, 30)
        return (read_json(self.json).get("players") or {}).get("live_at_end")


def crowd_figures(server, window, crowd, held, quiet, loaded, live_at_end):
    final = api_workers(server)
    return {**held, **crowd.per_connection(held["held"], loaded, quiet),
            "live_at_end": live_at_end,
            "cpu_share_quiet": quiet["cpu_share"], "cpu_share_idle": loaded["cpu_share"],
            "cpu_source": window.source,
            "handshake_timeouts": sum(w.get("handshake_timeouts", 0) for w in final),
            "header_timeouts": sum(w.get("header_timeouts", 0) for w in final),
            "refused": [w.get("refused") for w in final]}


def idle_server(args):
    n = args.idle_connections
    return benchlib.Srs(
        args.build, workers=2, log_level="info", max_connections=10000, nofile=START_NOFILE,
        rtmp_extra="  handshake_timeout: 5m\n",
        http_extra="  header_timeout: 10m\n  keepalive_timeout: 1h\n",
        top_extra=f"shm:\n  max_clients: {args.idle_max_clients or n + 1000}\n")


def run_idle(args):
    """Three probe rows (before, with the crowd, after); the crowd's figures in the second."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    need = args.idle_connections + 200
    if hard != resource.RLIM_INFINITY and hard < need:
        return [{"target": "idle", "error": f"not available (hard RLIMIT_NOFILE {hard} < {need}: "
                 "srs-bench raises its soft limit to the hard one, no further)"}]
    server = idle_server(args)
    window = publisher = crowd = None
    rows = []
    try:
        server.start()
        window = Window(server)
        publisher = start_publisher(args, server, args.bitrate)
        time.sleep(1)
        quiet = window.measure(args.idle_window)
        rows.append(probe(args, server, "no idle connections (before)", 1))
        crowd = Crowd(args, server)
        held = crowd.gather()
        time.sleep(1)
        loaded = window.measure(args.idle_window)
        rows.append(probe(args, server, f"{held['held']} idle connections", 2))
        live_at_end = crowd.leave()
        rows.append(probe(args, server, "no idle connections (after)", 3))
        rows[1]["idle"] = crowd_figures(server, window, crowd, held, quiet, loaded, live_at_end)
        rows[1]["descriptors"] = descriptor_limit(server)
        rows[1]["log"] = log_findings(server)
    except Exception as e:  # noqa: BLE001: reported, the other targets run
        rows.append({"target": "idle", "error": f"failed: {e}"})
    finally:
        if crowd is not None:
            crowd.leave()
        if publisher is not None:
            stop_bench(publisher)
        if window is not None:
            window.close()
        server.cleanup() if not args.keep else server.stop()
    return rows


def idle_table(rows):
    head = ("| players asked of srs (2 workers) | RTMP first frame p50 / p99 / max ms | "
            "HTTP-FLV first frame p50 / p99 / max ms | RTMP handshake from connect() p50 / p99 / max ms | "
            "played |")
    trio = lambda d: f"{fmt(d['p50'])} / {fmt(d['p99'])} / {fmt(d['max'])}"  # noqa: E731
    return markdown_table(head, rows, lambda r: (
        f"| {r['target']} | {trio(r['rtmp'])} | {trio(r['flv'])} | {trio(r['handshake'])} | "
        f"{r['rtmp']['count']}/{r['rtmp']['players']} RTMP, {r['flv']['count']}/{r['flv']['players']} "
        "HTTP-FLV |"))


def idle_summary(rows):
    """The crowd's lines under the table: held, memory, CPU, descriptors, log."""
    r = next((r for r in rows if "idle" in r), None)
    if r is None:
        return ""
    i, d = r["idle"], r["descriptors"]
    raised = "; ".join(f"raised from {a} to {b}" for a, b in d["raised"]) or "not raised (log)"
    lines = [
        f"idle: {i['held']}/{i['wanted']} connections held (split {i['split']}, ramp {i['ramp_s']} s), "
        f"{i['live_at_end']} still open at the end (srs-bench), handshake timeouts "
        f"{i['handshake_timeouts']}, header timeouts {i['header_timeouts']}",
        f"idle: {i['anon_kb_per_conn']:.2f} KB RssAnon and {i['rss_kb_per_conn']:.2f} KB VmRSS per "
        f"idle connection; server CPU {100 * i['cpu_share_quiet']:.2f}% of a core with the publisher "
        f"alone, {100 * i['cpu_share_idle']:.2f}% with the crowd too ({i['cpu_source']})",
        f"idle: server started with a soft descriptor limit of {START_NOFILE}: {raised}; "
        f"soft/hard limit of its processes: {', '.join('/'.join(x) for x in d['soft_hard'])}",
    ]
    lines += [f"idle: log {n} x {t[:200]}" for n, t in r.get("log", [])]
    return "\n".join(lines)
