"""New connections are shared evenly by the workers (worker/accept_gate.hpp):
every worker accepts from the same listener and the kernel wakes them all, so
without the gate the first to run takes whole bursts (400 players split 333/67
in make bench). Real clients: ffmpeg publishes, rtmpdump plays; the burst
itself is plain TCP connections, opened faster than any player could."""
import socket
import time
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
        burst = []
        self.addCleanup(lambda: [s.close() for s in burst])
        for _ in range(2):  # two bursts: the second lands on workers already loaded
            for _ in range(150):
                burst.append(socket.create_connection(("127.0.0.1", srv.rtmp_port), timeout=5))
            time.sleep(0.3)
        # publisher + players + burst, and the API connection asking
        want = 1 + len(players) + len(burst)
        counts = wait_until(lambda: sum(self.connections(srv).values()) >= want
                            and self.connections(srv), 10, what="every connection accepted")
        total = sum(counts.values())
        print(f"\n    connections per worker: {sorted(counts.values())} of {total}")
        self.assertEqual(len(counts), 2)
        # within the gate's slack (2 + 1/16 of the other's count)
        self.assertGreaterEqual(min(counts.values()), total * 0.45, counts)
        for proc, _ in players:
            self.assertTrue(proc.alive())
        srv.stop()


if __name__ == "__main__":
    unittest.main()
