"""New connections are shared evenly by the workers (worker/accept_gate.hpp):
every worker accepts from the same listener and the kernel wakes them all, so
without the gate the first to run takes whole bursts (400 players split 333/67
in make bench). Real clients: ffmpeg publishes, rtmpdump plays; the burst
itself is plain TCP connections, opened faster than any player could."""
import re
import socket
import unittest

from harness import Server, publish, rtmpdump, wait_until


class AcceptBalanceTest(unittest.TestCase):
    def connections(self, srv):
        workers = [w for w in srv.api("/api/v1/workers")["workers"] if w["state"] == "ready"]
        return {w["pid"]: w["connections"] for w in workers}

    def test_a_burst_of_connections_is_shared_evenly(self):
        srv = Server(self, workers=2).start()
        publish(self, srv)  # its worker is the busier one
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam", timeout=15)
        players = [rtmpdump(self, srv) for _ in range(4)]
        srv.wait_log(r"rtmp play __defaultVhost__/live/cam ", count=len(players))
        burst = []
        self.addCleanup(lambda: [s.close() for s in burst])
        for _ in range(2):  # two bursts: the second lands on workers already loaded
            for _ in range(150):
                burst.append(socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=5))
            # publisher + players + burst (the API connection asking may add one)
            want = 1 + len(players) + len(burst)
            counts = wait_until(lambda: sum(self.connections(srv).values()) >= want
                                and self.connections(srv), 20, what="every connection accepted")
        total = sum(counts.values())
        print(f"\n    connections per worker: {sorted(counts.values())} of {total}")
        self.assertEqual(len(counts), 2)
        # within the gate's slack (2 + 1/16 of the other's count)
        self.assertGreaterEqual(min(counts.values()), total * 0.45, counts)
        for proc, _ in players:
            self.assertTrue(proc.alive())
        srv.stop()

    def test_a_connection_is_refused_only_when_every_worker_is_full(self):
        srv = Server(self, workers=2, extra={"rtmp": {"max_connections": 8}}).start()
        publish(self, srv)  # one of the 16 places; its worker is the busier one
        srv.wait_log(r"rtmp publish __defaultVhost__/live/cam", timeout=15)
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        for burst in (4, 4, 4, 3):  # the counts approach 8 / 8 together
            for _ in range(burst):
                socks.append(socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=5))
            # Each burst is taken before the next: the publisher and every socket so
            # far are "connected" (a refused one never is), or something was refused.
            want = 1 + len(socks)
            wait_until(lambda: "refused" in srv.log() or
                       len(re.findall(r"rtmp client \S+ connected", srv.log())) >= want,
                       10, what=f"{want} connections taken")
            self.assertNotIn("refused", srv.log(), "a worker refused while the other had room")
        socks.append(socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=5))
        srv.wait_log(r"rtmp client \S+ refused: max_connections 8 reached", timeout=5)
        socks[-1].settimeout(5)
        self.assertEqual(socks[-1].recv(1), b"", "the 17th connection is closed at once")
        srv.stop()


if __name__ == "__main__":
    unittest.main()
