"""run.py's `tls` target: the server's CPU per delivered bit for HTTPS players
against plain HTTP ones, same load.

srs with 1 worker, a self-signed P-256 certificate (openssl CLI, in its temp
dir) as tls.certificate/key, http_server.listen and listen_tls, log level info
(for the "tls handshake done" lines). One synthetic publisher; the publisher
alone is measured first (--tls-window s), so that its ingest can be taken out.
Then --tls-rounds rounds of two loads each, plain then TLS: --tls-players
HTTP-FLV readers of the stream for --tls-duration s, by flv_readers.py (one
Python process, one selector loop, the same reader for both schemes: srs-bench
speaks no TLS). The server tree's CPU is sampled every 0.5 s (cpuacct, else
/proc) and cut with the readers' timeline by steady.py; the readers' CPU is
theirs, outside the server's group.

kTLS: whether any handshake line says "ktls send", and what the kernel offers
(/proc/sys/net/ipv4/tcp_available_ulp must list "tls" for OpenSSL to use it).
"""
import json
import os
import re
import subprocess
import sys
import time

import benchlib
import cpuacct
import steady
from idle import start_publisher, stop_bench
from tables import fmt, markdown_table

HERE = os.path.dirname(os.path.abspath(__file__))


class Cpu:
    """The server tree's CPU seconds: cpuacct (ns) when it can, else /proc."""

    def __init__(self, server):
        self.server = server
        self.acct = cpuacct.CpuAccount.create(f"srs-bench-{os.getpid()}-tls", server.pids())
        self.source = "cpuacct" if self.acct else "proc"

    def sample(self):
        t0 = time.monotonic()
        cpu = self.acct.seconds() if self.acct else self.server.cpu_seconds()
        return ((t0 + time.monotonic()) / 2, cpu)

    def close(self):
        if self.acct:
            self.acct.remove()


def readers(args, url, jpath, cpu):
    """One load of flv_readers.py; (its report, the server's CPU samples)."""
    cmd = [sys.executable, os.path.join(HERE, "flv_readers.py"), "--url", url,
           "--count", str(args.tls_players), "--duration", str(args.tls_duration),
           "--ramp", str(args.tls_ramp), "--json", jpath]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    samples = [cpu.sample()]
    deadline = time.monotonic() + args.tls_duration + 30
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        samples.append(cpu.sample())
    samples.append(cpu.sample())
    if proc.poll() is None:
        proc.kill()
    out = proc.communicate()[0]
    try:
        with open(jpath) as f:
            return json.load(f), samples
    except (OSError, ValueError):
        raise RuntimeError("flv_readers.py wrote no report: " + out[-300:])


def load_row(name, report, samples, ingest_share):
    """The figures of one load; steady_delivery_*: its steady CPU minus the
    publisher-alone CPU rate over the same window."""
    players = report["players"]
    gbit = players["bytes"] * 8 / 1e9
    cpu = samples[-1][1] - samples[0][1]
    row = {"target": name, "cpu_s": round(cpu, 3), "gbit": round(gbit, 3),
           "cpu_per_gbit": round(cpu / gbit, 4) if gbit else None,
           "players": players["count"], "played": players["played"],
           "live_at_end": players["live_at_end"], "closed_early": report["closed_early"],
           "first_byte_ms": report["first_byte_ms"], "client_cpu_s": report["self_cpu_s"],
           "negotiated": report.get("tls"), **steady.measure(report, samples)}
    if row.get("steady_gbit"):
        delivery = row["steady_cpu_s"] - ingest_share * row["steady_window_s"]
        row["steady_delivery_cpu_per_gbit"] = round(delivery / row["steady_gbit"], 4)
    return row


def ktls(server):
    """{handshakes, ktls_send, ciphers, ulp}: the log's handshake lines and the kernel's ULPs."""
    lines = re.findall(r"tls handshake done: (.*)", server.log_tail("srs.log", None))
    try:
        with open("/proc/sys/net/ipv4/tcp_available_ulp") as f:
            ulp = f.read().strip()
    except OSError:
        ulp = "?"
    return {"handshakes": len(lines), "ktls_send": sum("ktls send" in l for l in lines),
            "ciphers": sorted({l.split(",")[0] for l in lines}), "ulp": ulp}


def median(values):
    v = sorted(values)
    if not v:
        return None
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def ratios(rows):
    """Per round (a plain load, then a TLS one): TLS / plain CPU s per Gbit, and
    TLS - plain steady (what TLS adds per Gbit: the publisher's ingest, the same in
    both, cancels out); each with the median of the rounds."""
    pairs = list(zip(rows[::2], rows[1::2]))
    out = {}
    for key in ("cpu_per_gbit", "steady_cpu_per_gbit", "steady_delivery_cpu_per_gbit"):
        got = [b[key] / a[key] for a, b in pairs if a.get(key) and b.get(key)]
        out[key] = {"rounds": [round(x, 2) for x in got], "median": round(median(got), 2) if got else None}
    extra = [b["steady_cpu_per_gbit"] - a["steady_cpu_per_gbit"] for a, b in pairs
             if a.get("steady_cpu_per_gbit") and b.get("steady_cpu_per_gbit")]
    out["tls_extra_cpu_per_gbit"] = {"rounds": [round(x, 3) for x in extra],
                                     "median": round(median(extra), 3) if extra else None}
    return out


def run_tls(args):
    """({rows: the loads, ratios, ingest, ktls}) of the `tls` target."""
    server = benchlib.Srs(args.build, workers=1, log_level="info", tls=True)
    cpu = publisher = None
    out = {"rows": []}
    try:
        server.start()
        cpu = Cpu(server)
        publisher = start_publisher(args, server, args.tls_bitrate)
        time.sleep(1)
        a = cpu.sample()
        time.sleep(args.tls_window)
        b = cpu.sample()
        out["ingest_cpu_share"] = round((b[1] - a[1]) / (b[0] - a[0]), 5)
        out["cpu_source"] = cpu.source
        urls = (("plain", f"http://127.0.0.1:{server.http_port}/live/bench.flv"),
                ("TLS", f"https://127.0.0.1:{server.https_port}/live/bench.flv"))
        for r in range(args.tls_rounds):
            for name, url in urls:
                report, samples = readers(args, url, os.path.join(server.dir, f"{name}-{r}.json"), cpu)
                out["rows"].append(load_row(f"{name} HTTP-FLV, round {r + 1}", report, samples,
                                            out["ingest_cpu_share"]))
                print(f"  {tls_line(out['rows'][-1])}", flush=True)
        out["ratios"] = ratios(out["rows"])
        out["ktls"] = ktls(server)
    except Exception as e:  # noqa: BLE001: reported, the other targets run
        out["rows"].append({"target": "tls", "error": f"failed: {e}"})
    finally:
        if publisher is not None:
            stop_bench(publisher)
        if cpu is not None:
            cpu.close()
        server.cleanup() if not args.keep else server.stop()
    return out


def tls_line(r):
    if "error" in r:
        return f"{r['target']}: {r['error']}"
    return (f"{r['target']}: cpu {r['cpu_s']:.3f} s for {r['gbit']:.3f} Gbit, steady "
            f"{fmt(r.get('steady_cpu_per_gbit'), '{:.3f}')} CPU s/Gbit, "
            f"{r['live_at_end']}/{r['players']} to the end")


def tls_table(result):
    head = ("| load | CPU s | Gbit | CPU s/Gbit | steady CPU s/Gbit | steady, publisher's ingest taken out | "
            "readers to the end | first body byte p50 / max ms | readers' CPU s |")
    return markdown_table(head, result["rows"], lambda r: (
        f"| {r['target']} | {fmt(r['cpu_s'], '{:.3f}')} | {fmt(r['gbit'], '{:.3f}')} | "
        f"{fmt(r['cpu_per_gbit'], '{:.3f}')} | {fmt(r.get('steady_cpu_per_gbit'), '{:.3f}')} | "
        f"{fmt(r.get('steady_delivery_cpu_per_gbit'), '{:.3f}')} | {r['live_at_end']}/{r['players']} | "
        f"{fmt(r['first_byte_ms']['p50'], '{:.1f}')} / {fmt(r['first_byte_ms']['max'], '{:.1f}')} | "
        f"{fmt(r['client_cpu_s'])} |"))


def tls_summary(result):
    lines = []
    for key, label in (("cpu_per_gbit", "whole load"), ("steady_cpu_per_gbit", "steady"),
                       ("steady_delivery_cpu_per_gbit", "steady, ingest taken out")):
        r = (result.get("ratios") or {}).get(key)
        if r and r["rounds"]:
            lines.append(f"tls: TLS / plain CPU s per Gbit, {label}: median {fmt(r['median'])} "
                         f"(rounds {r['rounds']})")
    extra = (result.get("ratios") or {}).get("tls_extra_cpu_per_gbit")
    if extra and extra["median"] is not None:
        lines.append(f"tls: TLS - plain, steady: {extra['median']:.3f} CPU s per Gbit more "
                     f"(rounds {extra['rounds']})")
    if "ingest_cpu_share" in result:
        lines.append(f"tls: publisher alone {100 * result['ingest_cpu_share']:.2f}% of a core "
                     f"({result['cpu_source']})")
    k = result.get("ktls")
    if k:
        lines.append(f"tls: {k['handshakes']} handshakes ({', '.join(k['ciphers'])}), "
                     f"{k['ktls_send']} with kTLS send; tcp_available_ulp: {k['ulp']}")
    return "\n".join(lines)
