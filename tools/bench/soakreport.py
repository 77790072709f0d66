"""The soak test's verdicts (soak.py): the server's log read once, each drop
srs-bench reported attributed to a kill, the samples turned into first / last
/ max / slope, and one row per claim, pass or fail, with its figures.

A drop is a player connection the server ended without refusing it (srs-bench
--reconnect lists each with its local port and CLOCK_MONOTONIC time). It is
the kill's when its connection (the server port of the player's kind, the
player's port) is one the victim held when it was stopped just before the
SIGKILL (/proc), and it ended within KILL_WINDOW_S after the kill. Every other drop is a player dropped on a worker that was not
killed: the claim fails and the drop is listed with the server's log lines
for its port.
"""
import re
import time

KILL_WINDOW_S = 10.0
# Leak thresholds over the steady samples (after the warm-up): see BENCH.md ("Soak").
MASTER_FD_SLACK = 2
WORKER_FD_SLACK = 4
MASTER_RSS_GROWTH_KB = 1024
PER_CLIENT_DRIFT = 0.10  # |slope| x run length, as a share of the mean

LOG_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\]\[(\w+)\]\[(\d+)\]\[[^\]]*\] (.*)$")
EXIT = re.compile(r"worker slot (\d+) generation (\d+) pid (\d+) (killed by signal \d+ \([^)]*\)|"
                  r"exited with status \d+|ended with status \d+)(; .*respawning in (\d+) ms)?")
RECLAIM = re.compile(r"worker slot (\d+) pid (\d+): reclaimed (\d+) clients and (\d+) links; "
                     r"(\d+) streams now wait")
CLOSED = re.compile(r"client 127\.0\.0\.1:(\d+) closed: (.*)")
STARTED = re.compile(r"worker slot (\d+) generation (\d+): started pid (\d+)")
SERVING = re.compile(r"reload done: generation (\d+) serving")


def wall_of(stamp):
    """The log's local time stamp as seconds since the epoch."""
    head, frac = stamp.split(".")
    return time.mktime(time.strptime(head, "%Y-%m-%d %H:%M:%S")) + float("0." + frac)


def scan_log(lines, record):
    """What the server's log says, in counts; and {peer port: [(wall s, text)]}
    of its "closed" lines (to show next to a drop no kill explains)."""
    out = {"lines": 0, "levels": {}, "refused": [], "reload_begun": 0, "reload_done": 0,
           "reload_ignored": 0, "reload_failed": [], "exits": [], "reclaims": [],
           "drained_generations": 0, "workers_drained": 0, "warn_error": {},
           "generation_of_pid": {}, "serving_generation": 1}
    closed = {}
    for line in lines:
        m = LOG_LINE.match(line.rstrip("\n"))
        if not m:
            continue
        stamp, level, _pid, text = m.groups()
        out["lines"] += 1
        out["levels"][level] = out["levels"].get(level, 0) + 1
        if "refused" in text:
            out["refused"].append(line.strip()[:300])
        if re.match(r"reload \d+: reading", text):
            out["reload_begun"] += 1
        elif text.startswith("reload done"):
            out["reload_done"] += 1
        elif text.startswith("reload ignored"):
            out["reload_ignored"] += 1
        elif text.startswith("reload failed") or text.startswith("reload rejected"):
            out["reload_failed"].append(text[:300])
        if "has fully drained" in text:
            out["drained_generations"] += 1
        if text.endswith("drained, exiting"):
            out["workers_drained"] += 1
        e = EXIT.search(text)
        if e:
            out["exits"].append({"slot": int(e[1]), "generation": int(e[2]), "pid": int(e[3]),
                                 "how": e[4], "respawn_ms": int(e[6]) if e[6] else None})
        r = RECLAIM.search(text)
        if r:
            out["reclaims"].append({"pid": int(r[2]), "clients": int(r[3]),
                                    "streams_lost": int(r[5])})
        g = STARTED.search(text)
        if g:
            out["generation_of_pid"][g[3]] = int(g[2])
        g = SERVING.search(text)
        if g:
            out["serving_generation"] = int(g[1])
        c = CLOSED.search(text)
        if c:
            closed.setdefault(int(c[1]), []).append((wall_of(stamp), line.strip()[:300]))
        if level in ("WARN", "ERROR"):
            key = re.sub(r"\d+", "N", text)[:160]
            out["warn_error"][key] = out["warn_error"].get(key, 0) + 1
    out["refused_count"] = len(out["refused"])
    out["refused"] = out["refused"][:10]
    return out, closed


# --- figures ----------------------------------------------------------------------------


def slope_per_min(points):
    """Least-squares slope of [(t s, y)] in y per minute (0 with fewer than 3 points)."""
    if len(points) < 3:
        return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return sum((t - mt) * (y - my) for t, y in points) / var * 60


def series(points):
    """{first, last, min, max, mean, slope_per_min} of [(t, y)]."""
    ys = [y for _, y in points]
    if not ys:
        return None
    return {"first": ys[0], "last": ys[-1], "min": min(ys), "max": max(ys),
            "mean": sum(ys) / len(ys), "slope_per_min": slope_per_min(points)}


def fmt(s, unit="", digits=0):
    if s is None:
        return "no samples"
    f = f"{{:.{digits}f}}"
    return (f"first {f.format(s['first'])}{unit}, last {f.format(s['last'])}{unit}, "
            f"max {f.format(s['max'])}{unit}, slope {s['slope_per_min']:+.{digits + 2}f}{unit}/min")


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if v else None


# --- attribution ------------------------------------------------------------------------


def attribute(players, kills, server_ports):
    """Each drop to the kill whose victim held its connection (the server port
    of the player's kind and the player's port), or to nobody."""
    for k in kills:
        k["drops"] = 0
        k["port_set"] = {tuple(c) for c in k.get("conns", [])}
    matched, unmatched = [], []
    for i, p in enumerate(players):
        for e in p.get("ends", []):
            if not e.get("drop"):
                continue
            e = dict(e, player=i, kind=p["kind"])
            conn = (server_ports.get(p["kind"]), e["port"])
            # The latest such kill: a port freed by one kill may come back (the
            # kernel reuses it) on a connection the next kill drops.
            owner = max((k for k in kills if conn in k["port_set"] and
                         k["mono_s"] - 0.01 <= e["mono_s"] <= k["mono_s"] + KILL_WINDOW_S),
                        key=lambda k: k["mono_s"], default=None)
            if owner is None:
                unmatched.append(e)
            else:
                owner["drops"] += 1
                matched.append(e)
    for k in kills:
        del k["port_set"]
    return matched, unmatched


def evidence(drop, closed, wall_minus_mono):
    """The server's "closed" lines for the drop's port, nearest to its time."""
    wall = drop["mono_s"] + wall_minus_mono
    lines = sorted(closed.get(drop["port"], []), key=lambda x: abs(x[0] - wall))
    return [text for _, text in lines[:2]]


# --- claims -----------------------------------------------------------------------------


def claim(rows, name, ok, figures):
    rows.append({"claim": name, "pass": bool(ok), "figures": figures})


def evaluate(record, closed=None):
    closed = closed or {}
    rows = []
    bench = record.get("bench")
    if not bench or "clients" not in bench:
        claim(rows, "srs-bench ran and reported", False,
              f"no report (exit status {record.get('bench_exit')})")
        return rows
    players = [c for c in bench["clients"] if c["kind"] != "publisher"]
    publishers = [c for c in bench["clients"] if c["kind"] == "publisher"]
    kills = [k for k in record["kills"] if "pid" in k]
    log = record.get("log", {})
    matched, unmatched = attribute(players, kills, record.get("server_ports", {}))
    record["unattributed_drops"] = unmatched[:50]
    for d in record["unattributed_drops"]:
        d["log"] = evidence(d, closed, record.get("wall_minus_mono", 0))
    publisher_claim(rows, publishers, kills)
    drop_claims(rows, record, players, kills, matched, unmatched)
    reconnect_claims(rows, bench, players)
    reload_claims(rows, record, log)
    kill_claims(rows, record, kills, log)
    refusal_claim(rows, record, bench, log)
    leak_claims(rows, record)
    end_claims(rows, record)
    api_generation_claim(rows, record)
    return rows


def publisher_claim(rows, publishers, kills):
    pub = publishers[0] if publishers else {}
    hit = [k for k in kills if k["pid"] == k.get("publisher_pid")]
    ok = bool(pub) and pub.get("live_at_end") and not pub.get("ends") and not hit
    claim(rows, "the publisher's stream survives every kill (its worker never the victim)", ok,
          f"publishing at the end: {'yes' if pub.get('live_at_end') else 'NO'}, "
          f"{pub.get('rate_kbps', 0):.0f} kbps sent, {len(pub.get('ends', []))} drops; "
          f"its worker killed {len(hit)} times")


def drop_claims(rows, record, players, kills, matched, unmatched):
    drops = len(matched) + len(unmatched)
    by_phase = {}
    for d in unmatched:
        by_phase[d["phase"]] = by_phase.get(d["phase"], 0) + 1
    where = ", ".join(f"{n} {ph}" for ph, n in sorted(by_phase.items()))
    pids = sorted({d["server_pid"] for d in unmatched if d.get("server_pid")})
    claim(rows, "no player dropped on a worker that was not killed", not unmatched,
          f"{drops} drops: {len(matched)} on the victims' connections (server and peer port held "
          f"by the victim at the kill, ended within {KILL_WINDOW_S:.0f} s), {len(unmatched)} "
          f"elsewhere"
          + (f" ({where}; RTMP on worker pids {pids[:8]})" if unmatched else ""))
    api = sum(k.get("api_players", 0) for k in kills)
    ports = sum(len(k.get("conns", [])) for k in kills)
    reclaimed = {}
    for r in record.get("log", {}).get("reclaims", []):
        reclaimed[r["pid"]] = r["clients"]
    victims_reclaimed = sum(reclaimed.get(k["pid"], 0) for k in kills)
    uneven = [{"pid": k["pid"], "t": k["t"], "api_players": k.get("api_players"),
               "sockets": len(k.get("conns", [])), "drops": k["drops"]} for k in kills
              if not k.get("api_players") == len(k.get("conns", [])) == k["drops"]]
    record["uneven_kills"] = uneven
    claim(rows, "drops = the victims' players at kill time", drops == api,
          f"srs-bench drops {drops}; victims' players in /api/v1/clients at the kill {api} "
          f"(their sockets in /proc {ports}; the master reclaimed {victims_reclaimed} clients, "
          f"API calls included); kills where the three differ: {len(uneven)}"
          + (f" (first: {uneven[0]})" if uneven else ""))


def reconnect_claims(rows, bench, players):
    rc = bench.get("reconnect", {})
    counts = {}
    for p in players:
        counts[p.get("drops", 0)] = counts.get(p.get("drops", 0), 0) + 1
    histogram = ", ".join(f"{n}x: {c}" for n, c in sorted(counts.items()))
    gaps = sorted(p["drop_gap_max_ms"] for p in players if p.get("drop_gaps", 0) > 0)
    gap = (f"p50 {gaps[len(gaps) // 2]:.0f} ms, max {gaps[-1]:.0f} ms" if gaps else "none")
    live = sum(1 for p in players if p.get("live_at_end"))
    between = sum(1 for p in players if not p.get("live_at_end") and
                  p.get("close_reason") == "left: session over")
    ok = rc.get("open_gaps", 1) == 0 and live + between == len(players)
    claim(rows, "dropped players come back (srs-bench --reconnect)", ok,
          f"{rc.get('connections', 0)} connections, {rc.get('drops', 0)} drops, "
          f"{rc.get('leaves', 0)} sessions over; players by times dropped: {histogram}; "
          f"longest gap in media per dropped player {gap}; still without media at the end "
          f"{rc.get('open_gaps', '?')}; live at the end {live}/{len(players)} ({between} between "
          f"a session's end and their reconnect)")
    stalls = sum(p.get("stalls", 0) for p in players)
    full = sum(1 for p in players if p.get("full_rate"))
    claim(rows, "players on the other workers keep streaming (no stall > 1 s on a connection)",
          stalls == 0, f"{stalls} stalls; {full}/{len(players)} players at >= 90% of the "
          f"publisher's rate over the run, reconnects included")


def reload_claims(rows, record, log):
    sent = len(record["reloads"])
    done, ignored, failed = log.get("reload_done", 0), log.get("reload_ignored", 0), \
        log.get("reload_failed", [])
    ok = done == sent and not ignored and not failed
    figures = (f"{sent} SIGHUPs, {log.get('reload_begun', 0)} reloads begun, {done} done, "
               f"{ignored} ignored (one still starting), {len(failed)} failed")
    if failed:
        figures += f"; first failure: {failed[0]}"
    claim(rows, "every SIGHUP starts a new generation (reloads drop nobody: see the drop rows)",
          ok, figures)


def kill_claims(rows, record, kills, log):
    skipped = len(record["kills"]) - len(kills)
    exits = {e["pid"]: e for e in log.get("exits", [])}
    seen = [k for k in kills if k["pid"] in exits and "signal 9" in exits[k["pid"]]["how"]]
    current = [k for k in kills if k["state"] == "ready"]
    respawned = [k for k in current if k["pid"] in exits and exits[k["pid"]]["respawn_ms"] is not None]
    old_respawned = [k for k in kills if k not in current and k["pid"] in exits and
                     exits[k["pid"]]["respawn_ms"] is not None]
    lost = sum(r["streams_lost"] for r in log.get("reclaims", []))
    others = [e for e in log.get("exits", []) if e["pid"] not in {k["pid"] for k in kills}
              and not e["how"].startswith("exited with status 0")]
    ok = (len(seen) == len(kills) and len(respawned) == len(current) and not old_respawned
          and lost == 0 and not others and kills)
    near = sum(1 for k in kills if k.get("since_reload_s") is not None and k["since_reload_s"] < 0.5)
    stopped = max((k.get("stopped_ms", 0) for k in kills), default=0)
    claim(rows, "each SIGKILL: the master reaps it, replaces a current worker, not a draining one",
          ok, f"{len(kills)} kills ({skipped} skipped; {near} within 0.5 s of a SIGHUP; victim "
          f"stopped at most {stopped:.0f} ms before its SIGKILL), {len(seen)} logged as killed by signal 9; "
          f"{len(current)} serving (the current generation), {len(respawned)} respawned; "
          f"{len(kills) - len(current)} draining, {len(old_respawned)} respawned; "
          f"streams lost {lost}; other worker exits not clean {len(others)}")


def refusal_claim(rows, record, bench, log):
    rc = bench.get("reconnect", {})
    counters = {}
    for c in record.get("worker_counters", {}).values():
        for k, v in c.items():
            counters[k] = counters.get(k, 0) + v
    refusal_keys = ("token", "address", "refer", "per_ip", "publishers", "players")
    refused = sum(counters.get(k, 0) for k in refusal_keys)
    timeouts = counters.get("handshake_timeouts", 0) + counters.get("header_timeouts", 0)
    server_drops = counters.get("dropped_players", 0)
    failures = rc.get("connect_failures", 0) + rc.get("rejected", 0)
    ok = (failures == 0 and log.get("refused_count", 0) == 0 and refused == 0
          and record.get("metrics_refused", 0) == 0 and timeouts == 0 and server_drops == 0)
    claim(rows, "zero refused connections", ok,
          f"srs-bench connect failures {rc.get('connect_failures', '?')}, rejected "
          f"{rc.get('rejected', '?')}; log lines with 'refused' {log.get('refused_count', 0)}; "
          f"/metrics refusals {record.get('metrics_refused', 0)}; /api/v1/workers refused "
          f"{refused}, handshake/header timeouts {timeouts}, players dropped by the server "
          f"(slow) {server_drops}, lapped {counters.get('lapped_players', 0)}")


def seconds_of(text):
    """srs-bench's durations: 500ms, 20s, 2m, a bare number of seconds."""
    for unit, scale in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * scale
    return float(text)


def warm_up_s(config):
    """Until the first players' sessions ended and their generations drained:
    1.5 sessions (at least 45 s), at most half the run."""
    longest = max(seconds_of(x) for x in config["session"].split("-"))
    return min(max(45.0, 1.5 * longest), config["seconds"] / 2)


def steady(record):
    """The samples of the faults' run after the warm-up."""
    warm = warm_up_s(record["config"])
    return [s for s in record["samples"] if s["label"] in ("run", "chaos over") and s["t"] >= warm]


def leak_claims(rows, record):
    samples = steady(record)
    window = (f"{len(samples)} samples from {samples[0]['t']:.0f} s to {samples[-1]['t']:.0f} s, "
              f"after a {warm_up_s(record['config']):.0f} s warm-up: " if samples else
              "no sample after the warm-up: ")
    judged = bool(samples) and samples[-1]["t"] - samples[0]["t"] >= 60
    if not judged:
        window = "TOO SHORT to judge (under 60 s after the warm-up; run 120 s or more); " + window
    minutes = max((samples[-1]["t"] - samples[0]["t"]) / 60, 1e-9) if samples else 1e-9
    master_fds = series([(s["t"], s["master"]["fds"]) for s in samples if s["master"]])
    master_rss = series([(s["t"], s["master"]["rss_kb"] / 1024) for s in samples if s["master"]])
    worker_fixed = series([(s["t"], median([w["fds"] - w["client_sockets"] for w in s["workers"]]))
                           for s in samples if s["workers"]])
    fixed_all = [w["fds"] - w["client_sockets"] for s in samples for w in s["workers"]]
    per_client_fds = series([(s["t"], s["fds"] / s["client_sockets"]) for s in samples
                             if s["client_sockets"]])
    per_client_rss = series([(s["t"], s["rss_kb"] / s["client_sockets"]) for s in samples
                             if s["client_sockets"]])
    procs = series([(s["t"], s["processes"]) for s in samples])
    record["series"] = {"master_fds": master_fds, "master_rss_mb": master_rss,
                        "worker_fixed_fds_median": worker_fixed, "fds_per_client": per_client_fds,
                        "rss_kb_per_client": per_client_rss, "processes": procs}

    def drift(s):
        return abs(s["slope_per_min"]) * minutes / s["mean"] if s and s["mean"] else 0

    ok = (judged and master_fds and master_fds["max"] - master_fds["min"] <= MASTER_FD_SLACK and
          worker_fixed and worker_fixed["max"] - worker_fixed["min"] <= WORKER_FD_SLACK and
          drift(per_client_fds) <= PER_CLIENT_DRIFT)
    claim(rows, "descriptors flat (no fd leak)", ok,
          f"{window}master fds {fmt(master_fds)}; per worker, fds that are not client sockets "
          f"(median over workers) {fmt(worker_fixed)} (all workers, all samples: "
          f"{min(fixed_all) if fixed_all else '-'}..{max(fixed_all) if fixed_all else '-'}); "
          f"server fds per client {fmt(per_client_fds, digits=2)}")
    with_master = [s["master"]["rss_kb"] for s in samples if s["master"]]
    growth = median(with_master[-3:]) - median(with_master[:3]) if len(with_master) >= 3 else 0
    ok = judged and growth <= MASTER_RSS_GROWTH_KB and drift(per_client_rss) <= PER_CLIENT_DRIFT
    claim(rows, "RSS flat (no memory leak)", ok,
          f"{'' if judged else 'TOO SHORT to judge; '}master RSS {fmt(master_rss, ' MB', 1)} (last 3 vs first 3 samples: {growth:+d} KB); "
          f"server RSS per client {fmt(per_client_rss, ' KB')} (drift over the run "
          f"{drift(per_client_rss) * 100:.1f}% of the mean)")
    ok = judged and procs is not None and drift(procs) <= PER_CLIENT_DRIFT * 2
    claim(rows, "server processes bounded (old generations exit once drained)", ok,
          f"{'' if judged else 'TOO SHORT to judge; '}{fmt(procs)}; {record.get('log', {}).get('drained_generations', 0)} generations "
          f"fully drained, {record.get('log', {}).get('workers_drained', 0)} workers drained and exited")


def end_claims(rows, record):
    end = record.get("end_state", {})
    ok = "api_error" not in end and not end.get("streams") and not end.get("clients")
    held = end.get("held_after_s", {})
    claim(rows, "at the end: /api/v1/streams and /api/v1/clients empty", ok,
          f"clients other than the API call {end.get('clients')} (from {held.get('clients')} s "
          f"after the load stopped), streams {end.get('streams')} (from {held.get('streams')} s: "
          f"the stream waits republish_grace for its publisher)")
    workers = end.get("workers", [])
    log = record.get("log", {})
    serving = log.get("serving_generation")
    gens = sorted({log.get("generation_of_pid", {}).get(str(w["pid"])) or 0 for w in workers})
    states = sorted({w["state"] for w in workers})
    ok = (not end.get("old_workers") and len(workers) == record["config"]["workers"] and
          end.get("processes") == record["config"]["workers"] + 1 and gens == [serving])
    claim(rows, "at the end: only the serving generation's workers run", ok,
          f"{len(workers)} workers, states {states}, of generations {gens} by the log "
          f"(serving: {serving}; /api/v1/self says {end.get('self', {}).get('generation')}), "
          f"{end.get('processes')} server processes (from {held.get('workers')} s)")
    after = record.get("shm_after_stop", [])
    held = end.get("held_after_s", {})
    ok = not end.get("shm_segments") and not after
    claim(rows, "at the end: no ring segment of this server in /dev/shm", ok,
          f"running, load stopped: {len(end.get('shm_segments', []))} (from {held.get('shm')} s) "
          f"{end.get('shm_segments', [])[:4]}; after the stop: {len(after)}; master exit status "
          f"{record.get('master_exit')}")


def api_generation_claim(rows, record):
    """/api/v1/workers' "generation" of each worker, against the generation the
    master's log started it in ("worker slot S generation G: started pid P"),
    over every sample and the end state."""
    of_pid = record.get("log", {}).get("generation_of_pid", {})
    seen = wrong = 0
    for s in record["samples"] + [record.get("end_state", {})]:
        for w in s.get("api_workers", s.get("workers", [])):
            logged = of_pid.get(str(w["pid"]))
            if logged is None:
                continue
            seen += 1
            wrong += w["generation"] != logged
    end = record.get("end_state", {})
    shown = ", ".join(f"pid {w['pid']}: {w['generation']} (log: {of_pid.get(str(w['pid']))})"
                      for w in end.get("workers", []))
    claim(rows, "/api/v1/workers gives each worker's generation (as the log and /api/v1/self)",
          seen > 0 and wrong == 0,
          f"{wrong} of {seen} worker observations disagree with the log; at the end: {shown}; "
          f"/api/v1/self: {end.get('self', {}).get('generation')}")


def table(record, rows):
    cfg = record["config"]
    out = [f"soak: {cfg['workers']} workers, {cfg['players']} players (RTMP and HTTP-FLV), "
           f"a SIGKILL every {cfg['kill_every']:g} s, a SIGHUP every {cfg['reload_every']:g} s, "
           f"{record.get('chaos_s', 0):.0f} s of faults ({record.get('wall_s', 0):.0f} s in all); "
           f"srs built {record.get('binary', {}).get('mtime')} "
           f"(sha256 {record.get('binary', {}).get('sha256')})",
           "", "| claim | figures | result |", "|---|---|---|"]
    for r in rows:
        out.append(f"| {r['claim']} | {r['figures']} | {'pass' if r['pass'] else '**FAIL**'} |")
    for e in record.get("errors", [])[:10]:
        out.append(f"  error at {e['t']:.1f} s during the {e['action']}: {e['error']}")
    if record.get("kicks"):
        out.append(f"  --kick: {len(record['kicks'])} players kicked through the API on purpose: "
                   f"each must show below as a drop no kill explains")
    for d in record.get("unattributed_drops", [])[:10]:
        out.append(f"  unattributed drop: player {d['player']} ({d['kind']}) port {d['port']} "
                   f"worker pid {d.get('server_pid')} phase {d['phase']} '{d['reason']}' "
                   f"t={d['mono_s'] - record.get('chaos_start_mono_s', 0):.1f}s; log: {d['log']}")
    warn = record.get("log", {}).get("warn_error", {})
    if warn:
        out.append("  server warnings and errors (digits as N):")
        for text, n in sorted(warn.items(), key=lambda x: -x[1])[:12]:
            out.append(f"    {n:6d}  {text}")
    return "\n".join(out)
