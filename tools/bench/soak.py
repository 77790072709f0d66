#!/usr/bin/env python3
"""make soak: the fault-tolerance soak test (not part of `make test`).

One publisher and --players players (half RTMP, half HTTP-FLV) of srs-bench
against build/srs with --workers workers for --seconds, while a worker is
SIGKILLed every --kill-every seconds and the master gets a SIGHUP (a reload:
a new generation of workers, the old one drains) every --reload-every
seconds. srs-bench reconnects every player whose connection ends (after
--reconnect) and ends each player session on its own after a random
--session length, so that players move to the new generations and the old
ones drain, as viewers of a live stream do.

What is checked (soakreport.py prints one row per claim, pass or fail):
- no player is dropped on a worker that was not killed: before each kill the
  victim is stopped (SIGSTOP) and the connections it holds (server port, peer
  port) are read from /proc, with its clients from /api/v1/clients; every
  drop srs-bench reports (with the local port of the connection) must be one
  of those, and the drops must add up to the victims' clients;
- the publisher's worker is never the victim, and its stream never stops;
- every reload completes, none drops anyone, old generations exit once
  their last player left;
- no connection is refused (srs-bench's connect failures and rejections,
  the log's "refused" lines, the refusal counters of /metrics and
  /api/v1/workers);
- no leak: the RSS and open descriptors of the master and of every worker,
  sampled every --sample-every seconds, and the number of processes;
- at the end, with the load stopped: no stream and no client left in the
  API, only the serving generation's workers, no ring segment in /dev/shm;
- /api/v1/workers gives each worker's generation, as the log does.
--kick N adds drops no kill explains, to see the soak fail.

Usage: tools/bench/soak.py [--build build] [--seconds 600] [--workers 4]
           [--players 300] [--json FILE] [--keep]
Method and results: BENCH.md ("Soak").
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import procstat  # noqa: E402
import soakreport  # noqa: E402

PUBLISH_TYPES = ("fmle-publish", "flash-publish", "haivision-publish")
NOT_PLAYERS = PUBLISH_TYPES + ("http-api",)
STREAM = "soak"


class Soak:
    """One soak run: the server, the load, the faults, the samples."""

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.srv = benchlib.Srs(args.build, workers=args.workers, log_level="info",
                                max_connections=1000)
        with open(self.srv.conf, "a") as f:
            f.write("drain_timeout: 0s  # old generations keep their players until they leave\n")
        # A private copy: another build may replace build/srs while this runs.
        copy = os.path.join(self.srv.dir, "srs")
        shutil.copy2(self.srv.binary, copy)
        binary = {"path": self.srv.binary, "mtime": time.strftime(
            "%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(copy))), "sha256": sha256(copy)}
        self.srv.binary = copy
        self.server_ports = {self.srv.rtmp_port, self.srv.http_port}
        self.master = None
        self.bench = None
        self.closed = {}  # the log's "closed" lines by peer port (soakreport.scan_log)
        self.record = {"config": dict(vars(args)), "binary": binary, "kills": [],
                       "reloads": [], "samples": [], "worker_counters": {}, "metrics_refused": 0,
                       "wall_minus_mono": time.time() - time.monotonic(),
                       "server_ports": {"rtmp": self.srv.rtmp_port, "http-flv": self.srv.http_port}}

    # --- the API -------------------------------------------------------------------------

    def api(self, path, timeout=3):
        url = f"http://127.0.0.1:{self.srv.api_port}{path}"
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read().decode()
        return body if path == "/metrics" else json.loads(body)

    def workers(self):
        return self.api("/api/v1/workers").get("workers", [])

    def clients(self):
        return self.api("/api/v1/clients?count=100000").get("clients", [])

    def streams(self):
        return self.api("/api/v1/streams?count=1000").get("streams", [])

    def publisher_pid(self):
        for s in self.streams():
            if s.get("name") == STREAM and s.get("state") == "live":
                return s.get("worker_pid")
        return None

    def note_counters(self, workers):
        """Per worker pid, the highest refusal and drop counters seen: a killed
        worker's counters leave the API with it."""
        keep = self.record["worker_counters"]
        for w in workers:
            c = dict(w.get("refused", {}))
            for k in ("dropped_players", "lapped_players", "handshake_timeouts",
                      "header_timeouts"):
                c[k] = w.get(k, 0)
            old = keep.setdefault(str(w["pid"]), {})
            for k, v in c.items():
                old[k] = max(old.get(k, 0), v)

    def note_metrics(self):
        try:
            text = self.api("/metrics")
        except (OSError, ValueError):
            return
        total = 0
        for line in text.splitlines():
            if line.startswith("srs_limit_refused_total") or \
                    line.startswith("srs_access_refused_total"):
                total += int(float(line.rsplit(" ", 1)[1]))
        self.record["metrics_refused"] = max(self.record["metrics_refused"], total)

    # --- start ---------------------------------------------------------------------------

    def start_server(self):
        self.srv.start()
        self.master = self.srv.proc.pid
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                ready = [w for w in self.workers() if w["state"] == "ready"]
                if len(ready) >= self.args.workers:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError("the workers did not become ready: " + self.srv.log_tail("srs.log"))

    def start_load(self, duration_s):
        a, s = self.args, self.srv
        rtmp = f"rtmp://127.0.0.1:{s.rtmp_port}/live/{STREAM}"
        flv = f"http://127.0.0.1:{s.http_port}/live/{STREAM}.flv"
        self.bench_json = os.path.join(s.dir, "srs-bench.json")
        cmd = [os.path.join(a.build, "srs-bench"), "--publish", rtmp,
               "--synthetic", f"{a.bitrate},gop={a.gop}", "--play", rtmp, "--play", flv,
               "--players", str(a.players // 2), "--ramp", f"{a.ramp}/s",
               "--duration", f"{duration_s}s", "--reconnect", a.reconnect,
               "--session", a.session, "--seed", str(a.seed), "--json", self.bench_json,
               "--per-client"]
        self.bench_out = open(os.path.join(s.dir, "srs-bench.txt"), "w")
        self.bench = subprocess.Popen(cmd, stdout=self.bench_out, stderr=subprocess.STDOUT)

    def wait_players(self, timeout):
        """Until the stream is live and nearly every player plays it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                for st in self.streams():
                    if st.get("name") == STREAM and st.get("players", 0) >= 0.95 * self.args.players:
                        return True
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        return False

    # --- the faults ----------------------------------------------------------------------

    def reload(self, t0):
        os.kill(self.master, signal.SIGHUP)
        self.record["reloads"].append({"t": round(time.monotonic() - t0, 3)})

    def kick(self, t0):
        """--kick: DELETE /api/v1/clients/ID of a random player, a drop no kill
        explains (the soak must then fail: a check of the checker)."""
        players = [c for c in self.clients() if c.get("type") not in NOT_PLAYERS]
        if not players:
            return
        c = self.rng.choice(players)
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.srv.api_port}/api/v1/clients/{c['id']}", method="DELETE")
        with urllib.request.urlopen(req, timeout=3) as r:
            r.read()
        self.record.setdefault("kicks", []).append(
            {"t": round(time.monotonic() - t0, 3), "id": c["id"], "worker_pid": c["worker_pid"]})

    def pick_victim(self, index):
        """A worker that holds players and not the publisher: a serving one
        (state "ready": the current generation, which the master replaces) on
        even kills, a draining one (an older generation, not replaced) on odd
        kills when there is one. The state tells them apart: the "generation"
        of /api/v1/workers counts the starts of a slot, not reloads."""
        workers = self.workers()
        self.note_counters(workers)
        pub = self.publisher_pid()
        per_pid = {}
        for c in self.clients():
            if c.get("type") not in NOT_PLAYERS:
                per_pid[c["worker_pid"]] = per_pid.get(c["worker_pid"], 0) + 1
        live = set(benchlib.tree(self.master))
        cands = [w for w in workers if w["pid"] in live and w["pid"] != pub and
                 per_pid.get(w["pid"], 0) > 0]
        cur = [w for w in cands if w["state"] == "ready"]
        old = [w for w in cands if w["state"] == "draining"]
        group = (old if index % 2 else cur) or cur or old
        self.last_candidates = {"serving": len(cur), "draining": len(old)}
        if not group:
            return None, pub
        return self.rng.choice(group), pub

    def kill(self, index, t0):
        """SIGSTOP the victim, read what it holds (/proc and the API), SIGKILL it."""
        victim, pub = self.pick_victim(index)
        entry = {"index": index, "t": round(time.monotonic() - t0, 3), "publisher_pid": pub,
                 "candidates": self.last_candidates}
        if victim is None:
            entry["skipped"] = "no worker with players other than the publisher's"
            self.record["kills"].append(entry)
            return
        pid = victim["pid"]
        entry.update(pid=pid, slot=victim["slot"], state=victim["state"])
        reloads = self.record["reloads"]
        entry["since_reload_s"] = round(entry["t"] - reloads[-1]["t"], 3) if reloads else None
        os.kill(pid, signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            entry["conns"] = sorted(procstat.client_ports(pid, self.server_ports))
            try:
                types = {}
                for c in self.clients():
                    if c["worker_pid"] == pid:
                        types[c["type"]] = types.get(c["type"], 0) + 1
                entry["api_clients"] = types
                mine = [w for w in self.workers() if w["pid"] == pid]
                self.note_counters(mine)
            except (OSError, ValueError) as e:
                entry["api_error"] = str(e)
        finally:
            entry["mono_s"] = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            entry["stopped_ms"] = round((entry["mono_s"] - stopped) * 1000, 1)
        entry["api_players"] = sum(n for t, n in entry.get("api_clients", {}).items()
                                   if t not in NOT_PLAYERS)
        entry["api_publishers"] = sum(n for t, n in entry.get("api_clients", {}).items()
                                      if t in PUBLISH_TYPES)
        self.record["kills"].append(entry)

    # --- samples -------------------------------------------------------------------------

    def sample(self, label, t0):
        """RSS and descriptors of the master and every worker, the clients, the
        ring segments, the worker table."""
        pids = benchlib.tree(self.master)
        table = procstat.tcp_table(self.master)
        procs = [procstat.process_sample(p, self.server_ports, table) for p in pids]
        procs = [p for p in procs if p["fds"] > 0]
        s = {"label": label, "t": round(time.monotonic() - t0, 3), "processes": len(procs),
             "master": next((p for p in procs if p["pid"] == self.master), None),
             "workers": [p for p in procs if p["pid"] != self.master],
             "rss_kb": sum(p["rss_kb"] for p in procs), "fds": sum(p["fds"] for p in procs),
             "client_sockets": sum(p["client_sockets"] for p in procs),
             "shm_segments": len(procstat.shm_segments(self.master))}
        try:
            workers = self.workers()
            self.note_counters(workers)
            s["states"] = {}
            for w in workers:
                s["states"][w["state"]] = s["states"].get(w["state"], 0) + 1
            s["api_workers"] = [{k: w[k] for k in ("slot", "pid", "generation", "state",
                                                   "connections", "players")}
                                for w in workers]
            s["api_clients"] = sum(1 for c in self.clients() if c.get("type") != "http-api")
        except (OSError, ValueError) as e:
            s["api_error"] = str(e)
        self.note_metrics()
        self.record["samples"].append(s)
        return s

    def progress(self, s):
        drops = "?"
        try:
            with open(os.path.join(self.srv.dir, "srs-bench.txt")) as f:
                lines = [ln for ln in f.read().splitlines()[-6:] if "] drops " in ln]
            drops = lines[-1].split("] ", 1)[1].strip() if lines else "?"
        except OSError:
            pass
        kills = sum(1 for k in self.record["kills"] if "pid" in k)
        print(f"[{s['t']:6.1f}s] processes {s['processes']}, workers {s.get('states')}, "
              f"client sockets {s['client_sockets']}, "
              f"RSS {s['rss_kb'] / 1024:.0f} MB, fds {s['fds']}, kills {kills}, "
              f"reloads {len(self.record['reloads'])}; srs-bench: {drops}", flush=True)

    # --- the run -------------------------------------------------------------------------

    def chaos(self, t0, until):
        """A reload every reload_every s; a kill every kill_every s, at a random
        moment between two reloads (--kill-phase random: some land while a new
        generation starts) or half-way (mid); a sample every sample_every s,
        half-way between reloads."""
        a = self.args
        timers = {"reload": a.reload_every, "sample": a.reload_every / 2}
        kill_base = a.reload_every  # kills go between this reload and the next

        def next_kill():
            if a.kill_phase == "mid":
                return kill_base + a.reload_every / 2
            return kill_base + self.rng.uniform(0.05, a.reload_every - 0.05)

        timers["kill"] = next_kill()
        if a.kick:
            timers["kick"] = self.rng.uniform(1, max(1.0, until - t0 - 1))
        kicks = kills = 0
        while True:
            name = min(timers, key=timers.get)
            at = t0 + timers[name]
            if at >= until or self.bench.poll() is not None:
                return
            time.sleep(max(0.0, at - time.monotonic()))
            try:
                self.act(name, t0, kills)
            except (OSError, ValueError) as e:  # an API call failed: noted, the run goes on
                self.record.setdefault("errors", []).append(
                    {"t": round(time.monotonic() - t0, 3), "action": name, "error": str(e)})
            if name == "reload":
                timers[name] += a.reload_every
            elif name == "kick":
                kicks += 1
                timers[name] = (self.rng.uniform(timers[name], until - t0) if kicks < a.kick
                                else float("inf"))
            elif name == "kill":
                kills += 1
                kill_base += a.kill_every
                timers[name] = next_kill()
            else:
                timers[name] += a.sample_every

    def act(self, name, t0, kills):
        """One action of the chaos loop."""
        if name == "reload":
            self.reload(t0)
        elif name == "kick":
            self.kick(t0)
        elif name == "kill":
            self.kill(kills, t0)
        else:
            self.progress(self.sample("run", t0))

    def end_state(self, t0, timeout):
        """With the load stopped: polls until no stream and no client is left, the
        workers are the serving generation's only and /dev/shm holds no ring of
        this server, or `timeout` s. The last look is kept, with the time each
        condition first held."""
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        first = {}
        while True:
            look = {"t": round(time.monotonic() - t0, 3)}
            try:
                workers = self.workers()
                look["streams"] = [s.get("name") for s in self.streams()]
                look["clients"] = [c.get("type") for c in self.clients()
                                   if c.get("type") != "http-api"]
                look["workers"] = [{k: w[k] for k in ("slot", "pid", "generation", "state")}
                                   for w in workers]
                look["old_workers"] = [w["pid"] for w in workers if w["state"] != "ready"]
                look["self"] = self.api("/api/v1/self").get("data", {})
            except (OSError, ValueError) as e:
                look["api_error"] = str(e)
            look["processes"] = len(benchlib.tree(self.master))
            look["shm_segments"] = procstat.shm_segments(self.master)
            waited = round(time.monotonic() - started, 1)
            held = {"clients": "api_error" not in look and not look["clients"],
                    "streams": "api_error" not in look and not look["streams"],
                    "workers": "api_error" not in look and not look["old_workers"] and
                    len(look["workers"]) == self.args.workers and
                    look["processes"] == self.args.workers + 1,
                    "shm": not look["shm_segments"]}
            for k, v in held.items():
                if v:
                    first.setdefault(k, waited)
                else:
                    first.pop(k, None)
            if all(held.values()) or time.monotonic() >= deadline:
                look["clean"] = all(held.values())
                look["waited_s"] = waited
                look["held_after_s"] = first
                return look
            time.sleep(0.5)

    def run(self):
        a = self.args
        self.start_server()
        t0 = time.monotonic()
        self.record["idle"] = self.sample("idle", t0)
        lead = a.players / a.ramp + 5
        duration = int(lead + a.seconds + a.tail + 0.999)
        self.start_load(duration)
        bench_end = time.monotonic() + duration
        if not self.wait_players(lead + 10):
            print("soak: the players did not all start; going on", flush=True)
        t0 = time.monotonic()
        self.record["chaos_start_mono_s"] = t0
        self.progress(self.sample("start", t0))
        self.chaos(t0, min(t0 + a.seconds, bench_end - a.tail))
        self.record["chaos_s"] = round(time.monotonic() - t0, 1)
        self.progress(self.sample("chaos over", t0))
        try:
            self.bench.wait(timeout=max(10.0, bench_end - time.monotonic() + 30))
        except subprocess.TimeoutExpired:
            self.bench.kill()
            self.bench.wait()
        self.record["bench_exit"] = self.bench.returncode
        self.record["after_load"] = self.sample("load over", t0)
        self.record["end_state"] = self.end_state(t0, a.end_timeout)
        self.record["end"] = self.sample("end", t0)
        self.progress(self.record["end"])
        self.stop_server()
        self.record["bench"] = read_json(self.bench_json)

    def stop_server(self):
        master = self.master
        self.srv.stop(timeout=20)
        self.record["master_exit"] = self.srv.proc.returncode
        self.record["shm_after_stop"] = procstat.shm_segments(master)
        with open(os.path.join(self.srv.dir, "srs.log"), errors="replace") as f:
            self.record["log"], self.closed = soakreport.scan_log(f, self.record)

    def cleanup(self):
        if self.bench is not None and self.bench.poll() is None:
            self.bench.kill()
            self.bench.wait()
        if getattr(self, "bench_out", None):
            self.bench_out.close()
        self.srv.stop()
        if self.args.keep:
            print(f"soak: kept {self.srv.dir}")
        else:
            shutil.rmtree(self.srv.dir, ignore_errors=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--seconds", type=float,
                   default=float(os.environ.get("SOAK_SECONDS", "600")),
                   help="how long the faults go on (default $SOAK_SECONDS or 600)")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--players", type=int, default=300, help="half RTMP, half HTTP-FLV")
    p.add_argument("--bitrate", default="500kbps")
    p.add_argument("--gop", default="2s")
    p.add_argument("--ramp", type=float, default=100, help="players started per second")
    p.add_argument("--kill-every", type=float, default=10)
    p.add_argument("--reload-every", type=float, default=5)
    p.add_argument("--sample-every", type=float, default=10)
    p.add_argument("--kill-phase", choices=("random", "mid"), default="random",
                   help="when a kill comes between two reloads")
    p.add_argument("--reconnect", default="500ms", help="srs-bench --reconnect")
    p.add_argument("--session", default="10s-30s", help="srs-bench --session")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tail", type=float, default=8,
                   help="seconds of load without faults at the end (every drop reconnects)")
    p.add_argument("--end-timeout", type=float, default=45,
                   help="seconds to wait for the end state once the load stopped")
    p.add_argument("--kick", type=int, default=0,
                   help="kick this many players through the API: drops no kill explains, "
                   "which the soak must report (a check of the checker)")
    p.add_argument("--json", help="write everything measured here")
    p.add_argument("--keep", action="store_true", help="keep the server's directory (log)")
    return p.parse_args()


def main():
    args = parse_args()
    args.build = os.path.abspath(args.build)
    for binary in ("srs", "srs-bench"):
        if not os.path.exists(os.path.join(args.build, binary)):
            sys.exit(f"soak: {args.build}/{binary} is not built")
    soak = Soak(args)
    started = time.monotonic()
    try:
        soak.run()
        record = soak.record
        record["wall_s"] = round(time.monotonic() - started, 1)
        claims = soakreport.evaluate(record, soak.closed)
    except KeyboardInterrupt:
        print("soak: interrupted")
        return 130
    finally:
        soak.cleanup()
        benchlib.kill_leftovers()
    record["claims"] = claims
    print(soakreport.table(record, claims))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(record, f, indent=1)
    return 0 if all(c["pass"] for c in claims) else 1


if __name__ == "__main__":
    sys.exit(main())
