#!/usr/bin/env python3
"""Record an RTMP session through a TCP proxy and keep its AMF messages.

Usage: amf_capture.py LISTEN_PORT UPSTREAM_PORT OUT_PREFIX
Accepts one connection on 127.0.0.1:LISTEN_PORT, relays it to
127.0.0.1:UPSTREAM_PORT, and when it ends writes OUT_PREFIX.c2s.amf and
OUT_PREFIX.s2c.amf: the messages of type 15, 17, 18 and 20 (AMF data and
commands) as records [u8 type][u32 big-endian length][payload]. The chunk
stream is de-chunked here (RTMP 1.0 section 5.3) so the files hold exactly
the message payloads the server code sees.
"""
import socket, struct, sys, threading

def dechunk(data):
    pos = 1537 + 1536  # C0+C1+C2 (or S0+S1+S2)
    chunk_size = 128
    streams = {}
    out = []
    while pos < len(data):
        b0 = data[pos]; pos += 1
        fmt, csid = b0 >> 6, b0 & 0x3F
        if csid == 0:
            csid = 64 + data[pos]; pos += 1
        elif csid == 1:
            csid = 64 + data[pos] + data[pos + 1] * 256; pos += 2
        st = streams.setdefault(csid, {"ts": 0, "len": 0, "type": 0, "buf": b""})
        if fmt <= 2:
            ts = int.from_bytes(data[pos:pos + 3], "big"); pos += 3
            if fmt <= 1:
                st["len"] = int.from_bytes(data[pos:pos + 3], "big"); st["type"] = data[pos + 3]; pos += 4
            if fmt == 0:
                pos += 4
            st["ext"] = ts == 0xFFFFFF
        if st.get("ext"):
            pos += 4
        take = min(chunk_size, st["len"] - len(st["buf"]))
        st["buf"] += data[pos:pos + take]; pos += take
        if len(st["buf"]) == st["len"]:
            if st["type"] == 1:
                chunk_size = int.from_bytes(st["buf"][:4], "big") & 0x7FFFFFFF
            if st["type"] in (15, 17, 18, 20):
                out.append((st["type"], st["buf"]))
            st["buf"] = b""
    return out

def pump(src, dst, log):
    while True:
        try:
            d = src.recv(65536)
        except OSError:
            d = b""
        if not d:
            break
        log.append(d)
        try:
            dst.sendall(d)
        except OSError:
            break
    # Either side hanging up ends the session (some servers never close on a half-close).
    for s in (src, dst):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass

def main():
    lport, uport, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", lport)); srv.listen(1)
    c, _ = srv.accept()
    u = socket.create_connection(("127.0.0.1", uport))
    c2s, s2c = [], []
    t = [threading.Thread(target=pump, args=(c, u, c2s)), threading.Thread(target=pump, args=(u, c, s2c))]
    for x in t: x.start()
    for x in t: x.join()
    for name, log in (("c2s", c2s), ("s2c", s2c)):
        with open(prefix + "." + name + ".amf", "wb") as f:
            for typ, payload in dechunk(b"".join(log)):
                f.write(struct.pack(">BI", typ, len(payload)) + payload)

if __name__ == "__main__":
    main()
