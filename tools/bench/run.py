#!/usr/bin/env python3
"""make bench: the same load against this server (1 and 2 workers), nginx-rtmp
(1 worker) and the bare fan-out floor, side by side in one run, on loopback.

For each target: server CPU seconds per delivered gigabit (/proc utime+stime of
the server's whole process tree, before/after the load), players held at full
rate, RSS per player (VmRSS of the tree under load minus idle, per player),
latency p50/p99 and time to first frame (from srs-bench's stamps), and the
ratios against nginx-rtmp and against the floor. Method and results: BENCH.md.

Usage: tools/bench/run.py [--build build] [--players 400] [--bitrate 1100kbps]
                          [--gop 2s] [--duration 20] [--ramp 200]
                          [--targets srs1,srs2,srs1-rt,srs1-flv,nginx,floor] [--windows 350,100,33,10,0]
                          [--json FILE] [--keep]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def srs_bench(args, extra, duration_s, json_path, timeout_pad=30):
    cmd = [os.path.join(args.build, "srs-bench"), "--duration", f"{duration_s}s",
           "--ramp", f"{args.ramp}/s", "--json", json_path, "--quiet"] + extra
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), \
        duration_s + timeout_pad


def probe_publish(args, url):
    """A 2 s publish + play: does this server serve RTMP live at all?"""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        proc, timeout = srs_bench(args, ["--publish", url, "--play", url, "--players", "1",
                                         "--synthetic", "300kbps,gop=1s", "--expect-publish",
                                         "--expect-all-played"], 3, f.name)
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode == 0, out.strip().splitlines()[-3:]


def measure(server, bench_proc, timeout):
    """CPU of the server tree over the load, and its peak RSS while loaded."""
    cpu0 = server.cpu_seconds()
    peak = server.rss_kb()
    deadline = time.monotonic() + timeout
    while bench_proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        peak = max(peak, server.rss_kb())
    cpu1 = server.cpu_seconds()
    if bench_proc.poll() is None:
        bench_proc.kill()
    out = bench_proc.communicate()[0]
    return cpu1 - cpu0, peak, out


def run_server_target(args, name, server, url, play_url=None):
    """Publisher + players through a real server (srs or nginx-rtmp); the
    players read play_url (HTTP-FLV) when given, else the RTMP url."""
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
        cpu, peak, out = measure(server, proc, timeout)
        row.update(collect(args, jpath, out, cpu, idle, peak))
    except Exception as e:  # noqa: BLE001: a target that fails is reported, the others run
        row["error"] = f"failed: {e}"
    finally:
        if not args.keep:
            server.cleanup()
        else:
            server.stop()
    return row


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
        cpu, peak, out = measure(floor, proc, timeout)
        row.update(collect(args, jpath, out, cpu, idle, peak))
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


def collect(args, jpath, out, cpu, idle_kb, peak_kb):
    try:
        with open(jpath) as f:
            b = json.load(f)
    except (OSError, ValueError):
        return {"error": "srs-bench wrote no report: " + out[-500:]}
    players = b["players"]
    gbit = players["bytes"] * 8 / 1e9
    return {
        "cpu_s": round(cpu, 3),
        "gbit": round(gbit, 3),
        "cpu_per_gbit": round(cpu / gbit, 3) if gbit > 0 else None,
        "players": players["count"],
        "played": players["played"],
        "full_rate": players["full_rate"],
        "rss_per_player_kb": round((peak_kb - idle_kb) / max(1, players["count"]), 1),
        # Raw TCP readers (the floor) see no stamps: no latency to report.
        "latency_p50_ms": b["latency_ms"]["p50"] if b["latency_ms"]["count"] else None,
        "latency_p99_ms": b["latency_ms"]["p99"] if b["latency_ms"]["count"] else None,
        "first_frame_p50_ms": b["first_frame_ms"]["p50"],
        "first_keyframe_p50_ms": b["first_keyframe_ms"]["p50"],
        "bench_cpu_s": b["self_cpu_s"],
    }


def ratio(a, b):
    if not a or not b:
        return None
    return round(a / b, 2)


def add_ratios(rows):
    by = {r["target"]: r for r in rows}
    nginx = by.get("nginx-rtmp", {}).get("cpu_per_gbit")
    floors = {r["window_ms"]: r.get("cpu_per_gbit") for r in rows if r["target"].startswith("floor")}
    for r in rows:
        r["vs_nginx"] = ratio(r.get("cpu_per_gbit"), nginx)
        # Against the floor at the same merge window (nginx-rtmp: every message, 0 ms).
        r["vs_floor"] = ratio(r.get("cpu_per_gbit"), floors.get(r.get("window_ms")))


def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def table(rows):
    head = ("| target | CPU s | Gbit | CPU s/Gbit | full rate | KB RSS/player | latency p50 ms | "
            "p99 ms | first frame p50 ms | vs nginx | vs floor, same window |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['target']} | {r['error']} |" + " |" * 9)
            continue
        lines.append(
            f"| {r['target']} | {fmt(r['cpu_s'])} | {fmt(r['gbit'])} | {fmt(r['cpu_per_gbit'])} | "
            f"{r['full_rate']}/{r['players']} | {fmt(r['rss_per_player_kb'], '{:.1f}')} | "
            f"{fmt(r['latency_p50_ms'])} | {fmt(r['latency_p99_ms'])} | "
            f"{fmt(r['first_frame_p50_ms'], '{:.1f}')} | {fmt(r['vs_nginx'])} | "
            f"{fmt(r['vs_floor'])} |")
    return "\n".join(lines)


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
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--ramp", type=float, default=200)
    ap.add_argument("--targets", default="srs1,srs2,srs1-rt,srs1-flv,nginx,floor")
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
    rows = []
    started = time.monotonic()
    try:
        for t in targets:
            if t in ("srs1", "srs2", "srs1-rt", "srs1-flv"):
                w = 2 if t == "srs2" else 1
                rt = t.endswith("-rt")
                srv = benchlib.Srs(args.build, workers=w, merge_window="0s" if rt else "350ms")
                url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/bench"
                flv = f"http://127.0.0.1:{srv.http_port}/live/bench.flv" if t.endswith("-flv") else None
                name = (f"srs {w} worker{'s' if w > 1 else ''}" + (" realtime" if rt else "") +
                        (" HTTP-FLV" if flv else ""))
                rows.append(run_server_target(args, name, srv, url, flv))
                rows[-1]["window_ms"] = 0 if rt else 350
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
            else:
                sys.exit(f"bench: unknown target {t}")
            r = rows[-1]
            print(f"  {r['target']}: " + (r.get("error") or
                  f"cpu {r['cpu_s']:.2f} s for {r['gbit']:.2f} Gbit, {r['full_rate']}/{r['players']} "
                  f"at full rate, latency p99 {fmt(r['latency_p99_ms'])} ms"), flush=True)
    finally:
        benchlib.kill_leftovers()
    add_ratios(rows)
    print()
    print(table(rows))
    print(f"\nbench: {time.monotonic() - started:.0f} s in all")
    out = args.json or os.path.join(args.build, "bench.json")
    with open(out, "w") as f:
        json.dump({"machine": m, "load": {"players": args.players, "bitrate": args.bitrate,
                                          "gop": args.gop, "duration_s": args.duration,
                                          "ramp_per_s": args.ramp},
                   "results": rows}, f, indent=2)
    print(f"bench: results in {out}")


if __name__ == "__main__":
    main()
