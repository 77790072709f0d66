#!/usr/bin/env python3
"""make bench: the same load against this server (1 and 2 workers), nginx-rtmp
(1 worker) and the bare fan-out floor, side by side in one run, on loopback.

For each target: server CPU seconds per delivered gigabit (the CPU of the
server's whole process tree, from a cpuacct cgroup or /proc), over the whole
load and over its steady window (steady.py: after the ramp, without the
connection set-ups); players held at full rate, RSS per player (VmRSS of the
tree under load minus idle, per player), latency p50/p99 and time to first
frame (from srs-bench's stamps), and the ratios against nginx-rtmp and against
the floor. Target `cap` measures capacity: srs with 1 and 2 workers, each worker
in a CPU cgroup capped at --cap-share of the uncapped worker's steady CPU
(cpucap.py), and the 2-worker scaling. Method and results: BENCH.md.

Target `join` measures how fast players start on one worker: --join-players
RTMP players asked all at once of a live stream, from the first play request to
the last player's first keyframe (srs-bench's join rate), --join-rounds times;
with --baseline DIR the srs of DIR runs the same rounds, alternating, so that
the two are compared on the same machine in one run.

Targets `idle` and `tls` are not in the default set (issue 13; each about a
minute). `idle` (idle.py): new RTMP and HTTP-FLV players' first frames with and
without --idle-connections idle TCP connections held on the RTMP and HTTP
ports, and the server's memory and CPU per idle connection. `tls`
(tls_cost.py): the server's CPU per delivered Gbit for --tls-players HTTPS
HTTP-FLV readers against as many plain ones, and whether kTLS was used.

Usage: tools/bench/run.py [--build build] [--players 400] [--bitrate 1100kbps]
                          [--gop 2s] [--duration 15] [--ramp 200]
                          [--targets srs1,srs2,srs1-rt,srs1-flv,nginx,floor,cap,join,idle,tls]
                          [--windows 350,100,33,10,0] [--cap-share 0.25]
                          [--join-players 2000] [--join-rounds 3] [--baseline DIR]
                          [--idle-connections 10000] [--idle-probe 20]
                          [--tls-players 50] [--tls-bitrate 4mbps] [--tls-rounds 2]
                          [--json FILE] [--keep]
"""
import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import cpuacct  # noqa: E402
import cpucap  # noqa: E402
import idle  # noqa: E402
import steady  # noqa: E402
import tls_cost  # noqa: E402
from tables import fmt, markdown_table  # noqa: E402


def srs_bench(args, extra, duration_s, json_path, timeout_pad=30):
    cmd = [os.path.join(args.build, "srs-bench"), "--duration", f"{duration_s}s",
           "--ramp", f"{args.ramp}/s", "--json", json_path, "--quiet"] + extra
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), \
        duration_s + timeout_pad


def probe_publish(args, url, tries=2):
    """A 2 s publish + play: does this server serve RTMP live at all? (Twice at
    most: nginx-rtmp with 2 workers may miss the first while its relay starts.)"""
    for _ in range(tries):
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            proc, timeout = srs_bench(args, ["--publish", url, "--play", url, "--players", "1",
                                             "--synthetic", "300kbps,gop=1s", "--expect-publish",
                                             "--expect-all-played"], 2, f.name)
            out, _ = proc.communicate(timeout=timeout)
            if proc.returncode == 0:
                break
    return proc.returncode == 0, out.strip().splitlines()[-3:]


def cpu_sample(read):
    """(time.monotonic(), CPU s of the server tree): the instant is the middle of the read."""
    t0 = time.monotonic()
    cpu = read()
    return ((t0 + time.monotonic()) / 2, cpu)


def measure(server, bench_proc, timeout, on_tick=None):
    """CPU of the server tree over the load, sampled every 0.5 s (steady.py cuts
    its window out of the samples), in ns from a cpuacct group when there is one,
    else from /proc; and its peak RSS while loaded. on_tick(now) runs at each
    sample (the capacity run sets its CPU cap from there)."""
    acct = cpuacct.CpuAccount.create(f"srs-bench-{os.getpid()}-acct", server.pids())
    read = acct.seconds if acct else server.cpu_seconds
    try:
        samples = [cpu_sample(read)]
        peak = server.rss_kb()
        deadline = time.monotonic() + timeout
        while bench_proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            samples.append(cpu_sample(read))
            peak = max(peak, server.rss_kb())
            if on_tick is not None:
                on_tick(samples[-1][0])
        samples.append(cpu_sample(read))
    finally:
        if acct:
            acct.remove()
    if bench_proc.poll() is None:
        bench_proc.kill()
    out = bench_proc.communicate()[0]
    return samples, peak, out, "cpuacct" if acct else "proc"


# The srs targets of one stream and 400 players, and their merge windows:
# the default (auto), SRS's fixed 350 ms, realtime.
SRS_WINDOWS = {"srs1": "auto", "srs1-350": "350ms", "srs2": "auto", "srs1-rt": "0s",
               "srs1-flv": "auto"}
WINDOW_SUFFIX = {"auto": "", "350ms": " 350ms", "0s": " realtime"}


def run_server_target(args, name, server, url, play_url=None, after=None):
    """Publisher + players through a real server (srs or nginx-rtmp); the
    players read play_url (HTTP-FLV) when given, else the RTMP url. after(server),
    when given, is read once the load is over, into the row's "after"."""
    row = {"target": name}
    try:
        server.start()
        ok, why = probe_publish(args, url.replace("/bench", "/probe"))
        if not ok:
            row["error"] = "not available (publish/play probe failed: " + " | ".join(why) + ")"
            return row
        time.sleep(0.5)
        idle = server.rss_kb()
        jpath = os.path.join(server.dir, "bench.json")
        load = ["--publish", url, "--play", play_url or url, "--players", str(args.players),
                "--synthetic", f"{args.bitrate},gop={args.gop}"]
        duration = args.duration + args.players / args.ramp
        proc, timeout = srs_bench(args, load, duration, jpath)
        samples, peak, out, row["cpu_source"] = measure(server, proc, timeout)
        row.update(collect(args, jpath, out, samples, idle, peak))
        if after is not None:
            row["windows_used_ms"] = after(server)
    except Exception as e:  # noqa: BLE001: a target that fails is reported, the others run
        row["error"] = f"failed: {e}"
    finally:
        if not args.keep:
            server.cleanup()
        else:
            server.stop()
    return row


def edge_vhost(origins):
    """The YAML lines that make the default vhost an edge of `origins`."""
    listed = ", ".join(f"127.0.0.1:{o.rtmp_port}" for o in origins)
    return f"""    cluster:
      mode: edge
      origins: [{listed}]
"""


def run_edge_target(args, rt):
    """One edge hop: srs-bench publishes to an origin (1 worker) and its players
    read an edge (1 worker) of it; the edge's CPU and the players' latency, to
    compare with the srs 1 worker row (players on the origin) of the same run."""
    window = "0s" if rt else "350ms"
    row = {"target": "srs edge 1 worker" + (" realtime" if rt else ""),
           "window_ms": 0 if rt else 350}
    origin = benchlib.Srs(args.build, workers=1, merge_window=window)
    edge = None
    try:
        origin.start()
        edge = benchlib.Srs(args.build, workers=1, merge_window=window,
                            vhost_extra=edge_vhost([origin]))
        edge.start()
        pub = f"rtmp://127.0.0.1:{origin.rtmp_port}/live/bench"
        play = f"rtmp://127.0.0.1:{edge.rtmp_port}/live/bench"
        time.sleep(0.5)
        idle = edge.rss_kb()
        jpath = os.path.join(edge.dir, "bench.json")
        load = ["--publish", pub, "--play", play, "--players", str(args.players),
                "--synthetic", f"{args.bitrate},gop={args.gop}"]
        duration = args.duration + args.players / args.ramp
        proc, timeout = srs_bench(args, load, duration, jpath)
        samples, peak, out, row["cpu_source"] = measure(edge, proc, timeout)
        row.update(collect(args, jpath, out, samples, idle, peak))
    except Exception as e:  # noqa: BLE001: reported, the other targets run
        row["error"] = f"failed: {e}"
    finally:
        for s in (edge, origin):
            if s is not None:
                s.cleanup() if not args.keep else s.stop()
    return row


def failover_once(args, trial):
    """Two origins (the stream published to O2, which forwards it to O1), an
    edge of [O1, O2] with one player; O1 is killed (SIGKILL, its whole tree)
    3 s in. The gap: the player's longest pause in media (srs-bench), and the
    edge's own count (its log's 'after a gap of N ms')."""
    o1 = benchlib.Srs(args.build, workers=1, log_level="warn")
    o2 = edge = None
    try:
        o1.start()
        o2 = benchlib.Srs(args.build, workers=1, vhost_extra=f"""    forward:
      destinations: [127.0.0.1:{o1.rtmp_port}]
""")
        o2.start()
        edge = benchlib.Srs(args.build, workers=1, log_level="warn",
                            vhost_extra=edge_vhost([o1, o2]))
        edge.start()
        jpath = os.path.join(edge.dir, f"failover-{trial}.json")
        load = ["--publish", f"rtmp://127.0.0.1:{o2.rtmp_port}/live/bench",
                "--play", f"rtmp://127.0.0.1:{edge.rtmp_port}/live/bench", "--players", "1",
                "--synthetic", f"{args.bitrate},gop={args.gop}", "--per-client",
                "--play-delay", "1s"]
        proc, timeout = srs_bench(args, load, 8, jpath)
        time.sleep(4)
        for pid in o1.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        proc.communicate(timeout=timeout)
        report = read_report(jpath) or {}
        players = [c for c in report.get("clients", []) if c.get("kind") != "publisher"]
        with open(os.path.join(edge.dir, "srs.log")) as f:
            logged = [int(m) for m in re.findall(r"after a gap of (\d+) ms", f.read())]
        return {"player_gap_ms": players[0]["max_gap_ms"] if players else None,
                "edge_gap_ms": logged[0] if logged else None}
    except Exception as e:  # noqa: BLE001
        return {"error": f"failed: {e}"}
    finally:
        for s in (edge, o2, o1):
            if s is not None:
                s.cleanup() if not args.keep else s.stop()


def run_failover(args):
    trials = [failover_once(args, i) for i in range(args.failover_trials)]
    gaps = sorted(t["player_gap_ms"] for t in trials if t.get("player_gap_ms") is not None)
    edge_gaps = sorted(t["edge_gap_ms"] for t in trials if t.get("edge_gap_ms") is not None)
    pick = lambda v, q: v[min(len(v) - 1, int(q * len(v)))] if v else None  # noqa: E731
    return {"trials": trials, "player_gap_p50_ms": pick(gaps, 0.5),
            "player_gap_max_ms": gaps[-1] if gaps else None,
            "edge_gap_p50_ms": pick(edge_gaps, 0.5),
            "edge_gap_max_ms": edge_gaps[-1] if edge_gaps else None}


def stream_split(server, stream="bench"):
    """From /api/v1/streams: {worker pid: players} of the stream, and the pid of the
    worker holding its publisher. ({}, None) when the API does not answer."""
    try:
        url = f"http://127.0.0.1:{server.api_port}/api/v1/streams?count=100"
        with urllib.request.urlopen(url, timeout=2) as r:
            streams = json.load(r).get("streams", [])
    except (OSError, ValueError):
        return {}, None
    for st in streams:
        if st.get("name") == stream:
            split = {str(w["worker_pid"]): w["players"] for w in st.get("srs_workers", [])}
            return split, st.get("worker_pid")
    return {}, None


def worker_bytes(server):
    """(time.monotonic(), {worker pid: bytes its players acknowledged}) from the
    kernel's socket table (`ss -tinp`): no work for the capped workers, unlike
    the API. A socket that received more than it sent is the publisher's and is
    left out. None when ss is missing or says nothing."""
    cmd = ["ss", "-tinpH", "state", "established", f"( sport = :{server.rtmp_port} )"]
    try:
        t0 = time.monotonic()
        text = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=5).stdout
        t = (t0 + time.monotonic()) / 2
    except (OSError, subprocess.TimeoutExpired):
        return None
    out, pid = {}, None
    for line in text.splitlines():
        if "pid=" in line:
            pid = line.split("pid=", 1)[1].split(",", 1)[0]
            continue
        fields = dict(f.split(":", 1) for f in line.split() if f.startswith("bytes_"))
        sent = int(fields.get("bytes_acked", fields.get("bytes_sent", 0)))
        if pid is None or int(fields.get("bytes_received", 0)) > sent:
            continue
        out[pid] = out.get(pid, 0) + sent
        pid = None
    return (t, out) if out else None


class CapSchedule:
    """measure()'s on_tick for a capacity run: the cap goes on once every player
    plays (or when the ramp should long be over). The split of the players
    between the workers is read from the API then, uncapped; the bytes each
    worker's players acknowledged, from the kernel just before the cap and just
    after the steady window."""

    def __init__(self, args, server, caps, quota, bench_end):
        self.args, self.server, self.caps, self.quota = args, server, caps, quota
        self.ramp_deadline = time.monotonic() + args.players / args.ramp + 5
        self.bench_end = bench_end
        self.capped_at = None
        self.split_at_cap = None
        self.bytes_at_cap = self.bytes_at_end = None
        self.publisher_pid = None

    def __call__(self, now):
        if self.capped_at is None:
            split, self.publisher_pid = stream_split(self.server)
            if sum(split.values()) < self.args.players and now < self.ramp_deadline:
                return
            self.bytes_at_cap = worker_bytes(self.server)
            self.caps.set(*self.quota)
            self.capped_at = time.monotonic()
            self.split_at_cap = split
        elif self.bytes_at_end is None and now > self.bench_end - steady.TAIL_S + 0.05:
            self.bytes_at_end = worker_bytes(self.server)

    def per_worker(self, per_player_mbps):
        """{pid: {players, mbps, of_demand}} between the two reads: what each
        worker delivered, against what its players asked for (uncapped rate)."""
        if not self.bytes_at_cap or not self.bytes_at_end:
            return None
        (t0, b0), (t1, b1) = self.bytes_at_cap, self.bytes_at_end
        out = {}
        for pid, players in sorted((self.split_at_cap or {}).items()):
            mbps = (b1.get(pid, 0) - b0.get(pid, 0)) * 8 / 1e6 / (t1 - t0)
            demand = players * per_player_mbps if per_player_mbps else None
            out[pid] = {"players": players, "mbps": round(mbps, 1),
                        "of_demand": ratio(mbps, demand)}
        return out


def workers_of(server, count, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = benchlib.children(server.proc.pid)
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise RuntimeError(f"srs has {len(benchlib.children(server.proc.pid))} workers, not {count}")


def run_capped(args, workers, share, per_player_mbps, window):
    """srs with `workers` workers at merge window `window`, each in a CPU cgroup
    of its own; after the ramp every cgroup gets the same quota: `share` of one
    core (cpucap.quota_for). per_player_mbps: one player's rate uncapped, the
    demand each player makes."""
    name = f"srs {workers} worker{'s' if workers > 1 else ''} capped, {window}"
    row = {"target": name, "workers": workers, "merge_window": window}
    try:
        caps = cpucap.CpuCaps.create(f"srs-bench-{os.getpid()}")
    except cpucap.Unavailable as e:
        row["error"] = f"not available ({e})"
        return row
    quota = cpucap.quota_for(share)
    row.update({"cap_share": round(share, 5), "quota_us": quota[0], "period_us": quota[1]})
    server = benchlib.Srs(args.build, workers=workers, merge_window=window)
    try:
        server.start()
        url = f"rtmp://127.0.0.1:{server.rtmp_port}/live/bench"
        ok, why = probe_publish(args, url.replace("/bench", "/probe"))
        if not ok:
            row["error"] = "not available (publish/play probe failed: " + " | ".join(why) + ")"
            return row
        for pid in workers_of(server, workers):
            caps.add(pid)
        jpath = os.path.join(server.dir, "bench.json")
        load = ["--publish", url, "--play", url, "--players", str(args.players),
                "--synthetic", f"{args.bitrate},gop={args.gop}"]
        duration = args.duration + args.players / args.ramp
        proc, timeout = srs_bench(args, load, duration, jpath)
        schedule = CapSchedule(args, server, caps, quota, time.monotonic() + duration)
        samples, peak, out, row["cpu_source"] = measure(server, proc, timeout, schedule)
        if schedule.capped_at is None:
            row["error"] = "failed: the load ended before the cap was set"
            return row
        row.update(collect(args, jpath, out, samples, 0, peak, schedule.capped_at))
        row["windows_used_ms"] = windows_used(server)
        row.update({"split_at_cap": schedule.split_at_cap,
                    "publisher_pid": schedule.publisher_pid, "throttling": caps.stats(),
                    "per_worker": schedule.per_worker(per_player_mbps)})
    except Exception as e:  # noqa: BLE001
        row["error"] = f"failed: {e}"
    finally:
        server.stop()
        errors = caps.remove()
        if errors:
            row["cgroup_cleanup_errors"] = errors
        if not args.keep:
            server.cleanup()
    return row


def windows_used(server):
    """Each worker's last merge window and its share of time busy with its players,
    from /api/v1/workers: what auto chose, and from what."""
    try:
        url = f"http://127.0.0.1:{server.api_port}/api/v1/workers"
        with urllib.request.urlopen(url, timeout=10) as r:
            workers = json.load(r).get("workers", [])
    except (OSError, ValueError):
        return None
    return [f"{w.get('writing', {}).get('merge_window_ms')} ({w.get('writing', {}).get('busy')})"
            for w in workers]


def run_capacity(args, rows):
    """Capacity: each worker capped at cap_share x U, where U is the steady CPU
    share of the uncapped 1-worker run at the 350 ms window in the same load
    (rows); 1 and 2 workers, at the 350 ms window and at the default (auto)."""
    base = next((r for r in rows if r["target"] == "srs 1 worker 350ms" and "error" not in r), None)
    if base is None:
        srv = benchlib.Srs(args.build, workers=1, merge_window="350ms")
        base = run_server_target(args, "srs 1 worker 350ms", srv,
                                 f"rtmp://127.0.0.1:{srv.rtmp_port}/live/bench")
        base.update({"window_ms": 350, "merge_window": "350ms"})
        rows.append(base)
    u = base.get("steady_cpu_share")
    out = []
    for window in ("350ms", "auto"):
        if not u:
            why = "not available (no steady CPU share from an uncapped srs 1 worker 350ms run)"
            out += [{"target": f"srs {w} worker{'s' if w > 1 else ''} capped, {window}", "error": why}
                    for w in (1, 2)]
            continue
        per_player = (base.get("steady_mbps") or 0) / max(1, base.get("players") or 0)
        one = run_capped(args, 1, args.cap_share * u, per_player, window)
        print(f"  {capacity_line(one, base)}", flush=True)
        two = run_capped(args, 2, args.cap_share * u, per_player, window)
        if "error" not in one and "error" not in two:
            two["scaling"] = ratio(two.get("steady_mbps"), one.get("steady_mbps"))
            # Two workers that deliver (nearly) the whole demand were not held back by
            # their caps: the ratio is then the demand's, not the workers'.
            two["demand_bound"] = (two.get("steady_mbps") or 0) >= 0.9 * (base.get("steady_mbps") or 0)
        for r in (one, two):
            r["uncapped_steady_mbps"] = base.get("steady_mbps")
            r["vs_uncapped"] = ratio(r.get("steady_mbps"), base.get("steady_mbps"))
        print(f"  {capacity_line(two, base)}", flush=True)
        out += [one, two]
    by = {r["target"]: r for r in out}
    for w in ("1 worker", "2 workers"):
        auto, fixed = by.get(f"srs {w} capped, auto", {}), by.get(f"srs {w} capped, 350ms", {})
        auto["vs_350ms"] = ratio(auto.get("steady_mbps"), fixed.get("steady_mbps"))
    return out


def capacity_line(r, base):
    if "error" in r:
        return f"{r['target']}: {r['error']}"
    return (f"{r['target']}: cap {r['quota_us']}/{r['period_us']} us, "
            f"{fmt(r.get('steady_mbps'), '{:.0f}')} Mbit/s delivered capped "
            f"(uncapped 1 worker: {fmt(base.get('steady_mbps'), '{:.0f}')}), "
            f"players per worker {r.get('split_at_cap')}, latency p99 "
            f"{fmt(r.get('latency_p99_ms'))} ms, windows used {r.get('windows_used_ms')}")


def run_floor(args, window_ms):
    row = {"target": f"floor {window_ms}ms", "window_ms": window_ms}
    floor = benchlib.Floor(args.build, args.players, args.bitrate, window_ms, args.duration)
    try:
        floor.start()
        idle = floor.rss_kb()
        jpath = os.path.join(floor.dir, "bench.json")
        ramp_s = args.players / args.ramp
        # The readers stop half a second before the floor does, so nothing is cut short.
        proc, timeout = srs_bench(args, ["--play", f"tcp://127.0.0.1:{floor.rtmp_port}",
                                         "--players", str(args.players),
                                         "--synthetic", f"{args.bitrate},gop={args.gop}"],
                                  round(ramp_s + args.duration - 0.5, 2), jpath)
        samples, peak, out, row["cpu_source"] = measure(floor, proc, timeout)
        row.update(collect(args, jpath, out, samples, idle, peak))
        # The readers wait for the others to connect: no first frame to compare.
        row["first_frame_p50_ms"] = row["first_keyframe_p50_ms"] = None
        floor.proc.wait(timeout=args.duration + 30)
        try:
            with open(floor.json) as f:
                row["floor"] = json.load(f)
        except (OSError, ValueError):
            pass
    except Exception as e:  # noqa: BLE001
        row["error"] = f"failed: {e}"
    finally:
        floor.cleanup()
    return row


def join_once(args, build):
    """One join round on srs of `build`: players started per second, or None."""
    srv = benchlib.Srs(build, workers=1, max_connections=args.join_players + 100)
    try:
        srv.start()
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/bench"
        jpath = os.path.join(srv.dir, "join.json")
        load = ["--publish", url, "--play", url, "--players", str(args.join_players),
                "--synthetic", f"{args.bitrate},gop={args.gop}"]
        cmd = [os.path.join(args.build, "srs-bench"), "--duration", "8s", "--ramp", "1000000/s",
               "--json", jpath, "--quiet"] + load
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        b = read_report(jpath) or {}
        join = b.get("join") or {}
        return join.get("per_s") if join.get("players") == args.join_players else None
    finally:
        srv.cleanup()


def run_join(args):
    """`join` rows: this build's join rate (and the baseline's), median of the rounds."""
    builds = [("srs 1 worker", args.build)] + ([("baseline " + args.baseline, args.baseline)]
                                               if args.baseline else [])
    rates = {name: [] for name, _ in builds}
    for _ in range(args.join_rounds):
        for name, build in builds:
            rate = join_once(args, build)
            if rate:
                rates[name].append(rate)
    rows = []
    for name, _ in builds:
        got = sorted(rates[name])
        row = {"target": f"join: {name}", "players": args.join_players, "rounds": got}
        row["joins_per_s"] = got[len(got) // 2] if got else None
        if not got:
            row["error"] = "no round started every player"
        rows.append(row)
    if len(rows) == 2 and rows[0]["joins_per_s"] and rows[1]["joins_per_s"]:
        rows[0]["vs_baseline"] = round(rows[0]["joins_per_s"] / rows[1]["joins_per_s"], 2)
    return rows


def join_table(rows):
    head = "| target | players | joins/s (median) | rounds | vs baseline |"
    return markdown_table(head, rows, lambda r: (
        f"| {r['target']} | {r['players']} | {fmt(r['joins_per_s'], '{:.0f}')} | "
        f"{', '.join(f'{x:.0f}' for x in r['rounds'])} | {fmt(r.get('vs_baseline'))} |"))


def read_report(jpath):
    try:
        with open(jpath) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def collect(args, jpath, out, samples, idle_kb, peak_kb, steady_from=None):
    """One row from srs-bench's report and the server's CPU samples: the whole
    load (CPU s, CPU s/Gbit) and its steady window (steady.py)."""
    b = read_report(jpath)
    if b is None:
        return {"error": "srs-bench wrote no report: " + out[-500:]}
    cpu = samples[-1][1] - samples[0][1]
    players = b["players"]
    gbit = players["bytes"] * 8 / 1e9
    return {
        "cpu_s": round(cpu, 3),
        "gbit": round(gbit, 3),
        "cpu_per_gbit": round(cpu / gbit, 4) if gbit > 0 else None,
        "players": players["count"],
        "played": players["played"],
        "full_rate": players["full_rate"],
        "rss_per_player_kb": round((peak_kb - idle_kb) / max(1, players["count"]), 1),
        # Raw TCP readers (the floor) see no stamps: no latency to report.
        "latency_p50_ms": b["latency_ms"]["p50"] if b["latency_ms"]["count"] else None,
        "latency_p99_ms": b["latency_ms"]["p99"] if b["latency_ms"]["count"] else None,
        "first_frame_p50_ms": b["first_frame_ms"]["p50"],
        "first_frame_p99_ms": b["first_frame_ms"].get("p99"),
        "first_keyframe_p50_ms": b["first_keyframe_ms"]["p50"],
        "bench_cpu_s": b["self_cpu_s"],
        **steady.measure(b, samples, steady_from),
    }


def ratio(a, b):
    if not a or not b:
        return None
    return round(a / b, 2)


def add_ratios(rows):
    """vs nginx-rtmp and vs the floor at the same merge window (nginx-rtmp: every
    message, 0 ms), over the whole load and over the steady window."""
    by = {r["target"]: r for r in rows}
    floors = [r for r in rows if r["target"].startswith("floor")]
    for key, suffix in (("cpu_per_gbit", ""), ("steady_cpu_per_gbit", "_steady")):
        nginx = by.get("nginx-rtmp", {}).get(key)
        floor = {r["window_ms"]: r.get(key) for r in floors}
        for r in rows:
            r["vs_nginx" + suffix] = ratio(r.get(key), nginx)
            r["vs_floor" + suffix] = ratio(r.get(key), floor.get(r.get("window_ms")))


def table(rows):
    head = ("| target | CPU s | Gbit | CPU s/Gbit | steady CPU s/Gbit | full rate | KB RSS/player | "
            "latency p50 ms | p99 ms | first frame p50 ms | vs nginx | vs floor, same window | "
            "vs nginx, steady | vs floor, steady |")
    return markdown_table(head, rows, lambda r: (
        f"| {r['target']} | {fmt(r['cpu_s'])} | {fmt(r['gbit'])} | {fmt(r['cpu_per_gbit'], '{:.3f}')} | "
        f"{fmt(r.get('steady_cpu_per_gbit'), '{:.3f}')} | "
        f"{r['full_rate']}/{r['players']} | {fmt(r['rss_per_player_kb'], '{:.1f}')} | "
        f"{fmt(r['latency_p50_ms'])} | {fmt(r['latency_p99_ms'])} | "
        f"{fmt(r['first_frame_p50_ms'], '{:.1f}')} | {fmt(r['vs_nginx'])} | "
        f"{fmt(r['vs_floor'])} | {fmt(r.get('vs_nginx_steady'))} | "
        f"{fmt(r.get('vs_floor_steady'))} |"))


def capacity_row(r):
    split = "; ".join(
        f"{w['players']}, {w['mbps']:.0f} ({fmt(w['of_demand'])})" for w in (r.get("per_worker") or {}).values()) \
        or ", ".join(f"{n}" for _, n in sorted((r.get("split_at_cap") or {}).items()))
    pids = list((r.get("per_worker") or r.get("split_at_cap") or {}).keys())
    pub = str(r.get("publisher_pid"))
    publisher = f"worker {pids.index(pub) + 1}" if pub in pids else "-"
    throttled = ", ".join(f"{t.get('nr_throttled', '?')}/{t.get('nr_periods', '?')}"
                          for t in r.get("throttling", []))
    return (
        f"| {r['target']} | {r['quota_us'] / 1000:g} ms per {r['period_us'] / 1000:g} ms | "
        f"{fmt(r['cap_share'], '{:.4f}')} | {fmt(r.get('steady_gbit'))} | "
        f"{fmt(r.get('steady_mbps'), '{:.0f}')} | {fmt(r.get('vs_uncapped'))} | "
        f"{r['full_rate']}/{r['players']} | {split or '-'} | {publisher} | "
        f"{throttled or '-'} | {fmt(r.get('latency_p50_ms'))} / {fmt(r.get('latency_p99_ms'))} | "
        f"{', '.join(str(w) for w in r.get('windows_used_ms') or []) or '-'} | {fmt(r.get('scaling'))}"
        f"{' (demand-bound: lower --cap-share)' if r.get('demand_bound') else ''} | "
        f"{fmt(r.get('vs_350ms'))} |")


def capacity_table(rows):
    head = ("| target | CPU quota per worker | share of a core | steady Gbit | Mbit/s | vs uncapped 1 worker | "
            "full rate | per worker: players, Mbit/s (share of its players' demand) | publisher on | "
            "throttled periods | latency p50 / p99 ms | windows used, ms | "
            "2-worker scaling | auto vs 350ms |")
    return markdown_table(head, rows, capacity_row)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--players", type=int, default=400)
    ap.add_argument("--bitrate", default="1100kbps")
    ap.add_argument("--gop", default="2s")
    ap.add_argument("--duration", type=float, default=15)
    ap.add_argument("--ramp", type=float, default=200)
    ap.add_argument("--targets",
                    default="srs1,srs1-350,srs2,srs1-rt,srs1-flv,edge,edge-rt,nginx,floor,cap,join,"
                            "failover")
    ap.add_argument("--failover-trials", type=int, default=10)
    ap.add_argument("--join-players", type=int, default=2000)
    ap.add_argument("--join-rounds", type=int, default=3)
    ap.add_argument("--baseline", default=None,
                    help="join: also measure the srs of this build directory, alternating")
    ap.add_argument("--cap-share", type=float, default=0.25,
                    help="cap: each worker's CPU quota, as a share of the uncapped 1-worker U")
    ap.add_argument("--idle-connections", type=int, default=10000,
                    help="idle: raw TCP connections held, half on each of the RTMP and HTTP ports")
    ap.add_argument("--idle-ramp", type=float, default=2000, help="idle: connections opened per second")
    ap.add_argument("--idle-probe", type=int, default=20,
                    help="idle: new RTMP players, as many HTTP-FLV players and RTMP handshakes per probe")
    ap.add_argument("--idle-probe-ramp", type=float, default=10, help="idle: probe players started per second")
    ap.add_argument("--idle-max-clients", type=int, default=0,
                    help="idle: shm.max_clients (default: the connections + 1000)")
    ap.add_argument("--idle-window", type=float, default=5, help="idle: seconds of CPU measured")
    ap.add_argument("--tls-players", type=int, default=50, help="tls: HTTP-FLV readers per load")
    ap.add_argument("--tls-duration", type=float, default=12, help="tls: seconds per load")
    ap.add_argument("--tls-bitrate", default="4mbps",
                    help="tls: the stream's bitrate (at 1.1 Mbps x 50 readers the delivery's CPU "
                         "is lost under the publisher's)")
    ap.add_argument("--tls-ramp", type=float, default=50, help="tls: readers started per second")
    ap.add_argument("--tls-rounds", type=int, default=2, help="tls: rounds of a plain and a TLS load")
    ap.add_argument("--tls-window", type=float, default=4, help="tls: seconds of the publisher alone")
    ap.add_argument("--windows", default="350,100,33,10,0", help="floor merge windows, ms")
    ap.add_argument("--json", default=None, help="default: BUILD/bench.json")
    ap.add_argument("--keep", action="store_true", help="keep the temp dirs of the servers")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    targets = args.targets.split(",")
    for tool in ("srs-bench", "fanout-floor"):
        if not os.path.exists(os.path.join(args.build, tool)):
            sys.exit(f"bench: {args.build}/{tool} is not built (make all)")
    m = machine()
    print(f"bench: {args.players} players (RTMP; HTTP-FLV for srs1-flv) of a {args.bitrate} stream (gop {args.gop}), "
          f"{args.duration:g} s, ramp {args.ramp:g}/s; {m['nproc']} x {m['cpu']}, "
          f"Linux {m['kernel']}", flush=True)
    rows, capped, joins, failover, idles, tls = [], [], [], None, [], None
    started = time.monotonic()
    try:
        for t in targets:
            if t in SRS_WINDOWS:
                w = 2 if t == "srs2" else 1
                window = SRS_WINDOWS[t]
                srv = benchlib.Srs(args.build, workers=w, merge_window=window)
                url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/bench"
                flv = f"http://127.0.0.1:{srv.http_port}/live/bench.flv" if t.endswith("-flv") else None
                name = (f"srs {w} worker{'s' if w > 1 else ''}" + WINDOW_SUFFIX[window] +
                        (" HTTP-FLV" if flv else ""))
                rows.append(run_server_target(args, name, srv, url, flv, windows_used))
                # auto is held to the 0 ms floor: it must cost what sending every frame costs
                rows[-1]["window_ms"] = 350 if window == "350ms" else 0
                rows[-1]["merge_window"] = window
            elif t in ("edge", "edge-rt"):
                rows.append(run_edge_target(args, t == "edge-rt"))
            elif t == "failover":
                failover = run_failover(args)
                print(f"  failover ({args.failover_trials} trials): player gap p50 "
                      f"{fmt(failover['player_gap_p50_ms'], '{:.0f}')} ms, max "
                      f"{fmt(failover['player_gap_max_ms'], '{:.0f}')} ms; edge's own count p50 "
                      f"{fmt(failover['edge_gap_p50_ms'], '{:.0f}')} ms, max "
                      f"{fmt(failover['edge_gap_max_ms'], '{:.0f}')} ms", flush=True)
                continue
            elif t == "nginx":
                if not benchlib.install_nginx_rtmp():
                    rows.append({"target": "nginx-rtmp", "error": "not available (nginx or libnginx-mod-rtmp missing)"})
                    continue
                srv = benchlib.NginxRtmp(workers=1)
                url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/bench"
                rows.append(run_server_target(args, "nginx-rtmp", srv, url))
                rows[-1]["window_ms"] = 0  # it writes each message as it comes
            elif t == "floor":
                for w in [int(x) for x in args.windows.split(",") if x != ""]:
                    rows.append(run_floor(args, w))
            elif t == "cap":
                capped = run_capacity(args, rows)
                continue
            elif t == "idle":
                idles = idle.run_idle(args)
                print("  " + idle.idle_summary(idles).replace("\n", "\n  "), flush=True)
                continue
            elif t == "tls":
                tls = tls_cost.run_tls(args)
                continue
            elif t == "join":
                joins = run_join(args)
                for r in joins:
                    print(f"  {r['target']}: " + (r.get("error") or f"{r['joins_per_s']:.0f} joins/s"),
                          flush=True)
                continue
            else:
                sys.exit(f"bench: unknown target {t}")
            r = rows[-1]
            print(f"  {r['target']}: " + (r.get("error") or
                  f"cpu {r['cpu_s']:.2f} s for {r['gbit']:.2f} Gbit, {r['full_rate']}/{r['players']} "
                  f"at full rate, latency p99 {fmt(r['latency_p99_ms'])} ms" +
                  (f", windows used {r['windows_used_ms']}" if r.get("windows_used_ms") else "")),
                  flush=True)
    finally:
        benchlib.kill_leftovers()
    add_ratios(rows)
    if rows:
        print()
        print(table(rows))
    if capped:
        print()
        print(capacity_table(capped))
    if joins:
        print()
        print(join_table(joins))
    if idles:
        print()
        print(idle.idle_table(idles))
        print(idle.idle_summary(idles))
    if tls:
        print()
        print(tls_cost.tls_table(tls))
        print(tls_cost.tls_summary(tls))
    print(f"\nbench: {time.monotonic() - started:.0f} s in all")
    out = args.json or os.path.join(args.build, "bench.json")
    with open(out, "w") as f:
        json.dump({"machine": m, "load": {"players": args.players, "bitrate": args.bitrate,
                                          "gop": args.gop, "duration_s": args.duration,
                                          "ramp_per_s": args.ramp},
                   "results": rows, "capacity": capped, "join": joins, "failover": failover,
                   "idle": idles, "tls": tls},
                  f, indent=2)
    print(f"bench: results in {out}")


if __name__ == "__main__":
    main()
