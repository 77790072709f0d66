#!/usr/bin/env python3
"""make bench-scale: the large loads, side by side in one run (not in make bench).

Scenario `players`: one synthetic stream of --bitrate (300 kbps), then
  - srs with --workers (2) at its defaults (merge_window auto), 400 RTMP players:
    the reference CPU per Gbit;
  - the same with --players (10,000) RTMP players, then --flv-players (5,000)
    HTTP-FLV players;
  - SRS 5 (the binary in SRS_PEER_BIN, which the operator builds from SRS's
    sources; "not available" without it) and nginx-rtmp (--workers workers) with
    the same 10,000 RTMP players.
Each row: CPU s and CPU s per delivered Gbit over the whole load and over its
steady window (run.py's method), players at full rate, first frame p50/p99,
latency p50/p99, RSS per player (peak VmRSS of the tree under load minus idle),
and the descriptor limit the server ran with.

Scenario `publishers`: --publishers (1000) publishers of --pub-bitrate (500
kbps), --pub-players (2) players each, against srs (rings of --pub-ring-bytes,
shm.max_streams sized for them), SRS 5 and nginx-rtmp: CPU per published Mbit.

The server gets rtmp.max_connections and shm.max_clients for the crowd; the
master raises its descriptor limit to the hard limit (logged); srs-bench raises
its own. The run needs a hard RLIMIT_NOFILE above the clients (ulimit -Hn).
Usage: tools/bench/scale.py [--build build] [--scenarios players,publishers]
       [--players 10000] [--flv-players 5000] [--base-players 400]
       [--publishers 1000] [--duration 35] [--json FILE]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import run  # noqa: E402
from tables import fmt, markdown_table  # noqa: E402


class SrsPeer(benchlib.Server):
    """SRS 5, built by the operator: the binary in SRS_PEER_BIN, a generated
    srs.conf on free ports (RTMP, HTTP-FLV remux; no HLS, no API)."""
    name = "srs5"

    def __init__(self, binary, max_connections):
        super().__init__()
        self.binary = binary
        self.conf = os.path.join(self.dir, "srs.conf")
        self.write(f"""listen {self.rtmp_port};
max_connections {max_connections};
daemon off;
srs_log_tank file;
srs_log_file {self.dir}/srs.log;
srs_log_level warn;
pid {self.dir}/srs.pid;
http_server {{
    enabled on;
    listen {self.http_port};
    dir {self.dir};
}}
vhost __defaultVhost__ {{
    http_remux {{
        enabled on;
        mount [vhost]/[app]/[stream].flv;
    }}
}}
""")

    def write(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self):
        self.spawn([self.binary, "-c", self.conf], nofile=resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        if not benchlib.wait_port(self.rtmp_port, 10):
            raise RuntimeError("SRS 5 did not listen: " + self.log_tail("srs.log"))
        return self


def peer_binary():
    path = os.environ.get("SRS_PEER_BIN")
    return path if path and os.access(path, os.X_OK) else None


def server_for(args, kind, clients, extra_top=""):
    """(server, why not): srs, srs5 or nginx for `clients` connections."""
    if kind == "srs":
        return benchlib.Srs(args.build, workers=args.workers, merge_window="auto",
                            max_connections=clients + 100,
                            top_extra=f"shm:\n  max_clients: {clients + 1000}\n{extra_top}"), None
    if kind == "srs5":
        binary = peer_binary()
        if binary is None:
            return None, "not available (set SRS_PEER_BIN to an SRS 5 binary built from its sources)"
        return SrsPeer(binary, clients + 100), None
    if not benchlib.install_nginx_rtmp():
        return None, "not available (nginx or libnginx-mod-rtmp missing)"
    return benchlib.NginxRtmp(workers=args.workers), None


def load_args(args, players, bitrate, duration, ramp):
    """run.py's functions read the load from an argparse namespace."""
    return argparse.Namespace(build=args.build, players=players, bitrate=bitrate, gop=args.gop,
                              duration=duration, ramp=ramp, keep=False)


def players_row(args, kind, name, players, flv=False):
    srv, why = server_for(args, kind, players)
    if srv is None:
        return {"target": name, "error": why}
    load = load_args(args, players, args.bitrate, args.duration, args.ramp)
    url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/scale"
    play = f"http://127.0.0.1:{srv.http_port}/live/scale.flv" if flv else None
    return run.run_server_target(load, name, srv, url, play)


def run_players(args):
    rows = [players_row(args, "srs", f"srs {args.base_players} RTMP players", args.base_players)]
    rows.append(players_row(args, "srs", f"srs {args.players} RTMP players", args.players))
    rows.append(players_row(args, "srs", f"srs {args.flv_players} HTTP-FLV players",
                            args.flv_players, flv=True))
    rows.append(players_row(args, "srs5", f"SRS 5 {args.players} RTMP players", args.players))
    rows.append(players_row(args, "srs5", f"SRS 5 {args.flv_players} HTTP-FLV players",
                            args.flv_players, flv=True))
    rows.append(players_row(args, "nginx", f"nginx-rtmp {args.players} RTMP players", args.players))
    base = rows[0].get("steady_cpu_per_gbit")
    srs_10k = rows[1].get("steady_cpu_per_gbit")
    for r in rows:
        r["vs_srs_base"] = run.ratio(r.get("steady_cpu_per_gbit"), base)
        r["vs_srs_scale"] = run.ratio(r.get("steady_cpu_per_gbit"), srs_10k)
    return rows


def publishers_row(args, kind, name):
    clients = args.publishers * (1 + args.pub_players)
    extra = (f"  max_streams: {args.publishers + 16}\n  ring_bytes: {args.pub_ring_bytes}\n"
             if kind == "srs" else "")
    srv, why = server_for(args, kind, clients, extra)
    if srv is None:
        return {"target": name, "error": why}
    row = {"target": name, "publishers": args.publishers}
    try:
        srv.start()
        url = f"rtmp://127.0.0.1:{srv.rtmp_port}/live/pub"
        ok, why = run.probe_publish(load_args(args, 1, "300kbps", 2, args.ramp), url + "probe")
        if not ok:
            row["error"] = "not available (publish/play probe failed: " + " | ".join(why) + ")"
            return row
        idle_kb = srv.rss_kb()
        jpath = os.path.join(srv.dir, "bench.json")
        load = load_args(args, args.publishers * args.pub_players, args.pub_bitrate,
                         args.duration, args.pub_ramp)
        extra = ["--publish", url, "--publishers", str(args.publishers), "--play", url,
                 "--players", str(args.publishers * args.pub_players),
                 "--synthetic", f"{args.pub_bitrate},gop={args.gop}"]
        duration = args.duration + (args.publishers * (1 + args.pub_players)) / args.pub_ramp
        proc, timeout = run.srs_bench(load, extra, duration, jpath)
        samples, peak, out, row["cpu_source"] = run.measure(srv, proc, timeout)
        row.update(run.collect(load, jpath, out, samples, idle_kb, peak))
        report = run.read_report(jpath) or {}
        pubs = report.get("publishers", {})
        row["publishing"] = pubs.get("publishing")
        in_bytes = pubs.get("bytes") or 0
        row["published_mbit"] = round(in_bytes * 8 / 1e6, 1)
        row["cpu_per_published_mbit_ms"] = (round(row["cpu_s"] * 1000 / row["published_mbit"], 3)
                                           if row["published_mbit"] else None)
    except Exception as e:  # noqa: BLE001: a target that fails is reported, the others run
        row["error"] = f"failed: {e}"
    finally:
        srv.cleanup()
    return row


def run_publishers(args):
    n = args.publishers
    rows = [publishers_row(args, "srs", f"srs {n} publishers"),
            publishers_row(args, "srs5", f"SRS 5 {n} publishers"),
            publishers_row(args, "nginx", f"nginx-rtmp {n} publishers")]
    for r in rows:
        r["vs_srs5"] = run.ratio(r.get("cpu_per_published_mbit_ms"),
                                 rows[1].get("cpu_per_published_mbit_ms"))
    return rows


def players_table(rows):
    head = ("| target | CPU s | Gbit | CPU s/Gbit | steady CPU s/Gbit | vs srs at the base load, steady | "
            "vs srs at scale, steady | full rate | first frame p50 / p99 ms | latency p50 / p99 ms | "
            "KB RSS/player |")
    return markdown_table(head, rows, lambda r: (
        f"| {r['target']} | {fmt(r['cpu_s'])} | {fmt(r['gbit'])} | {fmt(r['cpu_per_gbit'], '{:.3f}')} | "
        f"{fmt(r.get('steady_cpu_per_gbit'), '{:.3f}')} | {fmt(r.get('vs_srs_base'))} | "
        f"{fmt(r.get('vs_srs_scale'))} | {r['full_rate']}/{r['players']} | "
        f"{fmt(r['first_frame_p50_ms'], '{:.1f}')} / {fmt(r.get('first_frame_p99_ms'), '{:.1f}')} | "
        f"{fmt(r['latency_p50_ms'])} / {fmt(r['latency_p99_ms'])} | "
        f"{fmt(r['rss_per_player_kb'], '{:.1f}')} |"))


def publishers_table(rows):
    head = ("| target | publishing | CPU s | published Mbit | CPU ms per published Mbit | vs SRS 5 | "
            "players at full rate | latency p50 / p99 ms | KB RSS/client |")
    return markdown_table(head, rows, lambda r: (
        f"| {r['target']} | {r.get('publishing')}/{r['publishers']} | {fmt(r['cpu_s'])} | "
        f"{fmt(r.get('published_mbit'), '{:.0f}')} | {fmt(r.get('cpu_per_published_mbit_ms'), '{:.3f}')} | "
        f"{fmt(r.get('vs_srs5'))} | {r['full_rate']}/{r['players']} | "
        f"{fmt(r['latency_p50_ms'])} / {fmt(r['latency_p99_ms'])} | "
        f"{fmt(r['rss_per_player_kb'], '{:.1f}')} |"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--scenarios", default="players,publishers")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--players", type=int, default=10000)
    ap.add_argument("--flv-players", type=int, default=5000)
    ap.add_argument("--base-players", type=int, default=400)
    ap.add_argument("--bitrate", default="300kbps")
    ap.add_argument("--gop", default="2s")
    ap.add_argument("--duration", type=float, default=35)
    ap.add_argument("--ramp", type=float, default=1000)
    ap.add_argument("--publishers", type=int, default=1000)
    ap.add_argument("--pub-players", type=int, default=2)
    ap.add_argument("--pub-bitrate", default="500kbps")
    ap.add_argument("--pub-ramp", type=float, default=500)
    ap.add_argument("--pub-ring-bytes", default="2MiB")
    ap.add_argument("--json", default=None, help="default: BUILD/bench-scale.json")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    # srs-bench and the server each hold one descriptor per client.
    need = max(args.players, args.publishers * (1 + args.pub_players)) + 1000
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard < need:
        sys.exit(f"bench-scale: the hard descriptor limit is {hard}, each process needs {need} "
                 f"(one per client): raise it (ulimit -Hn, LimitNOFILE)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    m = run.machine()
    print(f"bench-scale: {m['nproc']} x {m['cpu']}, Linux {m['kernel']}; SRS 5: "
          f"{peer_binary() or 'not given (SRS_PEER_BIN)'}", flush=True)
    out = {"machine": m, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        for scenario in args.scenarios.split(","):
            if scenario == "players":
                out["players"] = run_players(args)
                print("\n" + players_table(out["players"]), flush=True)
            elif scenario == "publishers":
                out["publishers"] = run_publishers(args)
                print("\n" + publishers_table(out["publishers"]), flush=True)
            else:
                sys.exit(f"bench-scale: unknown scenario {scenario}")
    finally:
        benchlib.kill_leftovers()
    path = args.json or os.path.join(args.build, "bench-scale.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"\nbench-scale: JSON in {path}")


if __name__ == "__main__":
    main()
