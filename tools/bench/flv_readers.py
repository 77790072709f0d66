#!/usr/bin/env python3
"""A pool of HTTP-FLV readers over http:// or https://, in one process with one
selector loop: the TLS players of run.py's `tls` target (srs-bench speaks no
TLS), and, so that both sides of the comparison read the same way, its plain
ones too. Each reader sends one GET, then counts the bytes after the response
head until the end; nothing is parsed. Certificates are not checked (the
server's is self-signed).

The JSON report has srs-bench's names for what steady.py and run.py read:
players {count, connected, played, live_at_end, bytes}, first_byte_ms (from the
start of connect() to the first body byte, TLS handshake included), self_cpu_s,
start_mono_s, ramp_end_mono_s, end_mono_s and timeline ([CLOCK_MONOTONIC s,
cumulative body bytes] at the start, once a second and at the end), plus tls
(the version and cipher the first TLS reader negotiated).

Usage: flv_readers.py --url URL --count N --duration S [--ramp R] --json FILE
Python 3 standard library only.
"""
import argparse
import collections
import json
import resource
import selectors
import socket
import ssl
import time
import urllib.parse

from tables import percentiles

HEAD_LIMIT = 16384
Target = collections.namedtuple("Target", "hostname port netloc path query")


class Reader:
    def __init__(self, url, ctx):
        self.url, self.ctx = url, ctx
        self.sock = None
        self.state = "connecting"  # -> handshake -> sending -> head -> body -> closed
        self.out = b""
        self.head = b""
        self.body_bytes = 0
        self.start = self.first_byte = None
        self.status = ""

    def start_connect(self, sel):
        self.start = time.monotonic()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        # As curl and browsers do: the GET right after the TLS Finished is not held
        # back by Nagle until the server's delayed ACK (40 ms) of the Finished.
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.connect_ex((self.url.hostname, self.url.port))
        self.sock = s
        path = self.url.path + (("?" + self.url.query) if self.url.query else "")
        self.out = (f"GET {path} HTTP/1.1\r\nHost: {self.url.netloc}\r\n"
                    "User-Agent: flv_readers\r\nAccept: */*\r\n\r\n").encode()
        sel.register(s, selectors.EVENT_WRITE, self)

    def on_event(self, sel):
        try:
            self.step(sel)
        except (OSError, ssl.SSLError) as e:
            if not isinstance(e, (ssl.SSLWantReadError, ssl.SSLWantWriteError)):
                self.close(sel, f"{type(e).__name__}: {e}")

    def want(self, sel, events):
        sel.modify(self.sock, events, self)

    def step(self, sel):
        if self.state == "connecting":
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return self.close(sel, f"connect: {err}")
            if self.ctx is not None:
                sel.unregister(self.sock)  # wrap_socket() detaches the plain socket
                self.sock = self.ctx.wrap_socket(self.sock, do_handshake_on_connect=False,
                                                 server_hostname=self.url.hostname)
                sel.register(self.sock, selectors.EVENT_WRITE, self)
                self.state = "handshake"
            else:
                self.state = "sending"
        if self.state == "handshake":
            try:
                self.sock.do_handshake()
            except ssl.SSLWantReadError:
                return self.want(sel, selectors.EVENT_READ)
            except ssl.SSLWantWriteError:
                return self.want(sel, selectors.EVENT_WRITE)
            self.state = "sending"
        if self.state == "sending":
            n = self.sock.send(self.out)
            self.out = self.out[n:]
            if self.out:
                return self.want(sel, selectors.EVENT_WRITE)
            self.state = "head"
            self.want(sel, selectors.EVENT_READ)
        self.read(sel)

    def read(self, sel):
        while self.state in ("head", "body"):
            try:
                data = self.sock.recv(262144)
            except (ssl.SSLWantReadError, BlockingIOError):
                return
            if not data:
                return self.close(sel, "peer closed")
            if self.state == "head":
                self.head += data
                end = self.head.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.head) > HEAD_LIMIT:
                        self.close(sel, "response head too long")
                    continue
                self.status = self.head.split(b"\r\n", 1)[0].decode(errors="replace")
                if b" 200 " not in self.head[:end].split(b"\r\n", 1)[0] + b" ":
                    return self.close(sel, self.status)
                data = self.head[end + 4:]
                self.state = "body"
            if data and self.first_byte is None:
                self.first_byte = time.monotonic()
            self.body_bytes += len(data)

    def close(self, sel, why):
        if self.state == "closed":
            return
        self.state, self.status = "closed", why
        try:
            sel.unregister(self.sock)
        except (KeyError, ValueError):
            pass
        self.sock.close()


def run(url, count, duration, ramp):
    u = urllib.parse.urlsplit(url)
    ctx = None
    if u.scheme == "https":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    target = Target(u.hostname, u.port or (443 if u.scheme == "https" else 80), u.netloc,
                    u.path, u.query)
    sel = selectors.DefaultSelector()
    readers = [Reader(target, ctx) for _ in range(count)]
    start = time.monotonic()
    end = start + duration
    ramp_end = None
    started = 0
    timeline = [(start, 0)]
    next_tick = start + 1
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = count if ramp <= 0 else min(count, 1 + int((now - start) * ramp))
        while started < due:
            readers[started].start_connect(sel)
            started += 1
        if started == count and ramp_end is None:
            ramp_end = now
        if now >= next_tick:
            timeline.append((now, sum(r.body_bytes for r in readers)))
            next_tick += 1
        for key, _ in sel.select(timeout=min(0.05, max(0.0, end - now))):
            key.data.on_event(sel)
    stop = time.monotonic()
    timeline.append((stop, sum(r.body_bytes for r in readers)))
    tls = next(({"version": r.sock.version(), "cipher": r.sock.cipher()[0]} for r in readers
                if isinstance(r.sock, ssl.SSLSocket) and r.state != "closed"), None)
    first = [(r.first_byte - r.start) * 1000 for r in readers if r.first_byte is not None]
    closed = [r.status for r in readers if r.state == "closed"]
    for r in readers:
        r.close(sel, "end")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "duration_s": round(stop - start, 3),
        "self_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "players": {"count": count, "connected": started,
                    "played": len(first), "live_at_end": count - len(closed),
                    "bytes": sum(r.body_bytes for r in readers)},
        "closed_early": sorted(set(closed))[:5],
        "first_byte_ms": percentiles(first),
        "tls": tls,
        "start_mono_s": start, "ramp_end_mono_s": ramp_end or 0, "end_mono_s": stop,
        "timeline": timeline,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--duration", type=float, default=15)
    ap.add_argument("--ramp", type=float, default=50, help="readers started per second")
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    report = run(args.url, args.count, args.duration, args.ramp)
    with open(args.json, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
