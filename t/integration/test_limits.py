"""Limits (issue 13): a client that connects to the RTMP port and never
completes the handshake and connect, silent or trickling a byte now and then,
is closed after rtmp.handshake_timeout, logged and counted, while a publisher
and a player on the same worker go on."""
import socket
import unittest

from forward_fixtures import metric_sum, metrics
from harness import Server, publish, rtmpdump, size_of, wait_until


def closed_by_peer(sock):
    """True once the server closed `sock` (recv gives b'' or a reset)."""
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


class HandshakeTimeoutTest(unittest.TestCase):
    def test_silent_and_trickling_clients_are_closed_and_counted(self):
        srv = Server(self, workers=1, extra={"rtmp": {"handshake_timeout": "1s"},
                                            "vhosts": {"__defaultVhost__": {
                                                "hls": {"enabled": False}}}}).start()
        publish(self, srv, stream="live/cam", seconds=60)
        wait_until(lambda: srv.api("/api/v1/streams")["streams"], 20, what="the publisher")
        _, dump = rtmpdump(self, srv, stream="live/cam")
        wait_until(lambda: size_of(dump) > 10_000, 20, what="the player receiving")

        silent = socket.create_connection(("127.0.0.1", srv.rtmp_port))
        trickle = socket.create_connection(("127.0.0.1", srv.rtmp_port))
        self.addCleanup(silent.close)
        self.addCleanup(trickle.close)
        silent.setblocking(False)
        trickle.setblocking(False)
        trickle.send(b"\x03")  # C0, then C1 a byte at a time: never complete

        def both_closed():
            try:
                trickle.send(b"\x00")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return closed_by_peer(silent) and closed_by_peer(trickle)

        wait_until(both_closed, 20, interval=0.2, what="the server closing both")
        received = srv.wait_log(r"handshake timeout: no RTMP connect within 1000 ms \((\d+) "
                                r"bytes received\)", count=2)
        self.assertEqual(sorted(int(n) for n in received)[0], 0)  # the silent one
        self.assertGreater(sorted(int(n) for n in received)[1], 1)  # the trickling one
        wait_until(lambda: metric_sum(metrics(srv), "srs_handshake_timeouts_total") == 2, 10,
                   what="the counter at 2")
        worker = srv.api("/api/v1/workers")["workers"][0]
        self.assertEqual(worker["handshake_timeouts"], 2)

        # The publisher and the player on the same worker went on.
        before = size_of(dump)
        wait_until(lambda: size_of(dump) > before + 10_000, 20, what="the player still receiving")
        self.assertEqual(len(srv.api("/api/v1/streams")["streams"]), 1)


if __name__ == "__main__":
    unittest.main()
