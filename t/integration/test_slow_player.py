"""Slow players never slow the publisher or other players (DESIGN trap 7):
one is skipped to the newest keyframe (play.slow_player: skip, counted and
logged) or disconnected (slow_player: disconnect), while rtmpdump on the
same stream keeps receiving everything.

The slow player is rtmpdump's own request, replayed from a capture
(t/data/captures/chunk_rtmpdump_play_c2s.bin: handshake, connect,
createStream, play "live/x", without its final deleteStream) over a socket with a tiny receive buffer that
is read a few KB at a time."""
import os
import re
import socket
import threading
import time
import unittest

from harness import ROOT, Server, flv_tags, publish, rtmpdump, size_of, wait_until

CAPTURE = os.path.join(ROOT, "t", "data", "captures", "chunk_rtmpdump_play_c2s.bin")


class SlowReader(threading.Thread):
    """Plays live/x like rtmpdump, then reads `rate` bytes per second."""

    def __init__(self, port, rate):
        super().__init__(daemon=True)
        with open(CAPTURE, "rb") as f:
            data = f.read()
        # rtmpdump said deleteStream when it was stopped: leave that out. Its
        # chunk is a fmt-1 header on csid 3 (8 bytes), then "\x02\x00\x0cdeleteStream".
        cut = data.find(b"\x02\x00\x0cdeleteStream") - 8
        assert data[cut] == 0x43, "the capture changed: find the deleteStream chunk again"
        self.request = data[:cut]
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        self.rate = rate
        self.received = 0
        self.closed_by_server = False
        self.stop = threading.Event()

    def run(self):
        s = self.sock
        s.sendall(self.request[:1537])           # C0 C1
        got = b""
        while len(got) < 1 + 2 * 1536:
            chunk = s.recv(65536)
            if not chunk:
                self.closed_by_server = True
                return
            got += chunk
        s.sendall(self.request[1537:])           # C2, connect, createStream, play...
        self.received = len(got)
        s.settimeout(0.2)
        while not self.stop.is_set():
            try:
                chunk = s.recv(self.rate // 5)
            except socket.timeout:
                continue
            except OSError:
                self.closed_by_server = True
                return
            if not chunk:
                self.closed_by_server = True
                return
            self.received += len(chunk)
            time.sleep(0.2)  # the slowness under test: rate/5 bytes every 0.2 s

    def finish(self):
        self.stop.set()
        self.join(5)
        self.sock.close()


def lap_counters(srv):
    """The whole server's (lapped_players, dropped_players), from /api/v1/workers."""
    workers = srv.api("/api/v1/workers")["workers"]
    return (sum(w["lapped_players"] for w in workers), sum(w["dropped_players"] for w in workers))


class SlowPlayerTest(unittest.TestCase):
    def run_slow_player(self, policy):
        """A publisher, rtmpdump (fast) and a SlowReader on live/x, once both play."""
        srv = Server(self, workers=2, extra={
            "shm": {"ring_bytes": "1MiB"},  # about 5 GOPs of this stream
            "vhosts": {"__defaultVhost__": {"hls": {"enabled": False},
                                            "play": {"slow_player": policy,
                                                     "send_buffer": "64KiB"}}}}).start()
        self.srv = srv
        self.pub = publish(self, srv, stream="live/x", seconds=120, size="640x360",
                           extra=["-b:v", "1500k", "-maxrate", "1500k", "-bufsize", "500k"])
        srv.wait_log(r"rtmp publish __defaultVhost__/live/x")
        self.fast, self.path = rtmpdump(self, srv, stream="live/x")
        srv.wait_log(r"rtmp play __defaultVhost__/live/x ")
        self.slow = SlowReader(srv.rtmp_port, rate=20000)
        self.slow.start()
        self.addCleanup(self.slow.finish)
        srv.wait_log(r"rtmp play __defaultVhost__/live/x ", count=2)
        # The log's context ids of the two players, in the order they came.
        self.fast_cid, self.slow_cid = re.findall(
            r"\[(\w+)\] rtmp play __defaultVhost__/live/x ", srv.log())[:2]

    def assert_fast_player_untouched(self):
        """rtmpdump keeps receiving, was never closed nor skipped (a skip sends the
        sequence headers again before the keyframe); the publisher goes on."""
        size = size_of(self.path)
        wait_until(lambda: size_of(self.path) > size + 150000, 30,
                   what="the fast player to keep receiving")
        self.assertNotRegex(self.srv.log(), r"\[%s\] rtmp client \S+ closed" % self.fast_cid)
        headers = [t for t in flv_tags(self.path) if t[0] == 9 and t[3][1] == 0]
        self.assertEqual(len(headers), 1, "the fast player was skipped")
        self.assertTrue(self.fast.alive())
        self.assertTrue(self.pub.alive(), "the publisher must not be slowed down or dropped")

    def test_skip_policy_drops_to_a_keyframe_and_keeps_the_player(self):
        self.run_slow_player("skip")
        srv, slow = self.srv, self.slow
        wait_until(lambda: lap_counters(srv)[0] >= 1, 60, what="a player to be lapped")
        srv.wait_log(r"play __defaultVhost__/live/x: player too slow.*newest keyframe")
        # The skipped player stays connected and goes on receiving (from the keyframe).
        received = slow.received
        wait_until(lambda: slow.received > received + 50000 or slow.closed_by_server, 30,
                   what="the skipped player to keep receiving")
        self.assertFalse(slow.closed_by_server, "with slow_player: skip the player stays connected")
        self.assert_fast_player_untouched()
        self.assertEqual(lap_counters(srv)[1], 0, "nobody was dropped")
        srv.stop()

    def test_disconnect_policy_closes_the_slow_player(self):
        self.run_slow_player("disconnect")
        srv, slow = self.srv, self.slow
        wait_until(lambda: slow.closed_by_server, 60, what="the slow player to be disconnected")
        srv.wait_log(r"\[%s\] rtmp client \S+ closed: (torn send|play __defaultVhost__/live/x: too slow)"
                     % self.slow_cid)
        self.assert_fast_player_untouched()
        self.assertEqual(lap_counters(srv), (0, 1), "one player dropped, none skipped")
        srv.stop()


if __name__ == "__main__":
    unittest.main()
