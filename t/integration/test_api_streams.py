"""The streams family of the HTTP API (issue #7): /api/v1/streams, /clients,
/vhosts checked field by field against what real clients do (ffmpeg
publishing, rtmpdump and curl HTTP-FLV players, spread over two workers), and
a kick through DELETE /api/v1/clients/{id} that lands on the worker that does
NOT own the player: that player is disconnected, the others keep streaming."""
import http.client
import json
import os
import time
import unittest

from harness import Proc, Server, publish, rtmpdump, size_of, start_on_worker, wait_until


def api_call(srv, method, path, timeout=5):
    conn = http.client.HTTPConnection("127.0.0.1", srv.api_port, timeout=timeout)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def flv_player(test, srv, stream="live/cam"):
    path = os.path.join(srv.dir, f"curl-{time.monotonic_ns()}.flv")
    cmd = ["curl", "-sS", "-N", "--max-time", "120", "-o", path,
           f"http://127.0.0.1:{srv.http_port}/{stream}.flv"]
    return Proc(test, cmd, path + ".log"), path


class ApiStreamsTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server(self, workers=2).start()
        self.pub = publish(self, self.srv, "live/cam", seconds=90, size="320x240")
        wait_until(lambda: self.stream_with_codecs(), 20, what="the stream with its codecs")

    def stream_with_codecs(self):
        streams = self.srv.api("/api/v1/streams")["streams"]
        return [s for s in streams if s["video"] and s["audio"]]

    def clients(self):
        return self.srv.api("/api/v1/clients?count=100")["clients"]

    def players_on_both_workers(self):
        """An rtmpdump player on each worker, and one curl FLV player."""
        self.dumps = []
        for pid in self.srv.workers():
            self.dumps.append(start_on_worker(self.srv, pid, "rtmp play",
                                              lambda: rtmpdump(self, self.srv)))
        wait_until(lambda: len({c["worker_slot"] for c in self.clients()
                                if c["type"] == "rtmp-play"}) == 2, 10,
                   what="the rtmp players of both workers in /api/v1/clients")
        self.flv = flv_player(self, self.srv)
        n = len(self.dumps)
        wait_until(lambda: len([c for c in self.clients() if c["type"] in ("rtmp-play", "flv-play")])
                   == n + 1, 10, what="every player listed")
        wait_until(lambda: all(size_of(p) > 20000 for _, p in self.dumps + [self.flv]), 20,
                   what="every player receiving")
        # A connection's bytes reach the API once a second (ClientEntryHolder::flush_traffic).
        wait_until(lambda: all(c["send_bytes"] > 20000 for c in self.clients()
                               if c["type"] in ("rtmp-play", "flv-play")), 10,
                   what="every player's bytes in the API")

    def test_streams_clients_vhosts_field_by_field(self):
        self.players_on_both_workers()
        n = len(self.dumps)
        body = self.srv.api("/api/v1/streams")
        self.assertEqual(body["code"], 0)
        self.assertEqual(body["total"], 1)
        s = body["streams"][0]
        self.assertRegex(s["id"], r"^s\d+-\d+$")
        self.assertEqual((s["name"], s["app"], s["url"], s["vhost"]), ("cam", "live", "/live/cam", "v0"))
        self.assertEqual(s["video"]["codec"], "H264")
        self.assertEqual((s["video"]["width"], s["video"]["height"]), (320, 240))
        self.assertIn(s["video"]["profile"], ("High", "Main", "Constrained Baseline", "Baseline"))
        self.assertRegex(s["video"]["level"], r"^\d(\.\d)?$")
        self.assertEqual(s["audio"], {"codec": "AAC", "sample_rate": 44100, "channel": 2,
                                      "profile": "LC"})
        self.assertTrue(s["publish"]["active"])
        self.assertEqual(s["state"], "live")
        self.assertEqual(s["clients"], n + 2)  # players and the publisher
        self.assertEqual(s["players"], n + 1)
        self.assertEqual(sum(w["players"] for w in s["srs_workers"]), n + 1)
        self.assertEqual(len(s["srs_workers"]), 2)  # players on both workers
        self.assertLessEqual({w["worker_pid"] for w in s["srs_workers"]}, set(self.srv.workers()))
        for k in ("frames", "recv_bytes", "send_bytes", "live_ms"):
            self.assertIsInstance(s[k], int)
            self.assertGreater(s[k], 0)
        self.assertIsInstance(s["kbps"]["recv_30s"], int)
        self.assertGreater(s["kbps"]["recv_30s"], 100)  # about 500 kbps of 320x240 and AAC
        self.assertGreater(s["kbps"]["send_30s"], 100)

        clients = self.clients()
        by_type = {}
        for c in clients:
            by_type.setdefault(c["type"], []).append(c)
        self.assertEqual(len(by_type.get("rtmp-play", [])), n)
        self.assertEqual(len(by_type.get("flv-play", [])), 1)
        self.assertEqual(len(by_type.get("fmle-publish", [])), 1)  # ffmpeg: the FCPublish flow
        self.assertNotIn("http-api", by_type)
        pub = by_type["fmle-publish"][0]
        self.assertEqual(s["publish"]["cid"], pub["id"])
        self.assertTrue(pub["publish"])
        self.assertGreater(pub["recv_bytes"], s["recv_bytes"] // 2)
        for c in by_type["rtmp-play"] + by_type["flv-play"] + [pub]:
            self.assertRegex(c["id"], r"^[0-9a-z]{8}$")
            self.assertEqual((c["stream"], c["vhost"], c["name"], c["url"]), (s["id"], "v0", "cam", "/live/cam"))
            self.assertEqual(c["ip"], "127.0.0.1")
            self.assertIsInstance(c["alive"], (int, float))
            self.assertGreaterEqual(c["alive"], 0)
            self.assertIn(c["worker_slot"], (0, 1, 2, 3))
            self.assertIsInstance(c["worker_pid"], int)
            self.assertIn(c["worker_pid"], self.srv.workers())
        for c in by_type["rtmp-play"] + by_type["flv-play"]:
            self.assertFalse(c["publish"])
            self.assertGreater(c["send_bytes"], 20000)
        one = self.srv.api(f"/api/v1/clients/{pub['id']}")
        self.assertEqual(one["client"]["type"], "fmle-publish")
        self.assertEqual(self.srv.api(f"/api/v1/streams/{s['id']}")["stream"]["name"], "cam")

        # Bytes and frames grow.
        def grown():
            now = self.srv.api(f"/api/v1/streams/{s['id']}")["stream"]
            return now["recv_bytes"] > s["recv_bytes"] and now["frames"] > s["frames"]

        wait_until(grown, 10, what="the stream's bytes and frames to grow")

        vhosts = self.srv.api("/api/v1/vhosts")["vhosts"]
        v = [x for x in vhosts if x["name"] == "__defaultVhost__"][0]
        self.assertEqual((v["id"], v["enabled"], v["streams"], v["clients"]),
                         ("v0", True, 1, n + 2))
        self.assertGreater(v["send_bytes"], 0)
        self.assertGreater(v["recv_bytes"], 0)
        self.assertIn("fragment", v["hls"])
        self.assertEqual(self.srv.api("/api/v1/vhosts/v0")["vhost"]["name"], "__defaultVhost__")

    def test_paging_and_unknown_ids(self):
        self.players_on_both_workers()
        total = len(self.clients())
        page = self.srv.api("/api/v1/clients?start=1&count=1")  # SRS floors count at 10
        self.assertEqual(page["total"], total)
        self.assertEqual(len(page["clients"]), min(10, total - 1))
        self.assertEqual(self.srv.api("/api/v1/streams?start=5")["streams"], [])
        self.assertEqual(self.srv.api("/api/v1/streams/s99-1")["code"], 2048)
        self.assertEqual(self.srv.api("/api/v1/clients/zzzzzzzz")["code"], 2049)
        self.assertEqual(self.srv.api("/api/v1/vhosts/nope")["code"], 2014)
        status, body = api_call(self.srv, "DELETE", "/api/v1/clients/zzzzzzzz")
        self.assertEqual(body["code"], 2049)

    def kick_from_other_worker(self, players):
        """On one keep-alive API connection: GET /api/v1/self (which worker serves it),
        then DELETE a player owned by the OTHER worker. Returns (victim, answering slot)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.api_port, timeout=5)
        try:
            conn.request("GET", "/api/v1/self")
            slot = json.loads(conn.getresponse().read())["data"]["worker_slot"]
            victim = [c for c in players if c["worker_slot"] != slot][0]
            conn.request("DELETE", f"/api/v1/clients/{victim['id']}")
            body = json.loads(conn.getresponse().read())
            self.assertEqual(body["code"], 0)
            return victim, slot
        finally:
            conn.close()

    def test_kick_a_player_through_the_other_worker(self):
        self.players_on_both_workers()
        players = [c for c in self.clients() if c["type"] == "rtmp-play"]
        self.assertEqual(len({c["worker_slot"] for c in players}), 2, "players on both workers")
        victim, answered_by = self.kick_from_other_worker(players)
        self.assertNotEqual(answered_by, victim["worker_slot"])
        wait_until(lambda: victim["id"] not in [c["id"] for c in self.clients()], 10,
                   what="the kicked player to leave /api/v1/clients")
        self.srv.wait_log(rf"\[{victim['id']}\] client {victim['id']} kicked through the HTTP API")
        # Exactly one player stops (its rtmpdump ends); the others go on receiving.
        wait_until(lambda: [p.alive() for p, _ in self.dumps].count(False) == 1, 10,
                   what="the kicked rtmpdump to exit")
        others = [(p, path) for p, path in self.dumps if p.alive()] + [self.flv]
        sizes = {path: size_of(path) for _, path in others}
        wait_until(lambda: all(size_of(path) > sizes[path] + 10000 for _, path in others), 15,
                   what="the other players to keep receiving")
        self.assertEqual([p.alive() for p, _ in others].count(False), 0,
                         "exactly the kicked player stopped")
        self.assertEqual(self.srv.api("/api/v1/streams")["streams"][0]["clients"],
                         len(self.dumps) + 1)  # one player fewer, plus the publisher

        # An HTTP-FLV player is kicked the same way: curl sees its response end.
        flv = [c for c in self.clients() if c["type"] == "flv-play"][0]
        status, body = api_call(self.srv, "DELETE", f"/api/v1/clients/{flv['id']}")
        self.assertEqual(body["code"], 0)
        wait_until(lambda: not self.flv[0].alive(), 10, what="curl to see the FLV stream end")
        self.assertEqual(self.srv.api("/api/v1/streams")["streams"][0]["clients"], len(self.dumps))

    def test_kick_the_publisher(self):
        pub = [c for c in self.clients() if c["publish"]][0]
        status, body = api_call(self.srv, "DELETE", f"/api/v1/clients/{pub['id']}")
        self.assertEqual(body["code"], 0)
        # Unpublished normally: the stream waits for a republish (listed, not active).
        def lost():
            streams = self.srv.api("/api/v1/streams")["streams"]
            return streams and not streams[0]["publish"]["active"] and streams[0]["state"] == "lost"
        wait_until(lost, 10, what="the stream to wait for a republish")
        self.pub.wait(10)


class ApiHlsClientTest(unittest.TestCase):
    def test_an_hls_player_is_listed_while_its_connection_lives(self):
        srv = Server(self, workers=2, extra={"vhosts": {"__defaultVhost__": {
            "hls": {"fragment": "1s", "window": "6s"}}}}).start()
        publish(self, srv, "live/cam", seconds=60)
        m3u8 = os.path.join(srv.dir, "html", "live", "cam.m3u8")
        wait_until(lambda: os.path.exists(m3u8), 20, what="the playlist")
        conn = http.client.HTTPConnection("127.0.0.1", srv.http_port, timeout=5)
        self.addCleanup(conn.close)
        conn.request("GET", "/live/cam.m3u8")  # keep-alive: the connection stays
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertIn(b"#EXTM3U", r.read())
        clients = srv.api("/api/v1/clients")["clients"]
        hls = [c for c in clients if c["type"] == "hls-play"]
        self.assertEqual(len(hls), 1, clients)
        self.assertEqual((hls[0]["name"], hls[0]["url"]), ("cam", "/live/cam"))
        stream = srv.api("/api/v1/streams")["streams"][0]
        self.assertEqual(hls[0]["stream"], stream["id"])
        conn.close()
        wait_until(lambda: not [c for c in srv.api("/api/v1/clients")["clients"]
                                if c["type"] == "hls-play"], 10, what="the HLS player to leave")


if __name__ == "__main__":
    unittest.main()
