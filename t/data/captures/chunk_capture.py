#!/usr/bin/env python3
"""Records real RTMP sessions, both directions, for the chunk-stream golden tests.

Runs a private nginx-rtmp (Debian's nginx + libnginx-mod-rtmp) on a free
loopback port and a tiny recording TCP proxy in front of it, then:
  1. ffmpeg publishes 3 s of testsrc2 + sine (H.264/AAC) through the proxy:
     chunk_ffmpeg_publish_c2s.bin / chunk_ffmpeg_publish_s2c.bin
  2. ffmpeg publishes straight to nginx while rtmpdump plays through the proxy
     for about 2.5 s: chunk_rtmpdump_play_c2s.bin / chunk_rtmpdump_play_s2c.bin
Each file is the raw TCP byte stream of one direction, handshake included,
cut at MAX_BYTES. Every process is stopped by pid; everything is time-bounded.
Usage: t/data/captures/chunk_capture.py [output dir]   (default: this directory)
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MAX_BYTES = 280 * 1024
NGINX_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline):
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Recorder:
    """Accepts one connection on `listen_port`, relays it to `target_port`, keeps both directions."""

    def __init__(self, listen_port, target_port):
        self.c2s = bytearray()
        self.s2c = bytearray()
        self.target_port = target_port
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", listen_port))
        self.server.listen(1)
        self.server.settimeout(20)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def pump(self, src, dst, record):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if len(record) < MAX_BYTES:
                    record.extend(data[: MAX_BYTES - len(record)])
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def run(self):
        try:
            client, _ = self.server.accept()
        except OSError:
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        upstream.settimeout(None)
        client.settimeout(None)
        a = threading.Thread(target=self.pump, args=(client, upstream, self.c2s), daemon=True)
        b = threading.Thread(target=self.pump, args=(upstream, client, self.s2c), daemon=True)
        a.start()
        b.start()
        a.join(30)
        b.join(30)
        client.close()
        upstream.close()
        self.server.close()


def stop(proc, grace=3):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ffmpeg_publish(port, seconds):
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
           "-f", "lavfi", "-i", "sine", "-c:v", "libx264", "-threads", "1", "-g", "50",
           "-b:v", "250k", "-c:a", "aac", "-b:a", "48k", "-t", str(seconds),
           "-f", "flv", f"rtmp://127.0.0.1:{port}/live/x"]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL)


def save(out_dir, name, data):
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="rtmp-capture-")
    nginx_port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""load_module {NGINX_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 64; }}
rtmp {{ server {{ listen 127.0.0.1:{nginx_port}; application live {{ live on; }} }} }}
""")
    nginx = subprocess.Popen(["nginx", "-p", tmp, "-e", f"{tmp}/error.log", "-c", conf])
    try:
        if not wait_port(nginx_port, time.time() + 10):
            sys.exit("nginx did not start; see " + tmp + "/error.log")
        # 1. ffmpeg publishing through the recorder.
        proxy_port = free_port()
        rec = Recorder(proxy_port, nginx_port)
        pub = ffmpeg_publish(proxy_port, 3)
        try:
            pub.wait(30)
        except subprocess.TimeoutExpired:
            stop(pub)
        rec.thread.join(10)
        save(out_dir, "chunk_ffmpeg_publish_c2s.bin", rec.c2s)
        save(out_dir, "chunk_ffmpeg_publish_s2c.bin", rec.s2c)
        # 2. rtmpdump playing through the recorder while ffmpeg publishes directly.
        pub = ffmpeg_publish(nginx_port, 8)
        time.sleep(1.5)
        proxy_port = free_port()
        rec = Recorder(proxy_port, nginx_port)
        play = subprocess.Popen(["rtmpdump", "-q", "-v", "-r", f"rtmp://127.0.0.1:{proxy_port}/live/x",
                                 "-o", os.devnull], stdin=subprocess.DEVNULL)
        time.sleep(2.5)
        stop(play)
        rec.thread.join(10)
        stop(pub)
        save(out_dir, "chunk_rtmpdump_play_c2s.bin", rec.c2s)
        save(out_dir, "chunk_rtmpdump_play_s2c.bin", rec.s2c)
    finally:
        stop(nginx)


if __name__ == "__main__":
    main()
